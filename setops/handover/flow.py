"""The handover from start to end: which handovers are due, then each one in order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from setops.config.load import Config
from setops.handover.due import Handover, candidates, pending
from setops.handover.gather import Services, connect, gather, record
from setops.handover.report import people_lines, step_lines
from setops.handover.run import Echo, HandoverRun
from setops.render.people import when
from setops.schedule import Schedule
from setops.targets.github_pr import Pull


@dataclass
class Due:
    """The handovers to do, oldest first, and the one a person called off, if any."""

    handovers: list[Handover]
    window: tuple[Handover, ...]  # every candidate, oldest first
    declined: list[tuple[Handover, Pull]] = field(default_factory=list)


def due_handovers(config: Config, schedule: Schedule, services: Services, now: dt.datetime) -> Due:
    """The handovers still to do at `now`, oldest first (the pull requests tell which were
    done; without GitHub, the latest one due).

    A handover whose pull request a person closed without merging it was called off:
    setops neither reopens that pull request nor opens a second one, and the handovers
    before it are not caught up either; reopening it lets setops finish it.
    """
    policy = config.handover
    look_ahead = dt.timedelta(hours=policy.look_ahead_hours if policy else 72)
    found = candidates(schedule, now, look_ahead, policy.catch_up_weeks if policy else 2)
    if services.github is None:
        return Due(list(found[-1:]), found)
    due = Due([], found)

    def is_done(handover: Handover) -> bool:
        pull, state = record(services, handover)
        if pull is not None and pull.declined and not state.complete:
            due.declined.append((handover, pull))
            return True
        return state.complete

    due.handovers = pending(found, is_done)
    return due


def handover(
    config: Config,
    schedule: Schedule,
    env: Mapping[str, str],
    now: dt.datetime,
    *,
    dry_run: bool,
    echo: Echo,
    throttle: bool = True,
) -> int:
    """Run (or, with `dry_run`, describe) every handover due at `now`. Returns the exit code."""
    services = connect(config, env, dry_run=dry_run, throttle=throttle)
    due = due_handovers(config, schedule, services, now)
    for item, closed in due.declined:
        echo(
            f"Handover {item.id}: its pull request #{closed.number} was closed without being "
            "merged before the handover was complete, so it was called off: setops changes "
            f"nothing more for it. To finish it, reopen it ({closed.url}) and run "
            "`setops handover` again."
        )
    if not due.handovers:
        if not due.declined:
            echo(f"No handover due at {when(now, schedule.tz)}: the last one is complete.")
        return 0
    if services.github is None:
        echo("(GitHub is not configured: whether this handover was already done is not known)")
    for item in due.handovers:
        pull, state = record(services, item)
        found = gather(config, schedule, services, item, now, pull, state)
        echo("\n".join(people_lines(config, item)))
        echo("\n".join(step_lines(config, schedule, services, found, now)))
        if dry_run:
            echo("\nDry run: nothing was sent.")
            continue
        echo("")
        run = HandoverRun(config, services, found, echo)
        run.run()
        warned = f", with {len(run.warnings)} warning(s) (above)" if run.warnings else ""
        echo(f"Handover {item.id} complete{warned}.")
    return 0
