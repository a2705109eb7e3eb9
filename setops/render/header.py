"""The SET channel header: the part setops owns, rendered from who is on SET, and merged.

Pure: the Mattermost target and the header-length check both use it (the templates'
placeholders are checked with the config, in `config.header_template`). Only the text between the
two markers is setops'; whatever people wrote around it is kept as it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from setops import markdown as md
from setops.config.load import Config
from setops.config.models import MattermostSettings
from setops.schedule import OnCall


def escape_mentions(text: str) -> str:
    """`text` with every @-mention broken (a word joiner after the @), so it pings nobody.

    Used on every text copied from tickets into a post, the header or a pull request: a
    summary holding `@channel`, `@all` or `@here` must not page a whole channel.
    """
    return md.no_mentions(text)


def _mention(config: Config, person_id: str | None) -> str:
    return f"@{config.person(person_id).mattermost}" if person_id else "nobody"


def _name(config: Config, person_id: str | None) -> str:
    # A name is text in a Markdown header: a '*' or '_' in it must not turn on emphasis.
    return md.text(config.person(person_id).name) if person_id else "nobody"


def owned_text(config: Config, settings: MattermostSettings, oncall: OnCall) -> str:
    """The header text setops owns for the team on SET at `oncall.at`, markers included."""
    shifts = settings.header_shift_separator.join(
        settings.header_shift_template.format(
            shift=s.name,
            primary=_mention(config, s.primary.person if s.primary else None),
            backup=_mention(config, s.backup.person if s.backup else None),
            primary_name=_name(config, s.primary.person if s.primary else None),
            backup_name=_name(config, s.backup.person if s.backup else None),
        )
        for s in oncall.shifts
    )
    lead = oncall.lead.person if oncall.lead else None
    cycle = oncall.cycle
    start = cycle.cycle.start if cycle else None
    end = start + dt.timedelta(weeks=2, days=-1) if start else None
    week = _week_start(oncall)
    text = settings.header_template.format(
        lead=_mention(config, lead),
        lead_name=_name(config, lead),
        cycle_start=start.isoformat() if start else "?",
        cycle_end=end.isoformat() if end else "?",
        week_start=week.isoformat() if week else "?",
        shifts=shifts,
    )
    return f"{settings.header_start_marker}{text}{settings.header_end_marker}"


def _week_start(oncall: OnCall) -> dt.date | None:
    slots = [s.primary for s in oncall.shifts if s.primary is not None]
    return slots[0].start.date() if slots else None


def merge_header(current: str, owned: str, settings: MattermostSettings) -> str:
    """`current` with setops' part replaced by `owned`; text outside the markers is kept.

    Without markers (a new channel, or markers someone deleted) setops' part goes first and
    the existing text follows it.
    """
    start_marker, end_marker = settings.header_start_marker, settings.header_end_marker
    start = current.find(start_marker)
    end = current.find(end_marker, start + len(start_marker)) if start >= 0 else -1
    if start >= 0 and end >= 0:
        return current[:start] + owned + current[end + len(end_marker) :]
    return f"{owned} {current}" if current.strip() else owned


def owned_part(current: str, settings: MattermostSettings) -> str | None:
    """The text between the markers in `current`, or None when there are no markers."""
    start = current.find(settings.header_start_marker)
    if start < 0:
        return None
    begin = start + len(settings.header_start_marker)
    end = current.find(settings.header_end_marker, begin)
    return current[begin:end] if end >= 0 else None


def header_length(text: str) -> int:
    """Length as Mattermost counts it: in characters (runes), not bytes."""
    return len(text)


def longest(texts: Iterable[str]) -> str:
    return max(texts, key=header_length, default="")
