"""`setops handover --dry-run` shows the pull request's description as it would be
written: the filled checklist, the people, the ticket table, cut as the real one is cut."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.handover.conftest import HANDOVER_RUN, World
from tests.handover.test_handover import handover

Cli = Callable[..., Any]
HEADING = "Description of the new pull request, as it would be written:"


def shown_body(out: str, heading: str = HEADING) -> str:
    """The description a dry run printed, without its indentation."""
    lines = out.split(heading + "\n", 1)[1].split("\n\nDry run: nothing was sent.", 1)[0]
    return "\n".join(line.removeprefix("     |").removeprefix(" ") for line in lines.splitlines())


def first_written_body(world: World) -> str:
    """The description the real run wrote once it had asked for the reviews."""
    (patch, *_) = [r for r in world.github.log if r.method == "PATCH" and "/pulls/" in r.path]
    return str(patch.json["body"])


def normalised(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.splitlines())


def test_a_dry_run_shows_the_description_the_real_run_writes(cli: Cli, world: World) -> None:
    dry = handover(cli, world, "--at", HANDOVER_RUN, "--dry-run")
    assert dry.code == 0, dry.err
    world.assert_no_writes()
    body = shown_body(dry.out)
    assert "- [ ] The incoming team is in the right incident channels." in body
    assert "| lead | Ivo Marković (`ivo-markovic`) | Mira Okafor (`mira-okafor`) |" in body
    assert "[SET-1]" in body and "**missing**" in body
    assert "## Knowledge that isn't in tickets" in body

    assert handover(cli, world, "--at", HANDOVER_RUN).code == 0
    assert normalised(body) == normalised(first_written_body(world))


@pytest.mark.parametrize("world", ["cloud"], indirect=True)
def test_a_long_ticket_table_is_cut_in_the_dry_run_as_in_the_real_run(
    cli: Cli, world: World
) -> None:
    for number in range(100, 460):  # nobody's: read and listed, not moved
        world.jira.seed_issue(f"SET-{number}", f"Ticket {number}: " + "long summary " * 15)
    dry = handover(cli, world, "--at", HANDOVER_RUN, "--dry-run")
    assert dry.code == 0, dry.err
    body = shown_body(dry.out)
    cut = next(line for line in body.splitlines() if line.startswith("_…and "))
    assert cut.endswith("too many to list here: all are in `handovers/2026-12-14.md`._")
    assert len(body) < 65_536  # what GitHub accepts

    assert handover(cli, world, "--at", HANDOVER_RUN).code == 0
    assert normalised(body) == normalised(first_written_body(world))
