"""Issue 12 §1: `setops diff` shows every change in behaviour, not only slot moves.

Each test edits the bundled configuration in a real git repository the way a lead would and
reads what the preview (text and the Markdown of the PR comment) says.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from setops.render.moves import NOTHING
from tests.conftest import Result
from tests.core.test_diff import edit, repo

__all__ = ["repo"]


def diff(cli: Callable[..., Result], repo: Path, *args: str) -> Result:
    result = cli("diff", "--root", str(repo), "--base", "HEAD", *args)
    assert result.code == 0, result.err
    return result


def both(cli: Callable[..., Result], repo: Path) -> tuple[str, str]:
    return diff(cli, repo).out, diff(cli, repo, "--format", "markdown").out


def test_changed_shift_hours_are_shown_not_no_changes(
    repo: Path, cli: Callable[..., Result]
) -> None:
    edit(
        repo / "rotations/set.yaml",
        "timezone: America/New_York\n      start: '08:00'\n      end: '20:00'",
        "timezone: America/New_York\n      start: '08:00'\n      end: '18:00'",
    )
    text, markdown = both(cli, repo)
    assert NOTHING not in text and "No changes" not in markdown
    assert "Shift hours, days and time zones (rotations/set.yaml):" in text
    assert "  shift amer: end 20:00 → 18:00" in text
    assert "| shift amer: end | `20:00` | `18:00` |" in markdown


def test_changed_shift_days_and_zone_are_shown(repo: Path, cli: Callable[..., Result]) -> None:
    edit(
        repo / "rotations/set.yaml",
        "    - name: emea\n      timezone: Europe/Berlin",
        "    - name: emea\n      timezone: Europe/London\n      days: [monday, tuesday]",
    )
    text = diff(cli, repo).out
    assert "  shift emea: timezone Europe/Berlin → Europe/London" in text
    assert "  shift emea: days not set → [monday, tuesday]" in text


def test_changed_shift_change_and_handover_run_are_shown(
    repo: Path, cli: Callable[..., Result]
) -> None:
    edit(
        repo / "rotations/set.yaml",
        "weekday: friday\n    time: '15:00'",
        "weekday: friday\n    time: '13:00'",
    )
    text, markdown = both(cli, repo)
    assert "Shift change and handover run (rotations/set.yaml):" in text
    assert "  rotation.handover_run.time: 15:00 → 13:00" in text
    assert "#### Shift change and handover run (`rotations/set.yaml`)" in markdown


def test_changed_escalation_delay_and_repeat_are_shown(
    repo: Path, cli: Callable[..., Result]
) -> None:
    edit(repo / "policies/escalation.yaml", "after_minutes: 10", "after_minutes: 15")
    edit(repo / "policies/escalation.yaml", "times: 2", "times: 3")
    text, markdown = both(cli, repo)
    assert NOTHING not in text
    assert "  escalation step 2: after_minutes 10 → 15" in text
    assert "  escalation_policy.repeat.times: 2 → 3" in text
    assert "| escalation step 2: after\\_minutes | `10` | `15` |" in markdown


def test_added_escalation_step_is_one_step_added(repo: Path, cli: Callable[..., Result]) -> None:
    edit(
        repo / "policies/escalation.yaml",
        "    - notify: lead\n      after_minutes: 20",
        "    - notify: lead\n      after_minutes: 20\n    - notify: lead\n      after_minutes: 40",
    )
    text = diff(cli, repo).out
    assert "  escalation step 4 added: {notify: lead, after_minutes: 40}" in text
    assert text.count("escalation step") == 1


def test_changed_priority_rules_and_levels_are_shown(
    repo: Path, cli: Callable[..., Result]
) -> None:
    edit(repo / "policies/priorities.yaml", "jql: labels = hotfix", "jql: labels = hot-fix")
    edit(repo / "policies/priorities.yaml", "update_every_hours: 24", "update_every_hours: 12")
    text = diff(cli, repo).out
    assert "Priority rules and levels (policies/priorities.yaml):" in text
    assert '  priority rule Hotfix: jql "labels = hotfix" → "labels = hot-fix"' in text
    assert "  level L1: update_every_hours 24 → 12" in text


def test_changed_target_settings_names_and_header_template_are_shown(
    repo: Path, cli: Callable[..., Result]
) -> None:
    edit(repo / "policies/integrations.yaml", "lead: SET Lead", "lead: SET Lead On Call")
    edit(
        repo / "policies/integrations.yaml",
        'header_template: "**On SET** {cycle_start}',
        'header_template: "**SET** {cycle_start}',
    )
    edit(repo / "policies/integrations.yaml", "    - incidents\n", "")
    text, markdown = both(cli, repo)
    assert "What the paging service is told (policies/integrations.yaml):" in text
    assert '  paging.schedule_names.lead: "SET Lead" → "SET Lead On Call"' in text
    assert "What Mattermost is told (policies/integrations.yaml):" in text
    assert '  mattermost.header_template: "**On SET** {cycle_start} to' in text
    assert "  mattermost.incident_channels removed (was incidents)" in text
    assert '| mattermost.header\\_template | `"**On SET** {cycle_start} to' in markdown


def test_moving_opsgenie_to_paging_spelling_is_no_change(
    repo: Path, cli: Callable[..., Result]
) -> None:
    edit(repo / "policies/integrations.yaml", "paging:\n  target: opsgenie  #", "opsgenie:\n  #")
    from tests.core.test_diff import git

    git(repo, "commit", "-qam", "older spelling")
    edit(repo / "policies/integrations.yaml", "opsgenie:\n  #", "paging:\n  target: opsgenie  #")
    text = diff(cli, repo).out
    assert text.startswith(NOTHING)
    assert "policies/integrations.yaml: comments or layout only" in text


def test_changed_handover_checklist_is_shown(repo: Path, cli: Callable[..., Result]) -> None:
    edit(
        repo / "policies/handover.yaml",
        "text: The incoming team is in the right incident channels.",
        "text: The incoming team is in every incident channel.",
    )
    text = diff(cli, repo).out
    assert "Handover checklist and timing (policies/handover.yaml):" in text
    assert "  checklist item incident-channels: text " in text


def test_people_added_removed_and_changed_are_shown(repo: Path, cli: Callable[..., Result]) -> None:
    roster = repo / "rotations/roster.yaml"
    edit(roster, "opsgenie: hana.lindqvist@example.com", "opsgenie: hana.l@example.com")
    edit(
        roster,
        "    team: payments\n    timezone: Europe/Prague",
        "    team: data\n    timezone: Europe/Prague",
    )
    with roster.open("a") as f:
        f.write(
            "  - id: zoe\n    name: Zoë Quinn\n    team: data\n    timezone: Europe/Berlin\n"
            "    mattermost: zoe.quinn\n    opsgenie: zoe.quinn@example.com\n"
            "    jira: '712020:zoe'\n    github: zoe-quinn\n"
        )
    text, markdown = both(cli, repo)
    assert "People (rotations/roster.yaml):" in text
    assert "  person hana: team payments → data" in text
    assert "  person hana: opsgenie hana.lindqvist@example.com → hana.l@example.com" in text
    assert '  person zoe added: {id: zoe, name: "Zoë Quinn", team: data,' in text
    assert '| person zoe | — | `{id: zoe, name: "Zoë Quinn"' in markdown


def test_time_off_added_and_removed_is_shown(repo: Path, cli: Callable[..., Result]) -> None:
    time_off = repo / "rotations/time-off.yaml"
    edit(
        time_off,
        "first_day: 2027-01-05\n    last_day: 2027-01-08",
        "first_day: 2027-01-05\n    last_day: 2027-01-07",
    )
    text = diff(cli, repo).out
    assert "Time off (rotations/time-off.yaml):" in text
    assert "  time off 2: last_day 2027-01-08 → 2027-01-07" in text


def test_reason_and_comment_are_not_behaviour_and_preview_says_so(
    repo: Path, cli: Callable[..., Result]
) -> None:
    edit(repo / "rotations/overrides.yaml", "reason: covers ana's time off", "reason: ana is away")
    edit(repo / "rotations/set.yaml", "# The SET rotation.", "# Our SET rotation.")
    text, markdown = both(cli, repo)
    assert text.startswith(NOTHING)
    assert "Changed, but not behaviour (comments, layout, reason texts):" in text
    assert (
        "  rotations/overrides.yaml: override cover-ana-new-year: "
        'reason "covers ana\'s time off" → "ana is away"'
    ) in text
    assert "  rotations/set.yaml: comments or layout only" in text
    assert "#### Changed, but not behaviour (comments, layout, reason texts)" in markdown


def test_channel_header_the_target_is_told_is_shown_before_and_after(
    repo: Path, cli: Callable[..., Result]
) -> None:
    # Ivo leads the cycle of "now" (2026-12-01): his new username changes the header.
    edit(repo / "rotations/roster.yaml", "mattermost: ivo.markovic", "mattermost: ivo.m")
    text, markdown = both(cli, repo)
    (line,) = [x for x in text.splitlines() if x.startswith("  channel header at ")]
    assert line.startswith("  channel header at Tue 2026-12-01 12:00 CET: **On SET** 2026-11-30")
    before, after = line.split(" → ")
    assert "lead @ivo.markovic ·" in before and "lead @ivo.m ·" in after
    assert "  person ivo: mattermost ivo.markovic → ivo.m" in text
    assert "| channel header at Tue 2026-12-01 12:00 CET | `**On SET** 2026-11-30" in markdown
