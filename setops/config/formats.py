"""The written forms of config values, each one regular expression that both `validate` and
the exported JSON Schema use, so an editor underlines exactly what CI refuses.

The expressions are written for both engines: Python's `re` (with `fullmatch`) and the
ECMA-262 dialect of JSON Schema. So digits are `[0-9]` (Python's `\\d` also takes other
scripts' digits), letters are spelled out (`\\w` differs), and nothing relies on `$`
before a final newline.
"""

from __future__ import annotations

import re

ID = r"^[a-z0-9][a-z0-9_.-]*$"
REPOSITORY = r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$"
LEVEL_ID = r"^L[1-9]$"
# Free text that must say something: not empty and not only spaces.
NOT_BLANK = r"\S"
# An IANA zone name's shape ('Area/Location', or UTC); whether it exists is the zone
# database's to say, which no pattern can (see the schema's description).
ZONE = r"^(UTC|[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)+)$"
# A wall-clock time of a weekly moment or a shift: 24-hour, on :00 or :30 (OpsGenie rounds
# other minutes).
CLOCK_SHAPE = r"^[0-9]{2}:[0-9]{2}$"
CLOCK = r"^([01][0-9]|2[0-3]):(00|30)$"
DATE = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
DATE_SHAPE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_HOURS = "([01][0-9]|2[0-3])"
_MONTHS_DAYS = "(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
INSTANT_SHAPE = (
    rf"^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}T[0-9]{{2}}:[0-9]{{2}}:[0-9]{{2}}"
    rf"(Z|[+-]{_HOURS}:[0-5][0-9])$"
)


def _two(minute: int) -> str:
    """The minutes `minute` and `minute + 30` as an alternation: '(15|45)'."""
    return f"({minute:02d}|{minute + 30:02d})"


def _half_hour_instant() -> str:
    """An instant written with its offset whose UTC time falls on :00 or :30.

    UTC minutes are the local minutes minus the offset's (plus for a negative offset), so
    for each residue r of the local minutes modulo 30 the offset's minutes must be r (for
    +) or -r (for -), modulo 30. One alternative per residue; Z goes with residue 0.
    """
    alternatives = []
    for residue in range(30):
        plus = _two(residue)
        minus = _two((30 - residue) % 30)
        zulu = "Z|" if residue == 0 else ""
        alternatives.append(f"{_two(residue)}:00({zulu}\\+{_HOURS}:{plus}|-{_HOURS}:{minus})")
    return rf"^[0-9]{{4}}-{_MONTHS_DAYS}T{_HOURS}:({'|'.join(alternatives)})$"


INSTANT = _half_hour_instant()


def matches(pattern: str, text: str) -> bool:
    """Whether `text` is written in the form `pattern` describes, as JSON Schema reads it:
    searched for, with `$` the end of the text (Python's `$` also matches before a final
    newline, ECMA-262's does not; the patterns here use `$` only as that anchor)."""
    return re.search(pattern.replace("$", r"\Z"), text) is not None
