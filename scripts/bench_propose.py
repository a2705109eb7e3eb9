#!/usr/bin/env python3
"""Benchmark `setops propose`, whole process: the bundled roster and a large organisation.

1. The bundled configuration, 13 cycles (the target: under 3 s, start-up included).
2. A generated organisation of 2,000 people in 40 teams (40 leads, half of the engineers
   in Europe and half in the Americas), 52 past cycles and some time off, 26 cycles
   (the target: under 60 s, with the solver's optimality status).

Prints figures; asserts nothing (tests assert behaviour).

    python scripts/bench_propose.py [--runs 3] [--skip-large]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TEAMS, LEADS, PEOPLE, PAST = 40, 40, 2000, 52


def person(i: int) -> str:
    lead = i < LEADS
    zone = "Europe/Berlin" if i % 2 else "America/New_York"
    return (
        f"  - id: p{i}\n    name: Person {i}\n    team: t{i % TEAMS}\n    timezone: {zone}\n"
        f"    mattermost: p{i}\n    opsgenie: p{i}@example.com\n    jira: acc-{i}\n"
        f"    github: p{i}-gh\n    can_lead: {'true' if lead else 'false'}\n"
    )


def generate(root: Path) -> None:
    (root / "rotations").mkdir(parents=True)
    shutil.copytree(REPO / "policies", root / "policies")
    shutil.copy2(REPO / "CODEOWNERS", root / "CODEOWNERS")
    roster = ["teams:\n"] + [f"  - id: t{t}\n    name: Team {t}\n" for t in range(TEAMS)]
    roster += ["people:\n"] + [person(i) for i in range(PEOPLE)]
    (root / "rotations/roster.yaml").write_text("".join(roster))
    europe = [i for i in range(LEADS, PEOPLE) if i % 2]
    americas = [i for i in range(LEADS, PEOPLE) if not i % 2]
    start = dt.date(2025, 6, 2)
    parts = [(REPO / "rotations/set.yaml").read_text().split("cycles:")[0], "cycles:\n"]
    for c in range(PAST):
        e, a = europe[2 * c : 2 * c + 2], americas[2 * c : 2 * c + 2]
        parts.append(
            f"  - start: {start + dt.timedelta(weeks=2 * c)}\n    lead: p{c % LEADS}\n"
            f"    shifts:\n      emea: {{primary: p{e[0]}, backup: p{e[1]}}}\n"
            f"      amer: {{primary: p{a[0]}, backup: p{a[1]}}}\n"
        )
    (root / "rotations/set.yaml").write_text("".join(parts))
    last = start + dt.timedelta(weeks=2 * PAST)
    away = ["time_off:\n"]
    for n, i in enumerate(range(LEADS, PEOPLE, 7)):
        first = last + dt.timedelta(days=(n * 5) % 350)
        away.append(
            f"  - person: p{i}\n    first_day: {first}\n"
            f"    last_day: {first + dt.timedelta(days=9)}\n"
        )
    (root / "rotations/time-off.yaml").write_text("".join(away))
    (root / "rotations/overrides.yaml").write_text("overrides: []\n")


def run(root: Path, cycles: int, fmt: str = "text") -> tuple[float, str]:
    """Wall seconds and output of one whole process; its CPU seconds go to CPU_SECONDS (on a
    shared machine the CPU time says more than the wall time)."""
    before = _children_cpu()
    began = time.perf_counter()
    done = subprocess.run(
        ["setops", "propose", "--cycles", str(cycles), "--root", str(root), "--format", fmt],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - began
    CPU_SECONDS.append(_children_cpu() - before)
    if done.returncode != 0:
        sys.exit(f"setops propose failed ({done.returncode}):\n{done.stderr}")
    return seconds, done.stdout


CPU_SECONDS: list[float] = []


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-large", action="store_true")
    args = parser.parse_args()
    times = [run(REPO, 13)[0] for _ in range(args.runs)]
    print(
        f"bundled roster, 13 cycles: median {statistics.median(times):.2f} s, "
        f"min {min(times):.2f} s over {args.runs} runs (whole process; CPU median "
        f"{statistics.median(CPU_SECONDS):.2f} s)"
    )
    if args.skip_large:
        return
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        generate(root)
        seconds, out = run(root, 26, "json")
        solver = json.loads(out)["solver"]
        status = "proven optimal" if solver["optimal"] else f"gap {solver['gap_weeks']} weeks"
        print(
            f"{PEOPLE} people in {TEAMS} teams, 26 cycles: {seconds:.1f} s (whole process; "
            f"CPU {CPU_SECONDS[-1]:.1f} s); "
            f"largest deviation {solver['largest_deviation_weeks']} weeks, {status}; goals "
            + ", ".join(_goal(g) for g in solver["goals"])
        )


def _goal(goal: dict[str, object]) -> str:
    bound = "" if goal["optimal"] else f" (bound {goal['bound']})"
    return f"{goal['name']} {goal['value']}{bound}"


if __name__ == "__main__":
    main()
