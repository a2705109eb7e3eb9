"""The site in a real browser: headless Chromium from the system, at a pinned clock.

Screenshots at phone and desktop widths, light and dark, are kept in build/screenshots/
(or $SETOPS_SCREENSHOTS) for people to look at.
"""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import json
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from setops.config.load import Config
from setops.schedule import compute_schedule
from setops.site.data import next_turn
from tests.conftest import ORG, REPO, Result
from tests.site.browser import Watch, browser_page
from tests.site.conftest import PINNED

SHOTS = Path(os.environ.get("SETOPS_SCREENSHOTS") or REPO / "build" / "screenshots")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# axe would fetch the stylesheets itself to read them (its `preload`), which the page's
# Content-Security-Policy rightly blocks; the computed styles it checks need no fetch.
AXE_OPTIONS = {"resultTypes": ["violations"], "preload": False}


@pytest.fixture(scope="module")
def served(site_dir: Path) -> Iterator[str]:
    """The site over HTTP on 127.0.0.1, as GitHub Pages serves it (a folder, no server code)."""
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def open_site(page: Any, url: str, at: dt.datetime = PINNED) -> None:
    page.clock.set_fixed_time(at)
    page.goto(url)
    page.wait_for_selector("#controls:not([hidden])")


def who(cli: Callable[..., Result], at: dt.datetime) -> dict[str, Any]:
    result = cli("who", "--root", str(ORG), "--at", at.isoformat(), "--format", "json")
    data: dict[str, Any] = json.loads(result.out)
    return data


def shown(page: Any) -> dict[str, str]:
    """Who the page names now: 'lead', 'emea primary', …"""
    names: dict[str, str] = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('#now-body [data-role]')]
            .map(e => [(e.closest('[data-shift]')?.dataset.shift ?? '') + ' ' + e.dataset.role,
                       e.textContent.split('(')[0].trim()]))"""
    )
    return {key.strip(): value for key, value in names.items()}


def expected(answer: dict[str, Any]) -> dict[str, str]:
    names = {"lead": answer["lead"]["name"]}
    for shift in answer["shifts"]:
        for role in ("primary", "backup"):
            names[f"{shift['name']} {role}"] = shift[role]["name"]
    return names


def assert_quiet(watch: Watch, site: str) -> None:
    assert watch.errors == [], watch.errors
    assert [m for m in watch.console if m.startswith(("error", "warning"))] == []
    assert watch.refused == [], f"requests left the page: {watch.refused}"
    outside = [url for url in watch.requested if not url.startswith((site, "data:"))]
    assert outside == [], outside


@pytest.mark.parametrize("way", ["file", "http"])
def test_the_page_names_who_is_on_set_at_the_pinned_time(
    way: str, site_dir: Path, served: str, tmp_path: Path, cli: Callable[..., Result]
) -> None:
    site = site_dir.as_uri() + "/" if way == "file" else served
    profile = tmp_path / "profile"
    with browser_page(profile, allow=(served,), timezone_id="Europe/Berlin") as (page, watch):
        open_site(page, site + "index.html")
        assert shown(page) == expected(who(cli, PINNED))
        badges = page.locator("#now-body h3 .badge").all_inner_texts()
        assert badges == ["on now", "off hours"]  # emea on at 10:00 Berlin; amer asleep
        assert page.locator(".days .today").get_attribute("data-day") == "2026-12-08"
        assert_quiet(watch, site)


def test_the_page_follows_the_clock_after_it_was_built(
    site_dir: Path, tmp_path: Path, cli: Callable[..., Result]
) -> None:
    # Built on 8 December; opened on the 16th, in the week of the jonas/kai swap.
    later = dt.datetime.fromisoformat("2026-12-16T10:00:00+01:00")
    with browser_page(tmp_path / "profile", timezone_id="Europe/Berlin") as (page, watch):
        open_site(page, (site_dir / "index.html").as_uri(), at=later)
        assert shown(page) == expected(who(cli, later))
        assert page.locator("#now-body .tag").count() == 2  # both holders are overrides
        assert page.locator(".days .today").get_attribute("data-day") == "2026-12-16"
        assert page.locator("#jump-today").get_attribute("href") == "#week-2026-12-14"
        assert_quiet(watch, site_dir.as_uri())


def test_the_page_works_out_shift_hours_across_a_dst_change(site_dir: Path, tmp_path: Path) -> None:
    # Opened in the fortnight when New York is on summer time and Berlin not yet: the amer
    # shift's 08:00 in New York is 13:00 in Berlin and 12:00 in London.
    later = dt.datetime.fromisoformat("2027-03-15T12:00:00+01:00")
    with browser_page(tmp_path / "profile", timezone_id="Europe/London") as (page, watch):
        open_site(page, (site_dir / "index.html").as_uri(), at=later)
        amer = page.locator('[data-shift="amer"]')
        assert amer.locator(".rotation-hours").inner_text().startswith("13:00\u201301:00")
        assert amer.locator(".viewer-hours").inner_text() == (
            "12:00\u201300:00 Europe/London (your zone)"
        )
        assert_quiet(watch, site_dir.as_uri())


def test_the_zone_switch_shows_times_in_the_viewers_zone(site_dir: Path, tmp_path: Path) -> None:
    with browser_page(tmp_path / "profile", timezone_id="Asia/Tokyo") as (page, watch):
        open_site(page, (site_dir / "index.html").as_uri())
        asof = page.locator("#now-body .asof time").first
        assert asof.inner_text() == "Tue, 8 Dec 2026, 10:00"
        emea = page.locator('[data-shift="emea"] .viewer-hours')
        assert emea.inner_text() == "16:00\u201304:00 Asia/Tokyo (your zone)"
        assert page.locator("#viewer-zone").inner_text() == "Asia/Tokyo (your zone)"
        page.get_by_label("Asia/Tokyo (your zone)").check()
        assert asof.inner_text() == "Tue, 8 Dec 2026, 18:00"
        first_bar_time = page.locator(".bar time").first
        assert first_bar_time.inner_text().endswith("17:00")  # Monday 09:00 Berlin
        page.get_by_label("Europe/Berlin (the rotation's zone)").check()
        assert asof.inner_text() == "Tue, 8 Dec 2026, 10:00"
        assert first_bar_time.inner_text().endswith("09:00")
        assert_quiet(watch, site_dir.as_uri())


def test_picking_a_person_shows_their_next_turn(
    site_dir: Path, tmp_path: Path, org_config: Config
) -> None:
    turn = next_turn(compute_schedule(org_config), "jonas", PINNED)
    assert turn is not None and turn.start > PINNED
    with browser_page(tmp_path / "profile", timezone_id="Europe/Berlin") as (page, watch):
        open_site(page, (site_dir / "index.html").as_uri())
        page.select_option("#person", "jonas")
        panel = page.locator("#person-panel").inner_text()
        start = f"{turn.start.astimezone(org_zone(org_config)):%H:%M}"
        assert f"Your next turn: {turn.role} {turn.shift} from Mon, 14 Dec 2026, {start}" in panel
        assert "(in 6 days)" in panel
        picked = page.locator(".bar.picked")
        assert picked.count() > 0
        assert set(picked.evaluate_all("bars => bars.map(b => b.dataset.person)")) == {"jonas"}
        assert page.locator("tr.picked th").inner_text() == "Jonas Brandt"
        page.locator("#person-panel a").click()  # the feed link resolves to a file
        assert_quiet(watch, site_dir.as_uri())


def test_a_person_link_opens_with_that_person_picked(site_dir: Path, tmp_path: Path) -> None:
    # docs/site.md: `index.html?person=ID` shares a person's view; an unknown id is ignored.
    page_url = (site_dir / "index.html").as_uri()
    with browser_page(tmp_path / "profile", timezone_id="Europe/Berlin") as (page, watch):
        open_site(page, page_url + "?person=kai")
        assert page.locator("#person").input_value() == "kai"
        assert page.locator("#person-panel h3").inner_text().startswith("Kai Nakamura")
        page.select_option("#person", "")  # and back to everyone: the choice is remembered
        open_site(page, page_url + "?person=nobody-of-ours")
        assert page.locator("#person").input_value() == ""
        assert page.locator("#person-panel").inner_text() == ""
        assert_quiet(watch, site_dir.as_uri())


def org_zone(config: Config) -> Any:
    return compute_schedule(config).tz


def test_the_keyboard_reaches_every_control(site_dir: Path, tmp_path: Path) -> None:
    with browser_page(tmp_path / "profile", viewport=DESKTOP) as (page, watch):
        open_site(page, (site_dir / "index.html").as_uri())
        controls: list[str] = page.evaluate(
            """() => [...document.querySelectorAll('a[href], input, select, button')]
                .filter(e => e.offsetParent !== null || e.classList.contains('skip'))
                .map((e, i) => (e.dataset.k = String(i)))"""
        )
        radios = set(
            page.evaluate("() => [...document.querySelectorAll('input')].map(e => e.dataset.k)")
        )
        reached: list[str] = []
        for _ in range(len(controls) * 2):  # bounded: every control, then round again
            page.keyboard.press("Tab")
            key = page.evaluate("() => document.activeElement?.dataset.k ?? ''")
            if key and key in reached:
                break
            reached.append(key)
        tabbed = set(reached) - {""}
        # A radio group is one tab stop (arrow keys move inside it): one radio stands for both.
        assert set(controls) - radios <= tabbed
        assert tabbed & radios
        page.focus('input[value="rotation"]')
        page.keyboard.press("ArrowDown")
        assert page.evaluate("() => document.activeElement.value") == "viewer"
        assert page.locator('input[value="viewer"]').is_checked()
        page.focus("#person")
        page.keyboard.press("ArrowDown")
        assert page.locator("#person-panel h3").count() == 1  # the first person, by keyboard
        assert_quiet(watch, site_dir.as_uri())


def test_without_a_script_the_page_shows_who_was_on_at_build_time(
    site_dir: Path, tmp_path: Path, cli: Callable[..., Result]
) -> None:
    with browser_page(tmp_path / "profile", java_script_enabled=False) as (page, watch):
        page.goto((site_dir / "index.html").as_uri())
        assert shown(page) == expected(who(cli, PINNED))
        assert page.locator("#controls").is_hidden()  # nothing offered that cannot work
        assert_quiet(watch, site_dir.as_uri())


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("width", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_no_accessibility_findings_and_screenshots_kept(
    scheme: str, width: str, viewport: dict[str, int], site_dir: Path, tmp_path: Path
) -> None:
    axe = pytest.importorskip("axe_playwright_python.sync_playwright")
    SHOTS.mkdir(parents=True, exist_ok=True)
    options: dict[str, Any] = {"viewport": viewport, "color_scheme": scheme}
    if width == "phone":
        options |= {"is_mobile": True, "has_touch": True, "device_scale_factor": 2}
    with browser_page(tmp_path / "profile", timezone_id="America/New_York", **options) as (
        page,
        watch,
    ):
        open_site(page, (site_dir / "index.html").as_uri())
        page.screenshot(path=str(SHOTS / f"{width}-{scheme}.png"), full_page=True)
        findings = _findings(axe.Axe().run(page, options=AXE_OPTIONS).response)
        page.select_option("#person", "kai")  # the filtered calendar, with quiet bars
        page.locator("#week-2026-12-14").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"{width}-{scheme}-person.png"))
        findings += _findings(axe.Axe().run(page, options=AXE_OPTIONS).response)
        assert findings == []
        assert_quiet(watch, site_dir.as_uri())


def _findings(response: dict[str, Any]) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in response["violations"]
    ]
