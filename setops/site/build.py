"""Assemble the site: the page, its script and style, and the calendar feeds."""

from __future__ import annotations

import datetime as dt
from importlib import resources

from setops.config.load import Config
from setops.planning.load import compute_load, default_window
from setops.schedule import compute_schedule
from setops.site.calendar_html import calendar_section
from setops.site.data import page_data, weeks
from setops.site.feeds import feeds
from setops.site.now_html import now_section
from setops.site.page import page
from setops.site.people_html import load_section, people_section

WEEKS_BACK = 13  # the past three months
WEEKS_AHEAD = 16  # the coming four months, as far as the cycles go
STATIC = ("site.css", "site.js")


def build_site(config: Config, now: dt.datetime) -> dict[str, bytes]:
    """Every file of the site, by its path inside the output folder. Pure: no clock, no I/O
    but reading the package's own script and style."""
    schedule = compute_schedule(config)
    rows = weeks(schedule, now, WEEKS_BACK, WEEKS_AHEAD)
    sections = [
        now_section(config, schedule, now),
        people_section(config, schedule, now),
        calendar_section(config, schedule, rows, now),
        load_section(compute_load(config, *default_window(config, now)), schedule.tz),
    ]
    html = page(config, now, sections, page_data(config, schedule, now))
    files = {"index.html": html.encode("utf-8")}
    static = resources.files("setops.site") / "static"
    for name in STATIC:
        files[name] = (static / name).read_bytes()
    files.update(feeds(config, schedule, now))
    return files
