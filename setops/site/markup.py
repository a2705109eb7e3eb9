"""Small HTML helpers: escaping, and the `<time>` elements the page's script re-formats.

Every instant is written as `<time datetime="…UTC…" data-f="KIND">`, its text in the
rotation's zone; the script rewrites the text when the viewer picks another zone. The
formats match what the script's `Intl.DateTimeFormat('en-GB', …)` writes.
"""

from __future__ import annotations

import datetime as dt
import html
from zoneinfo import ZoneInfo


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def clock(instant: dt.datetime, tz: ZoneInfo) -> str:
    return instant.astimezone(tz).strftime("%H:%M")


def day_text(day: dt.date) -> str:
    return f"{day:%a}, {day.day} {day:%b} {day.year}"


def instant_text(instant: dt.datetime, tz: ZoneInfo) -> str:
    local = instant.astimezone(tz)
    return f"{local:%a}, {local.day} {local:%b} {local.year}, {local:%H:%M}"


def time_tag(instant: dt.datetime, tz: ZoneInfo, kind: str = "dt") -> str:
    """An instant as a `<time>`: kind 'dt' (day and clock) or 't' (clock only)."""
    utc = instant.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%MZ")
    text = clock(instant, tz) if kind == "t" else instant_text(instant, tz)
    return f'<time datetime="{utc}" data-f="{kind}">{esc(text)}</time>'


def date_tag(day: dt.date) -> str:
    return f'<time datetime="{day.isoformat()}">{esc(day_text(day))}</time>'
