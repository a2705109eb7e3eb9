"""Issue 12 §9: JSON outputs carry the override id where the text shows it; a personal ICS
feed is named after its person."""

from __future__ import annotations

import json
from collections.abc import Callable

from icalendar import Calendar

from tests.conftest import ORG, Result

SWAP = "swap-jonas-kai-2026-12-16"  # kai primary, jonas backup of emea, 16 to 18 December


def test_who_json_carries_the_override_id_the_text_shows(cli: Callable[..., Result]) -> None:
    at = ("--root", str(ORG), "--at", "2026-12-16T10:00:00+01:00")
    text = cli("who", *at).out
    assert f"  primary  Kai Nakamura (kai, platform)  [override {SWAP}]" in text.splitlines()
    data = json.loads(cli("who", *at, "--format", "json").out)
    emea, amer = data["shifts"]
    assert (emea["primary"]["id"], emea["primary_override"]) == ("kai", SWAP)
    assert emea["backup_override"] == "swap-kai-jonas-2026-12-16"
    assert (amer["primary_override"], amer["backup_override"], data["lead_override"]) == (
        None,
        None,
        None,
    )


def test_schedule_json_carries_the_override_id_the_text_shows(
    cli: Callable[..., Result],
) -> None:
    window = ("--root", str(ORG), "--from", "2026-12-16", "--weeks", "1")
    text = cli("schedule", *window).out
    assert f"(override {SWAP})" in text
    slots = json.loads(cli("schedule", *window, "--format", "json").out)["slots"]
    overridden = {(s["person"]["id"], s["override"]) for s in slots if s["override"]}
    assert (
        "kai",
        SWAP,
    ) in overridden and ("jonas", "swap-kai-jonas-2026-12-16") in overridden
    shown = {
        line.split("(override ")[1].rstrip(")")
        for line in text.splitlines()
        if "(override " in line
    }
    assert shown == {o for _, o in overridden}


def test_personal_ics_feed_is_named_after_its_person(cli: Callable[..., Result]) -> None:
    feed = cli("schedule", "--root", str(ORG), "--person", "kai", "--format", "ics").out
    assert Calendar.from_ical(feed)["X-WR-CALNAME"] == "SET rotation: Kai Nakamura"
    whole = cli("schedule", "--root", str(ORG), "--format", "ics").out
    assert Calendar.from_ical(whole)["X-WR-CALNAME"] == "SET rotation"
