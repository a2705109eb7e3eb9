#!/usr/bin/env python3
"""Count the HTTP requests `setops plan` / `setops apply` send for the bundled config to JSM
Operations (`--only jsm-ops`) beside OpsGenie (`--only opsgenie`), each on its fake on
127.0.0.1: fresh, unchanged, and after one swap in a cycle. Prints figures; asserts nothing.

    python scripts/bench_jsm_ops.py [--layout per-role|per-role-and-shift] [--page-size 50]

The fewest JSM allows, from the API's shape (../shared/api-specs, section F):
* reading: the teams (`GET /v1/teams`: escalations are addressed by team id); every schedule
  with its rotations (`GET /v1/schedules?expand=rotation`, one page of up to 50); each
  schedule's overrides (one list each); the team's escalations (one list);
* no user look-up exists, so there is no pre-flight request (an unknown account id fails the
  write that names it);
* writing: a schedule with all its rotations (and setops' override mark) in one POST; each
  override and the escalation one POST; nothing to change, no write.
The fake returns at most `--page-size` items a page (the real API up to 50); the default
here is the API's, so the counts are the ones a real site of this size sees.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import yaml  # noqa: E402

from tests.fakes.base import FakeServer  # noqa: E402
from tests.fakes.jsm_ops import FakeJsmOps  # noqa: E402
from tests.fakes.opsgenie import FakeOpsGenie  # noqa: E402

NOW = "2026-12-01T12:00:00+01:00"
RUNS = ("plan, fresh", "apply, fresh", "plan, unchanged", "apply, unchanged", "apply, one swap")


def setops(fake: FakeServer, env: dict[str, str], root: Path, target: str, *args: str) -> int:
    """Run setops as a process; return how many requests the fake received."""
    fake.clear_log()
    command = [sys.executable, "-m", "setops", *args, "--only", target, "--root", str(root)]
    full = {**os.environ, **env, "SETOPS_NOW": NOW}
    result = subprocess.run(command, env=full, capture_output=True, text=True, check=False)
    if result.returncode not in (0, 2):
        raise SystemExit(f"setops {' '.join(args)} --only {target} failed:\n{result.stderr}")
    return len(fake.log)


def copy_config(tmp: Path, layout: str, target: str) -> Path:
    root = tmp / target
    for part in ("rotations", "policies"):
        shutil.copytree(REPO / part, root / part)
    shutil.copy2(REPO / "CODEOWNERS", root / "CODEOWNERS")
    path = root / "policies" / "integrations.yaml"
    text = path.read_text(encoding="utf-8").replace("target: opsgenie", f"target: {target}")
    path.write_text(text.replace("schedules: per-role", f"schedules: {layout}"), encoding="utf-8")
    return root


def swap(root: Path) -> None:
    path = root / "rotations" / "set.yaml"
    text = path.read_text(encoding="utf-8")
    head = text.index("- start: 2027-01-11")  # one pair: four rotations change
    swapped = text[head:].replace(
        "{primary: elif, backup: femi}", "{primary: femi, backup: elif}", 1
    )
    path.write_text(text[:head] + swapped, encoding="utf-8")


def series(fake: FakeServer, env: dict[str, str], root: Path, target: str) -> list[int]:
    counts = [
        setops(fake, env, root, target, "plan"),
        setops(fake, env, root, target, "apply"),
        setops(fake, env, root, target, "plan"),
        setops(fake, env, root, target, "apply"),
    ]
    swap(root)
    return [*counts, setops(fake, env, root, target, "apply")]


def jsm_minimum(schedules: int, overrides: int) -> list[int]:
    reads = 1 + 1 + schedules + 1  # teams, schedules, overrides per schedule, escalations
    return [3, 3 + schedules + overrides + 1, reads, reads, reads + 4]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layout", default="per-role", choices=["per-role", "per-role-and-shift"])
    parser.add_argument("--page-size", type=int, default=50, help="items per page in the fake")
    options = parser.parse_args()
    roster = yaml.safe_load((REPO / "rotations" / "roster.yaml").read_text(encoding="utf-8"))
    with (
        tempfile.TemporaryDirectory() as tmp,
        FakeOpsGenie(spec_checker=None) as og,
        FakeJsmOps(max_page_size=options.page_size, spec_checker=None) as jsm,
    ):
        jsm.now = lambda: dt.datetime.fromisoformat(NOW)
        for person in roster["people"]:
            og.seed_user(person["opsgenie"], person["name"])
            jsm.seed_user(person["jira"], person["name"])
        og.seed_team("SET")
        jsm.seed_team("SET")
        og_env = {"OPSGENIE_API_KEY": og.api_key, "OPSGENIE_API_URL": og.base_url}
        jsm_env = {
            "JSM_OPS_EMAIL": jsm.email,
            "JSM_OPS_API_TOKEN": jsm.api_token,
            "JSM_OPS_CLOUD_ID": jsm.cloud_id,
            "JSM_OPS_API_URL": jsm.base_url,
        }
        og_counts = series(
            og, og_env, copy_config(Path(tmp), options.layout, "opsgenie"), "opsgenie"
        )
        jsm_counts = series(
            jsm, jsm_env, copy_config(Path(tmp), options.layout, "jsm-ops"), "jsm-ops"
        )
        schedules = len(jsm.schedules_by_name())
        overrides = sum(len(jsm.overrides(s)) for s in jsm.schedules_by_name())
    lowest = jsm_minimum(schedules, overrides)
    print(f"bundled config, {options.layout}, JSM page size {options.page_size}")
    print(f"{'run':<18} {'opsgenie':>9} {'jsm-ops':>8} {'JSM minimum':>12}")
    for name, a, b, c in zip(RUNS, og_counts, jsm_counts, lowest, strict=True):
        print(f"{name:<18} {a:>9} {b:>8} {c:>12}")


if __name__ == "__main__":
    main()
