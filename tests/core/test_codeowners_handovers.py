"""The handover pull request adds handovers/<date>.md: its code owners must be the leads
setops asks to review it, or nobody could approve it under code-owner review."""

from __future__ import annotations

from setops.config.codeowners import codeowners_problems

BASE = """\
*             @org/maintainers
/rotations/   @org/engineering-leads
/policies/    @org/engineering-leads
/.github/     @org/maintainers
/CODEOWNERS   @org/maintainers
"""
LEADS = ("ivo-markovic", "mira-okafor")


def messages(text: str, leads: tuple[str, ...] = LEADS) -> list[str]:
    return [str(p) for p in codeowners_problems(("CODEOWNERS", text), leads)]


def test_handovers_owned_by_the_leads_team_pass() -> None:
    assert messages(BASE + "/handovers/ @org/engineering-leads\n") == []
    assert messages(BASE + "/handovers/ @org/maintainers @org/engineering-leads\n") == []


def test_handovers_owned_by_every_lead_by_login_pass() -> None:
    assert messages(BASE + "/handovers/ @ivo-markovic @Mira-Okafor\n") == []


def test_handovers_left_to_the_maintainers_are_refused_at_their_line() -> None:
    (problem,) = messages(BASE)
    assert problem.startswith("CODEOWNERS:1:1: CODEOWNERS gives handovers/ to @org/maintainers")
    assert "add `/handovers/ @org/engineering-leads`" in problem


def test_handovers_owned_by_only_some_leads_are_refused() -> None:
    (problem,) = messages(BASE + "/handovers/   @ivo-markovic\n")
    assert problem.startswith("CODEOWNERS:6:1: CODEOWNERS gives handovers/ to @ivo-markovic,")


def test_handovers_without_any_owner_are_said_once() -> None:
    text = BASE.replace("*             @org/maintainers\n", "") + "/handovers/\n"
    (problem,) = messages(text)
    assert "gives no owner to handovers/" in problem
