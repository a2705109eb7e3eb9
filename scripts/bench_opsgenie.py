#!/usr/bin/env python3
"""Count the HTTP requests `setops plan` and `setops apply --only opsgenie` send for the
bundled config, on a fresh and on an unchanged OpsGenie (the fake, on 127.0.0.1), and print
them beside the fewest the OpsGenie API allows. Prints figures; asserts nothing.

    python scripts/bench_opsgenie.py [--layout per-role|per-role-and-shift] [--latency 0.05]

The minimum, from the API's shape (../shared/api-specs, section A):
* reading: one `GET /v2/schedules?expand=rotation` returns every schedule with its rotations;
  overrides can only be listed per schedule (one GET each); one `GET /v2/escalations`;
* the pre-flight: a user can only be looked up one at a time (`GET /v2/users/{id}`), and only
  people OpsGenie has not already shown as participants need it;
* writing: a schedule is created with all its rotations in one POST; each override and the
  escalation take one POST each; nothing to change takes no write at all.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.fakes.opsgenie import FakeOpsGenie  # noqa: E402

NOW = "2026-12-01T12:00:00+01:00"


def setops(fake: FakeOpsGenie, root: Path, *args: str) -> tuple[int, float]:
    """Run setops as a process; return (requests the fake received, seconds)."""
    env = {
        **os.environ,
        "OPSGENIE_API_KEY": fake.api_key,
        "OPSGENIE_API_URL": fake.base_url,
        "SETOPS_NOW": NOW,
    }
    fake.clear_log()
    started = time.perf_counter()
    command = [sys.executable, "-m", "setops", *args, "--only", "opsgenie", "--root", str(root)]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode not in (0, 2):
        raise SystemExit(f"setops {' '.join(args)} failed:\n{result.stderr}")
    return len(fake.log), elapsed


def minimums(root: Path) -> dict[str, int]:
    """The fewest requests the API allows, from the desired state itself."""
    os.environ["SETOPS_NOW"] = NOW
    from setops.config.load import load_config
    from setops.schedule import compute_schedule
    from setops.targets.base import Context
    from setops.targets.paging.opsgenie.backend import OpsGenieTarget
    from setops.timeparse import now

    config = load_config(root)
    target = OpsGenieTarget(Context(config, compute_schedule(config), {}, now()))
    desired = target.desired()
    schedules, users = len(desired.schedules), len(desired.users)
    return {
        "plan, fresh": 2 + users,
        "apply, fresh": 2 + users + schedules + len(desired.overrides) + 1,
        "plan, unchanged": 2 + schedules,
        "apply, unchanged": 2 + schedules,
        "apply, one swap": 2 + schedules + 4,  # four PATCHes: two weeks, primary and backup
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layout", default="per-role", choices=["per-role", "per-role-and-shift"])
    parser.add_argument("--latency", type=float, default=0.0, help="seconds the fake waits")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, FakeOpsGenie(latency=options.latency) as fake:
        root = Path(tmp) / "repo"
        for part in ("rotations", "policies"):
            shutil.copytree(REPO / part, root / part)
        shutil.copy2(REPO / "CODEOWNERS", root / "CODEOWNERS")
        integrations = root / "policies" / "integrations.yaml"
        text = integrations.read_text(encoding="utf-8")
        integrations.write_text(text.replace("schedules: per-role", f"schedules: {options.layout}"))
        import yaml

        roster = yaml.safe_load((root / "rotations" / "roster.yaml").read_text(encoding="utf-8"))
        for person in roster["people"]:
            fake.seed_user(person["opsgenie"], person["name"])
        fake.seed_team("SET")
        figures = {
            "plan, fresh": setops(fake, root, "plan"),
            "apply, fresh": setops(fake, root, "apply"),
        }
        writes_fresh = len(fake.mutating_requests())
        figures["plan, unchanged"] = setops(fake, root, "plan")
        figures["apply, unchanged"] = setops(fake, root, "apply")
        writes_unchanged = len(fake.mutating_requests())
        set_yaml = root / "rotations" / "set.yaml"
        text = set_yaml.read_text(encoding="utf-8")
        head = text.index("- start: 2027-01-11")  # swap one pair: four rotations change
        swapped = text[head:].replace(
            "{primary: elif, backup: femi}", "{primary: femi, backup: elif}", 1
        )
        set_yaml.write_text(text[:head] + swapped, encoding="utf-8")
        figures["apply, one swap"] = setops(fake, root, "apply")
        writes_swap = len(fake.mutating_requests())
        lowest = minimums(root)
        state = fake.snapshot()["schedules"]
        rotations = sum(len(s["rotations"]) for s in state.values())
    print(f"bundled config, {options.layout}: {len(state)} schedules, {rotations} rotations")
    print(f"{'run':<18} {'requests':>8} {'API minimum':>12} {'seconds':>8}")
    for name, (count, seconds) in figures.items():
        print(f"{name:<18} {count:>8} {lowest[name]:>12} {seconds:>8.2f}")
    print(
        f"writes: fresh apply {writes_fresh}, unchanged apply {writes_unchanged}, "
        f"one swap {writes_swap}"
    )


if __name__ == "__main__":
    main()
