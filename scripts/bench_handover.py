#!/usr/bin/env python3
"""Benchmark: a handover of 500 open SET tickets against local fakes adding 50 ms a request.

Not a timed test: it prints the requests each service received and the wall time, to
show what bounds a real handover. Run from the repository root:

    PYTHONPATH=. /tmp/venv/bin/python scripts/bench_handover.py [--tickets 500] [--latency 0.05]

Measured against the shared fakes (500 tickets, all held by people leaving SET, half in TO
DO; 50 ms a request): 1,059 requests in 16.5 s; a re-run: 1 request (the PR lookup), 0.1 s.
Jira is 1,029 of them: 2 writes per moved ticket (comment, then assign: 1,000), 5 search
pages of 100 + 4 id-only level searches, 5 assignable-user look-ups, 5 TO DO pages of 50
+ 6 rule searches, 4 rank calls of <= 50. The per-ticket writes bound it; they run 4 at a
time (1,000 x 50 ms / 4 = 12.5 s); the ~30 Jira reads, 13 GitHub and 17 Mattermost requests
are sequential (~2.7 s). GitHub and Mattermost cost the same whatever the number of tickets.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from setops.cli import run  # noqa: E402
from setops.config.load import load_config  # noqa: E402
from tests.fakes.github import FakeGitHub  # noqa: E402
from tests.fakes.jira import FakeJira  # noqa: E402
from tests.fakes.mattermost import FakeMattermost  # noqa: E402

RUN_AT = dt.datetime.fromisoformat("2026-12-11T15:00:00+01:00")
OUTGOING = ("ivo", "femi", "elif", "ines", "gus")
LABELS = ("community-server", "support-escalation", "hotfix", "release-blocker", "")


def seed(jira: FakeJira, config_root: Path, tickets: int) -> None:
    config = load_config(config_root)
    users = {p.id: jira.seed_user(p.name, account_id=p.jira, name=p.id) for p in config.people}
    jira.seed_project("SET")
    jira.seed_board(42, "project = 'SET' ORDER BY Rank ASC")
    priorities = ("Highest", "High", "Medium", "Low")
    for n in range(1, tickets + 1):
        label = LABELS[(n * 7) % len(LABELS)]
        jira.seed_issue(
            f"SET-{n}",
            f"ticket {n}",
            status="To Do" if n % 2 else "In Progress",
            priority=priorities[n % 4],
            labels=[label] if label else [],
            assignee=users[OUTGOING[n % len(OUTGOING)]],
            created=RUN_AT.astimezone(dt.UTC) - dt.timedelta(days=3),
        )
        if n % 10 == 0:
            jira.seed_comment(f"SET-{n}", "a human update", created=RUN_AT - dt.timedelta(hours=30))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=500)
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="setops-bench-"))
    for part in ("rotations", "policies"):
        shutil.copytree(REPO / part, work / part)
    shutil.copy2(REPO / "CODEOWNERS", work / "CODEOWNERS")
    clock = lambda: RUN_AT.astimezone(dt.UTC)  # noqa: E731
    jira = FakeJira("cloud", clock=clock, latency=args.latency, spec_checker=None)
    seed(jira, work, args.tickets)
    people = load_config(work).people
    github = FakeGitHub(
        tokens={"bench-token": {"login": "setops-bot", "id": 9, "type": "Bot"}},
        collaborators=[p.github for p in people],
    )
    mattermost = FakeMattermost("bench-mm-token", spec_checker=None, latency=args.latency)
    github.latency = args.latency
    mattermost.seed_team("engineering")
    for person in people:
        mattermost.seed_user(person.mattermost)
    mattermost.seed_channel("engineering", "sustained-engineering", header="Human text")
    for name in ("incidents", "community-server-alerts"):
        mattermost.seed_channel("engineering", name)
    with jira, github, mattermost:
        os.environ.update(
            JIRA_URL=jira.base_url,
            JIRA_EMAIL=jira.email,
            JIRA_API_TOKEN=jira.api_token,
            GITHUB_TOKEN="bench-token",
            GITHUB_API_URL=github.base_url,
            GITHUB_REPOSITORY="example-org/set-config",
            MATTERMOST_URL=mattermost.base_url,
            MATTERMOST_TOKEN="bench-mm-token",
            SETOPS_GITHUB_THROTTLE="0",
        )
        started = time.perf_counter()
        code = run(["handover", "--root", str(work), "--at", RUN_AT.isoformat()])
        elapsed = time.perf_counter() - started
        assert code == 0, f"handover failed with exit code {code}"
        print(f"\n{args.tickets} tickets, {args.latency * 1000:.0f} ms per request")
        total = 0
        for name, fake in (("jira", jira), ("github", github), ("mattermost", mattermost)):
            kinds = collections.Counter(f"{r.method} {r.route or r.path}" for r in fake.log)
            count = sum(kinds.values())
            total += count
            print(f"  {name}: {count} requests")
            for kind, n in kinds.most_common():
                print(f"    {n:5d}  {kind}")
        print(f"  total: {total} requests, wall time {elapsed:.1f} s")
        started = time.perf_counter()
        for fake in (jira, github, mattermost):
            fake.clear_log()
        assert run(["handover", "--root", str(work), "--at", RUN_AT.isoformat()]) == 0
        again = sum(len(f.log) for f in (jira, github, mattermost))
        print(f"  re-run: {again} requests, wall time {time.perf_counter() - started:.1f} s")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
