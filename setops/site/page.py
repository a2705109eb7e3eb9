"""The page around the sections: head, header with the controls, and the embedded data."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from setops.config.load import Config
from setops.config.models import zone
from setops.site.feeds import ROTATION_FEED
from setops.site.markup import esc, time_tag

# No request may leave the site: everything comes from its own folder. Inline style
# attributes place the calendar's bars; no inline script runs.
POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'"
)


def page(config: Config, now: dt.datetime, sections: list[str], data: dict[str, Any]) -> str:
    name = esc(config.rotation.name)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">'
        '<meta name="color-scheme" content="light dark">'
        f"<title>{name} rotation: who is on {name}</title>"
        '<link rel="icon" href="data:,"><link rel="stylesheet" href="site.css">'
        '<script src="site.js" defer></script></head><body>'
        '<a class="skip" href="#main">Skip to the content</a>'
        f"{_header(config, now)}"
        f'<main id="main" tabindex="-1">{"".join(sections)}</main>'
        f"{_footer(config, now)}"
        f'<script type="application/json" id="set-data">{embed(data)}</script>'
        "</body></html>\n"
    )


def _header(config: Config, now: dt.datetime) -> str:
    name, tz = esc(config.rotation.name), esc(config.rotation.timezone)
    options = "".join(
        f'<option value="{esc(p.id)}">{esc(p.name)}</option>'
        for p in sorted(config.people, key=lambda p: p.name)
    )
    return (
        f'<header><h1>{name} rotation</h1><nav aria-label="Sections"><ul>'
        '<li><a href="#now">Now</a></li><li><a href="#calendar">Calendar</a></li>'
        '<li><a href="#people">People</a></li><li><a href="#load">Load</a></li>'
        f'<li><a href="{ROTATION_FEED}">Whole rotation feed (ICS)</a></li></ul></nav>'
        '<form class="controls" id="controls" hidden>'
        "<fieldset><legend>Show times in</legend>"
        f'<label><input type="radio" name="zone" value="rotation" checked> {tz} '
        "(the rotation's zone)</label>"
        '<label><input type="radio" name="zone" value="viewer"> '
        '<span id="viewer-zone">your zone</span></label></fieldset>'
        '<p><label for="person">Person</label> <select id="person">'
        f'<option value="">everyone</option>{options}</select></p></form></header>'
    )


def _footer(config: Config, now: dt.datetime) -> str:
    tz = config.rotation.timezone
    return (
        f"<footer><p>Built by <code>setops site</code> at "
        f"{time_tag(now, zone(tz))} from the configuration in rotations/. "
        "The page works out who is on SET from the clock of the device it is opened on."
        "</p></footer>"
    )


def embed(data: dict[str, Any]) -> str:
    """JSON that cannot close the script element it sits in."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
