"""The handover from start to end: which handovers are due, then each one in order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from setops.config.load import Config
from setops.handover.due import Handover, candidates, pending
from setops.handover.gather import Services, connect, gather, record
from setops.handover.report import people_lines, step_lines
from setops.handover.run import Echo, HandoverRun
from setops.render.people import when
from setops.schedule import Schedule


def due_handovers(
    config: Config, schedule: Schedule, services: Services, now: dt.datetime
) -> list[Handover]:
    """The handovers still to do at `now`, oldest first (the pull requests tell which were
    done; without GitHub, the latest one due)."""
    policy = config.handover
    look_ahead = dt.timedelta(hours=policy.look_ahead_hours if policy else 72)
    found = candidates(schedule, now, look_ahead, policy.catch_up_weeks if policy else 2)
    github = services.github
    if github is None:
        return list(found[-1:])

    def is_done(handover: Handover) -> bool:
        _, state = record(services, handover)
        return state.complete

    return pending(found, is_done)


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
    if not due:
        echo(f"No handover due at {when(now, schedule.tz)}: the last one is complete.")
        return 0
    if services.github is None:
        echo("(GitHub is not configured: whether this handover was already done is not known)")
    for item in due:
        pull, state = record(services, item)
        found = gather(config, schedule, services, item, now, pull, state)
        echo("\n".join(people_lines(config, item)))
        echo("\n".join(step_lines(config, schedule, services, found, now)))
        if dry_run:
            echo("\nDry run: nothing was sent.")
            continue
        echo("")
        HandoverRun(config, services, found, echo).run()
        echo(f"Handover {item.id} complete.")
    return 0
