#!/usr/bin/env python3
"""Benchmark: a handover of 500 open SET tickets against local fakes adding 50 ms a request.

Not a timed test: it prints the requests each service received and the wall time, to
show what bounds a real handover. Run from the repository root:

    PYTHONPATH=. /tmp/venv/bin/python scripts/bench_handover.py [--tickets 500] [--latency 0.05]

Measured against the shared fakes (500 tickets, all held by people leaving SET, half in TO
DO; 50 ms a request; Jira Cloud with its search lagging), on a 2-core machine at load
average about 1.5: 588 requests in 6.8 s with the Playbooks steps, 572 requests in
5.9-6.1 s with --no-playbooks; at most 8 in flight to Jira; a re-run: 1 request (the PR
lookup). (At load average 11-14 the same run took 9.1-9.6 s.) Jira is 535 of them: 500
edits (assignee and comment in one write), 15 searches (1 id-only, 10 of 50 ids with
reconcileIssues, 4 id-only level searches), 5 assignable-user look-ups, 11 board pages
(TO DO by 50 + 6 rule searches), 4 rank calls. Mattermost is 24 (10 one-by-one member
adds), plus 16 for the Playbooks steps. The writes bound it: 500 at 8 at a time is 63
rounds of 50 ms (3.1 s); about 50 more sequential rounds (GitHub 13, Mattermost's reads
and member adds, Jira's reads and rank calls) make a floor of about 5.6 s.
--no-assignee-on-edit-screen: the fallback, 1,036 Jira requests (one refused edit, then
500 comments + 500 assignments), 12.7 s.
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
from tests.fakes.base import FakeServer  # noqa: E402
from tests.fakes.github import FakeGitHub  # noqa: E402
from tests.fakes.jira import FakeJira  # noqa: E402
from tests.fakes.mattermost import FakeMattermost  # noqa: E402
from tests.fakes.playbooks import FakePlaybooks  # noqa: E402

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


def mount_playbooks(mattermost: FakeMattermost) -> None:
    """The Playbooks plugin with the two playbooks of policies/integrations.yaml (the bot a
    member of both) and no runs yet, as a server set up per docs/playbooks.md has it."""
    plugin = FakePlaybooks(mattermost).mount()
    checklist = [
        ("Start", ["Review every ongoing issue and give it an owner"]),
        ("Monitor", ["Watch the escalation sources"]),
        (
            "Hand-over",
            [
                "Incoming team in the incident channels and runs",
                "SET tickets reassigned to the incoming team",
                "Knowledge transferred",
            ],
        ),
    ]
    plugin.seed_playbook(
        "SET cycle", team="engineering", members=["setops-bot"], checklists=checklist
    )
    plugin.seed_playbook("Support incident", team="engineering", members=["setops-bot"])


def disable_playbooks(work: Path) -> None:
    """--no-playbooks: the handover without its Playbooks steps (Jira, GitHub, Mattermost)."""
    path = work / "policies" / "integrations.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("playbooks:")
    marker = "  enabled: true"
    at = text.index(marker, start)
    path.write_text(text[:at] + "  enabled: false" + text[at + len(marker) :], encoding="utf-8")


def print_phases(started: float, fakes: tuple[FakeServer, ...]) -> None:
    """When each kind of request ran, from the fakes' logs: what bounds the wall time."""
    offset = time.time() - time.perf_counter()  # received_at is wall-clock time
    spans: dict[str, list[float]] = collections.defaultdict(list)
    for fake in fakes:
        for r in fake.log:
            spans[f"{type(fake).__name__[4:].lower()} {r.method} {r.route or r.path}"].append(
                r.received_at - offset - started
            )
    print("  phases (s from start: first .. last request):")
    for kind, times in sorted(spans.items(), key=lambda item: min(item[1])):
        print(f"    {min(times):5.2f} .. {max(times):5.2f}  {len(times):4d}  {kind}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=500)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument(
        "--no-assignee-on-edit-screen",
        action="store_true",
        help="the project's edit screen lacks the Assignee field (the two-write fallback)",
    )
    parser.add_argument(
        "--no-playbooks",
        action="store_true",
        help="turn the Playbooks steps off (policies: playbooks.enabled false)",
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="setops-bench-"))
    for part in ("rotations", "policies"):
        shutil.copytree(REPO / part, work / part)
    shutil.copy2(REPO / "CODEOWNERS", work / "CODEOWNERS")
    clock = lambda: RUN_AT.astimezone(dt.UTC)  # noqa: E731
    jira = FakeJira(
        "cloud", clock=clock, latency=args.latency, spec_checker=None, search_lag=3600.0
    )
    seed(jira, work, args.tickets)
    if args.no_assignee_on_edit_screen:
        jira.edit_screen = frozenset({"comment"})
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
    if args.no_playbooks:
        disable_playbooks(work)
    else:
        mount_playbooks(mattermost)
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
            print(f"  {name}: {count} requests, at most {fake.max_in_flight} in flight")
            if name == "mattermost":
                plugin = sum(n for kind, n in kinds.items() if "/plugins/playbooks/" in kind)
                print(f"    ({plugin} of them to the Playbooks plugin)")
            for kind, n in kinds.most_common():
                print(f"    {n:5d}  {kind}")
        print(f"  total: {total} requests, wall time {elapsed:.1f} s")
        print_phases(started, (jira, github, mattermost))
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
