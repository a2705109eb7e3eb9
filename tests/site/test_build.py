"""The site as built, read without a browser: files, weight, links, feeds, the people named."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from icalendar import Calendar

from setops.config.load import Config, load_config
from setops.schedule import compute_schedule
from setops.site import build_site
from tests.conftest import ORG, REPO, Result
from tests.site.conftest import PINNED
from tests.site.markup import Element, parse

LIMIT = 300 * 1024


def page(config: Config, at: dt.datetime) -> Element:
    return parse(build_site(config, at)["index.html"].decode("utf-8"))


def named(element: Element) -> str:
    """The person named in a holder element: its text before the team in brackets."""
    return element.text.split("(")[0].strip()


def test_the_site_is_self_contained_and_under_the_weight_limit(site_dir: Path) -> None:
    files = {p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*") if p.is_file()}
    assert {"index.html", "site.css", "site.js", "feeds/rotation.ics"} <= files
    assert "feeds/people/ana.ics" in files
    weight = sum(p.stat().st_size for p in site_dir.rglob("*") if p.is_file())
    assert weight < LIMIT, f"the fixture organisation's site weighs {weight} bytes"


def test_the_bundled_configurations_site_stays_under_the_weight_limit() -> None:
    # The one site test on the repository's own rotations/: the limit is promised for the
    # configuration people actually publish, which grows as cycles are planned.
    files = build_site(load_config(REPO), PINNED)
    weight = sum(len(content) for content in files.values())
    assert weight < LIMIT, f"the bundled configuration's site weighs {weight} bytes"


def test_nothing_on_the_page_points_to_another_host(site_dir: Path) -> None:
    root = parse((site_dir / "index.html").read_text(encoding="utf-8"))
    for element in root.walk():
        for name in ("href", "src", "action", "srcset"):
            value = element.attrs.get(name)
            if value is not None:
                scheme = re.match(r"^[a-z][a-z0-9+.-]*:", value)
                assert not scheme or value.startswith("data:"), value
                assert not value.startswith("//"), value
    style = (site_dir / "site.css").read_text(encoding="utf-8")
    assert "url(" not in style and "@import" not in style and "@font-face" not in style
    script = (site_dir / "site.js").read_text(encoding="utf-8")
    for call in ("fetch(", "XMLHttpRequest", "import(", "WebSocket", "http:", "https:"):
        assert call not in script, call


def test_every_link_leads_to_a_file_or_a_place_on_the_page(site_dir: Path) -> None:
    root = parse((site_dir / "index.html").read_text(encoding="utf-8"))
    ids = {e.attrs["id"] for e in root.walk() if "id" in e.attrs}
    links = [e.attrs["href"] for e in root.find_all("a")]
    links += [e.attrs["href"] for e in root.find_all("link") if e.attrs["href"] != "data:,"]
    links += [e.attrs["src"] for e in root.find_all("script") if "src" in e.attrs]
    assert len(links) > 20
    for link in links:
        if link.startswith("#"):
            assert link[1:] in ids, link
        else:
            assert (site_dir / link).is_file(), link


def test_the_page_has_a_language_a_title_landmarks_and_labelled_controls(site_dir: Path) -> None:
    root = parse((site_dir / "index.html").read_text(encoding="utf-8"))
    assert root.find("html").attrs["lang"] == "en"
    assert "SET" in root.find("title").text
    for landmark in ("header", "main", "footer", "nav"):
        assert root.find_all(landmark)
    labels = {e.attrs.get("for") for e in root.find_all("label")}
    for control in root.find_all("select"):
        assert control.attrs["id"] in labels
    for radio in root.find_all("input"):
        assert any(radio in label.walk() for label in root.find_all("label"))


@pytest.mark.parametrize(
    "at",
    [
        "2026-12-08T10:00:00+01:00",  # a plain week, emea on
        "2026-12-16T10:00:00+01:00",  # the jonas/kai swap (two overrides)
        "2026-12-29T16:00:00+01:00",  # jonas covers ana's time off; both shifts on
        "2027-03-29T03:30:00+02:00",  # the night after the EU clocks went forward
    ],
)
def test_the_page_as_built_names_whoever_setops_who_names(
    at: str, org_config: Config, cli: Callable[..., Result]
) -> None:
    who = json.loads(cli("who", "--root", str(ORG), "--at", at, "--format", "json").out)
    root = page(org_config, dt.datetime.fromisoformat(at))
    now = root.find(id="now-body")
    assert named(now.find(data_role="lead")) == who["lead"]["name"]
    for shift in who["shifts"]:
        card = now.find("article", data_shift=shift["name"])
        assert named(card.find(data_role="primary")) == shift["primary"]["name"]
        assert named(card.find(data_role="backup")) == shift["backup"]["name"]
        badge = "on now" if shift["active"] else "off hours"
        assert badge in card.find("h3").text


def test_the_now_section_shows_the_pinned_instant(site_dir: Path) -> None:
    root = parse((site_dir / "index.html").read_text(encoding="utf-8"))
    asof = root.find(id="now-body").find("p", **{"class": "asof"})
    first = asof.find_all("time")[0]
    assert first.attrs["datetime"] == "2026-12-08T09:00Z"
    assert first.text == "Tue, 8 Dec 2026, 10:00"  # in the rotation's zone, Europe/Berlin


def test_shift_hours_are_shown_in_the_rotation_zone_and_the_shifts_own(site_dir: Path) -> None:
    root = parse((site_dir / "index.html").read_text(encoding="utf-8"))
    amer = root.find("article", data_shift="amer").find("ul").text
    assert "14:00\u201302:00 Europe/Berlin" in amer  # 08:00-20:00 in New York, in December
    assert "08:00\u201320:00 America/New_York" in amer


def test_today_is_marked_and_its_week_is_current(site_dir: Path) -> None:
    root = parse((site_dir / "index.html").read_text(encoding="utf-8"))
    (today,) = [e for e in root.walk() if "today" in e.classes]
    assert today.attrs["data-day"] == "2026-12-08"
    (current,) = [e for e in root.walk() if e.attrs.get("aria-current") == "date"]
    assert current.attrs["id"] == "week-2026-12-07-h"


def test_overrides_and_time_off_are_drawn_apart(site_dir: Path) -> None:
    root = parse((site_dir / "index.html").read_text(encoding="utf-8"))
    week = root.find(id="week-2026-12-14")
    swapped = [e for e in week.walk() if "override" in e.classes and "bar" in e.classes]
    assert {e.attrs["data-person"] for e in swapped} == {"kai", "jonas"}
    assert all("swap" in e.text for e in swapped)  # the override's id and reason are read out
    away = [e for e in root.find(id="week-2026-12-28").walk() if "away" in e.classes]
    assert [e.attrs["data-person"] for e in away] == ["ana"]


def bar_place(bar: Element) -> tuple[float, float]:
    found = re.fullmatch(r"left:([\d.]+)%;width:([\d.]+)%", bar.attrs["style"])
    assert found, bar.attrs["style"]
    return float(found[1]), float(found[2])


def test_bars_sit_at_their_wall_clock_hour_across_a_dst_change(org_config: Config) -> None:
    # The EU clocks go forward on Sunday 2027-03-28: the week of 22 March is 167 hours
    # long, yet the shift change stays at Monday 09:00 on the calendar.
    root = page(org_config, dt.datetime.fromisoformat("2027-03-24T12:00:00+01:00"))
    week = root.find(id="week-2027-03-22")
    lead = [e for e in week.walk() if "bar" in e.classes and "lead" in e.classes]
    places = sorted(bar_place(bar) for bar in lead)
    assert places[0] == (0.0, round(9 / 168 * 100, 2))  # the old cycle until Monday 09:00
    assert places[1] == (round(9 / 168 * 100, 2), round(159 / 168 * 100, 2))  # to Sunday's end


def test_the_feeds_hold_every_slot_and_each_person_only_theirs(
    site_dir: Path, org_config: Config
) -> None:
    schedule = compute_schedule(org_config)
    whole = Calendar.from_ical((site_dir / "feeds/rotation.ics").read_bytes())
    assert len(whole.walk("VEVENT")) == len(schedule.slots)
    for person in org_config.people:
        feed = Calendar.from_ical((site_dir / f"feeds/people/{person.id}.ics").read_bytes())
        summaries = [str(e["SUMMARY"]) for e in feed.walk("VEVENT")]
        assert len(summaries) == sum(s.person == person.id for s in schedule.slots)
        assert all(summary.endswith(f": {person.name}") for summary in summaries)


def test_the_load_table_shows_what_setops_load_reports(
    site_dir: Path, cli: Callable[..., Result]
) -> None:
    pinned = {"SETOPS_NOW": PINNED.isoformat()}  # the load window starts from now
    report = json.loads(cli("load", "--root", str(ORG), "--format", "json", env=pinned).out)
    root = parse((site_dir / "index.html").read_text(encoding="utf-8"))
    rows = root.find(id="load").find("tbody").find_all("tr")
    assert len(rows) == len(report["people"])
    for person in report["people"]:
        (row,) = [r for r in rows if r.attrs["data-person"] == person["id"]]
        cells = [c.text for c in row.find_all("td")][:7]
        fields = ("primary_weeks", "backup_weeks", "lead_cycles", "load_weeks")
        numbers = [f"{person[f]:.1f}" for f in fields] + [f"{person['fair_share_weeks']:.1f}"]
        deviation = f"{person['deviation_weeks']:+.1f}"
        deviation = "0.0" if float(deviation) == 0 else deviation.replace("-", "\u2212")
        assert cells == [person["pool"], *numbers, deviation]


def test_shift_hours_follow_each_zones_dst_in_the_weeks_they_differ(
    org_config: Config,
) -> None:
    # New York moved its clocks on 14 March 2027, Berlin only on the 28th: for two weeks
    # the amer shift starts an hour earlier on the rotation's clock.
    root = page(org_config, dt.datetime.fromisoformat("2027-03-15T12:00:00+01:00"))
    amer = root.find("article", data_shift="amer").find("li", **{"class": "rotation-hours"})
    assert amer.text.startswith("13:00\u201301:00 Europe/Berlin")
