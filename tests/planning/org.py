"""Small SET organisations written from Python data, for the planning tests.

The policies come from tests/fixtures/base; the roster, cycles, time off and planning
policy are what each test says, so every test shows the one rule it makes bind.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "base"
EUROPE = "Europe/Berlin"
AMERICAS = "America/New_York"
SET_HEAD = """rotation:
  name: SET
  timezone: Europe/Berlin
  cycle_weeks: 2
  shift_change:
    weekday: monday
    time: '09:00'
  handover_run:
    weekday: friday
    time: '15:00'
  shifts:
    - name: emea
      timezone: Europe/Berlin
      start: '08:00'
      end: '20:00'
    - name: amer
      timezone: America/New_York
      start: '08:00'
      end: '20:00'

cycles:
"""


@dataclass(frozen=True)
class Member:
    id: str
    team: str
    timezone: str = EUROPE
    can_lead: bool = False
    since: dt.date | None = None
    until: dt.date | None = None


@dataclass(frozen=True)
class CycleRow:
    start: dt.date
    lead: str
    emea: tuple[str, str]
    amer: tuple[str, str]


@dataclass
class Org:
    people: list[Member]
    cycles: list[CycleRow]
    time_off: list[tuple[str, dt.date, dt.date]] = field(default_factory=list)
    planning: dict[str, object] = field(default_factory=dict)

    def write(self, root: Path) -> Path:
        root.mkdir(parents=True, exist_ok=True)
        shutil.copytree(FIXTURES / "policies", root / "policies", dirs_exist_ok=True)
        shutil.copy2(FIXTURES / "CODEOWNERS", root / "CODEOWNERS")
        (root / "rotations").mkdir(exist_ok=True)
        (root / "rotations" / "roster.yaml").write_text(_roster(self.people))
        (root / "rotations" / "set.yaml").write_text(SET_HEAD + _cycles(self.cycles))
        (root / "rotations" / "time-off.yaml").write_text(_time_off(self.time_off))
        if self.planning:
            (root / "policies" / "planning.yaml").write_text(_planning(self.planning))
        return root


def _roster(people: Sequence[Member]) -> str:
    teams = sorted({p.team for p in people})
    lines = ["teams:", *(f"  - {{id: {t}, name: {t.title()}}}" for t in teams), "people:"]
    for p in people:
        lines += [
            f"  - id: {p.id}",
            f"    name: {p.id.title()}",
            f"    team: {p.team}",
            f"    timezone: {p.timezone}",
            f"    mattermost: {p.id}",
            f"    opsgenie: {p.id}@example.com",
            f"    jira: {p.id}",
            f"    github: {p.id}",
        ]
        if p.can_lead:
            lines.append("    can_lead: true")
        if p.since:
            lines.append(f"    since: {p.since}")
        if p.until:
            lines.append(f"    until: {p.until}")
    return "\n".join(lines) + "\n"


def _cycles(cycles: Sequence[CycleRow]) -> str:
    lines = []
    for c in cycles:
        lines += [
            f"  - start: {c.start}",
            f"    lead: {c.lead}",
            "    shifts:",
            f"      emea: {{primary: {c.emea[0]}, backup: {c.emea[1]}}}",
            f"      amer: {{primary: {c.amer[0]}, backup: {c.amer[1]}}}",
        ]
    return "\n".join(lines) + "\n"


def _time_off(entries: Sequence[tuple[str, dt.date, dt.date]]) -> str:
    if not entries:
        return "time_off: []\n"
    lines = ["time_off:"]
    for person, first, last in entries:
        lines += [f"  - person: {person}", f"    first_day: {first}", f"    last_day: {last}"]
    return "\n".join(lines) + "\n"


def _planning(values: dict[str, object]) -> str:
    lines = []
    for key, value in values.items():
        if isinstance(value, tuple):
            lines += [f"{key}:", f"  start: '{value[0]}'", f"  end: '{value[1]}'"]
        else:
            lines.append(f"{key}: {value}")
    return "\n".join(lines) + "\n"


def standard(leads: int = 2, per_region: int = 4, teams: int = 2) -> list[Member]:
    """Leads in Europe, `per_region` engineers in each region, spread over `teams` teams."""
    people = [Member(f"lead{i}", f"team{i % teams}", can_lead=True) for i in range(leads)]
    for region, tz in (("eu", EUROPE), ("am", AMERICAS)):
        people += [Member(f"{region}{i}", f"team{i % teams}", tz) for i in range(per_region)]
    return people


START = dt.date(2026, 11, 30)  # a Monday


def first_cycle(lead: str = "lead0") -> CycleRow:
    return CycleRow(START, lead, ("eu0", "eu1"), ("am0", "am1"))
