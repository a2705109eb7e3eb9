#!/usr/bin/env python3
"""Benchmark `setops validate`, whole process: the bundled config and generated organisations.

Generates organisations of N people, N/7.7 cycles and 2.5 N overrides (the largest:
2,000 people, 260 cycles, 5,000 overrides) and times `setops validate` on each, so the
growth can be read off. Prints figures; asserts nothing (tests assert behaviour).

    python scripts/bench_validate.py [--runs 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SIZES = [(500, 65, 1250), (1000, 130, 2500), (2000, 260, 5000)]


def person(i: int, lead: bool) -> str:
    return (
        f"  - id: p{i}\n    name: Person {i}\n    team: t{i % 50}\n"
        f"    timezone: {'Europe/Berlin' if i % 2 else 'America/New_York'}\n"
        f"    mattermost: p{i}\n    opsgenie: p{i}@example.com\n    jira: acc-{i}\n"
        f"    github: p{i}-gh\n    can_lead: {'true' if lead else 'false'}\n"
    )


def generate(root: Path, people: int, cycles: int, overrides: int) -> None:
    leads, used = 40, 4 * cycles
    spare = list(range(leads + used, people))
    (root / "rotations").mkdir(parents=True)
    shutil.copytree(REPO / "policies", root / "policies")
    shutil.copy2(REPO / "CODEOWNERS", root / "CODEOWNERS")
    roster = ["teams:\n"] + [f"  - id: t{t}\n    name: Team {t}\n" for t in range(50)]
    roster += ["people:\n"] + [person(i, i < leads) for i in range(people)]
    (root / "rotations/roster.yaml").write_text("".join(roster))
    start = dt.date(2026, 11, 30)
    text = (REPO / "rotations/set.yaml").read_text().split("cycles:")[0] + "cycles:\n"
    parts = [text]
    for c in range(cycles):
        e = [leads + 4 * c + k for k in range(4)]
        parts.append(
            f"  - start: {start + dt.timedelta(weeks=2 * c)}\n    lead: p{c % leads}\n"
            f"    shifts:\n      emea: {{primary: p{e[0]}, backup: p{e[1]}}}\n"
            f"      amer: {{primary: p{e[2]}, backup: p{e[3]}}}\n"
        )
    (root / "rotations/set.yaml").write_text("".join(parts))
    per_cycle = -(-overrides // cycles)
    keys = [("primary", "emea"), ("backup", "emea"), ("primary", "amer"), ("backup", "amer")]
    out = ["overrides:\n"]
    for n in range(overrides):
        c, k = divmod(n, per_cycle)
        day = start + dt.timedelta(weeks=2 * c, days=k // 4)
        role, shift = keys[k % 4]
        begin = dt.datetime.combine(day, dt.time(9), dt.timezone(dt.timedelta(hours=1)))
        out.append(
            f"  - id: o{n}\n    role: {role}\n    shift: {shift}\n"
            f"    person: p{spare[(c * per_cycle + k) % len(spare)]}\n"
            f"    start: '{begin.isoformat()}'\n"
            f"    end: '{(begin + dt.timedelta(hours=12)).isoformat()}'\n"
        )
    (root / "rotations/overrides.yaml").write_text("".join(out))


def timed(root: Path, runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "setops", "validate", "--root", str(root)],
                              capture_output=True, text=True)  # fmt: skip
        samples.append(time.perf_counter() - began)
        if done.returncode != 0:
            raise SystemExit(f"validate failed on {root}:\n{done.stderr[-2000:]}")
    return statistics.median(samples), min(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    median, best = timed(REPO, runs)
    print(f"bundled config: median {median:.3f} s, best {best:.3f} s ({runs} runs)")
    with tempfile.TemporaryDirectory() as tmp:
        for people, cycles, overrides in SIZES:
            root = Path(tmp) / f"org{people}"
            generate(root, people, cycles, overrides)
            median, best = timed(root, runs)
            print(f"{people} people, {cycles} cycles, {overrides} overrides: "
                  f"median {median:.3f} s, best {best:.3f} s")  # fmt: skip


if __name__ == "__main__":
    main()
