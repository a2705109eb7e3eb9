"""The handover from start to end: which handovers are due, then each one in order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from setops.config.load import Config
from setops.errors import SetopsError
from setops.handover.due import Handover, before_start, candidates, pending, schedule_end
from setops.handover.gather import Services, connect, gather, record
from setops.handover.report import body_lines, people_lines, step_lines
from setops.handover.run import Echo, HandoverRun
from setops.render.people import when
from setops.schedule import Schedule
from setops.targets.clients.github_pr import Pull


@dataclass
class Due:
    """The handovers to do, oldest first, and the one a person called off, if any."""

    handovers: list[Handover]
    declined: list[tuple[Handover, Pull]] = field(default_factory=list)


def due_handovers(config: Config, schedule: Schedule, services: Services, now: dt.datetime) -> Due:
    """The handovers still to do at `now`, oldest first (the pull requests tell which were
    done; without GitHub, the latest one due).

    A handover whose pull request a person closed without merging it was called off:
    setops neither reopens that pull request nor opens a second one, and the handovers
    before it are not caught up either; reopening it lets setops finish it.
    """
    policy = config.handover
    found = candidates(schedule, now, look_ahead(config), policy.catch_up_weeks if policy else 2)
    if services.github is None:
        return Due(list(found[-1:]))
    due = Due([])

    def is_done(handover: Handover) -> bool:
        pull, state = record(services, handover)
        if pull is not None and pull.declined and not state.complete:
            due.declined.append((handover, pull))
            return True
        return state.complete

    due.handovers = pending(found, is_done)
    return due


def look_ahead(config: Config) -> dt.timedelta:
    return dt.timedelta(hours=config.handover.look_ahead_hours if config.handover else 72)


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
    # At the end of the schedule the handovers before it are old news; without GitHub
    # (which would tell whether they were done) only the end is worth saying.
    ending = schedule_end(config, schedule, now, look_ahead(config))
    if ending and (services.github is None or schedule.end is None or schedule.end <= now):
        raise SetopsError(ending)
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
            why = before_start(schedule, now, look_ahead(config)) or "the last one is complete"
            echo(f"No handover due at {when(now, schedule.tz)}: {why}.")
        if ending:
            raise SetopsError(ending)
        return 0
    if services.github is None:
        echo("(GitHub is not configured: whether this handover was already done is not known)")
    for item in due.handovers:
        pull, state = record(services, item)
        found = gather(config, schedule, services, item, now, pull, state)
        echo("\n".join(people_lines(config, item)))
        echo("\n".join(step_lines(config, schedule, services, found, now)))
        if dry_run:
            echo("\n".join(body_lines(config, found)))
            echo("\nDry run: nothing was sent.")
            continue
        echo("")
        run = HandoverRun(config, services, found, echo)
        run.run()
        warned = f", with {len(run.warnings)} warning(s) (above)" if run.warnings else ""
        echo(f"Handover {item.id} complete{warned}.")
    if ending:
        raise SetopsError(ending)
    return 0
