"""The proposal pull request: the proposed cycles on a branch of their own, the load before
and after in the description, the engineering leads asked to review.

Built on the handover's GitHub machinery (`HandoverRepo`): every step looks before it
writes, so a re-run with nothing changed writes nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

from setops.config.load import Config
from setops.errors import SetopsError
from setops.planning.extend import SET_FILE, written
from setops.planning.propose import Proposal
from setops.targets.clients.github_pr import HandoverRepo, Pull, github_settings

MARKER = "<!-- setops:proposal -->"


def branch_name(proposal: Proposal) -> str:
    """One branch per schedule end: the same schedule always gives the same branch."""
    return f"setops/proposal-{proposal.cycles[0].start}"


def title(proposal: Proposal) -> str:
    first, last = proposal.cycles[0].start, proposal.cycles[-1].start
    return f"SET rotation: propose {len(proposal.cycles)} cycles ({first} to {last})"


def body(markdown: str) -> str:
    return (
        f"{MARKER}\n"
        "Proposed by `setops propose` (the weekly *propose* workflow): the cycles after the "
        "last scheduled one, every hard rule kept and the load as fair as the solver could "
        "prove. Change anything you like before merging; `setops validate` checks it.\n\n"
        f"{markdown}\n"
    )


def open_or_update(config: Config, root: Path, proposal: Proposal, markdown: str) -> list[str]:
    """Open (or bring up to date) the proposal's pull request; what was done, in words."""
    policy = config.integrations.github
    if policy is None or not policy.enabled:
        raise SetopsError(
            "--pull-request needs the github section of policies/integrations.yaml enabled"
        )
    # GitHub asks for a pause between writes; tests against a local fake turn it off.
    throttle = os.environ.get("SETOPS_GITHUB_THROTTLE", "1") != "0"
    repo = HandoverRepo(github_settings(os.environ, policy), policy, throttle=throttle)
    branch = branch_name(proposal)
    done: list[str] = []
    pull = repo.find_pull(branch)
    if pull is not None and not pull.open:
        state = "merged" if pull.merged else "closed without merging"
        return [f"#{pull.number} ({pull.url}) was {state}; nothing to do"]
    if pull is None:
        if repo.ensure_branch(branch):
            done.append(f"created branch {branch}")
        text = written((root / SET_FILE).read_text(encoding="utf-8"), proposal.cycles, 2)
        action = repo.ensure_file(branch, SET_FILE, text, title(proposal))
        if action != "unchanged":
            done.append(f"{action} {SET_FILE} on {branch}")
        pull = repo.open_pull(branch, title(proposal), body(markdown))
        done.append(f"opened pull request #{pull.number} ({pull.url})")
    done += _reviewers(repo, pull, config)
    if repo.update_body(pull, body(markdown)):
        done.append(f"updated the description of #{pull.number}")
    return done or [f"#{pull.number} ({pull.url}) is up to date; nothing changed"]


def _reviewers(repo: HandoverRepo, pull: Pull, config: Config) -> list[str]:
    leads = [p.github for p in config.people if p.can_lead]
    asked, refused = repo.ensure_reviewers(pull, leads)
    out = [f"requested review from {', '.join(asked)}"] if asked else []
    out += [f"warning: review could not be requested from {who}: {why}" for who, why in refused]
    return out
