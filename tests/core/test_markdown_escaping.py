"""Issue 12 §4: every value written into Markdown is escaped, by one helper, everywhere —
`schedule`, `diff` (the PR comment), `plan` (the drift issue), the handover pull request and
the channel header."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

from setops import markdown as md
from setops.config.load import load_config
from setops.handover import document
from setops.handover.document import Facts, HandoverProgress
from setops.handover.due import handover_at
from setops.plan import Change, FieldChange, Notice, Plan, TargetPlan, render_markdown
from setops.schedule import compute_schedule
from tests.conftest import Result
from tests.core.test_diff import edit, git, repo

__all__ = ["repo"]

NASTY = "Ana | *Ops* _x_ <b> [l](u) @channel `t`"
# A cell border: a pipe after an even number of backslashes (none, or escaped backslashes).
BORDER = re.compile(r"(?<!\\)(?:\\\\)*\|")


def cells(row: str) -> list[str]:
    return BORDER.split(row.strip())[1:-1]


def rename_ana(repo: Path) -> None:
    edit(repo / "rotations/roster.yaml", "name: Ana Figueira", f"name: '{NASTY}'")


def assert_reads_as_written(cell: str) -> None:
    assert "@channel" not in cell and "<b>" not in cell
    for raw in ("*Ops*", "_x_", "[l]", "`t`"):
        assert raw not in cell, (raw, cell)
    assert "Ana \\| \\*Ops\\* \\_x\\_ &lt;b&gt; \\[l\\](u) @\u2060channel \\`t\\`" in cell


def test_text_escapes_what_markdown_would_act_on() -> None:
    assert md.text("a|b *c* _d_ <x> [e](f) ~g~ #h & \\ `i`") == (
        "a\\|b \\*c\\* \\_d\\_ &lt;x&gt; \\[e\\](f) ~g\\~ \\#h \\& \\\\ \\`i\\`"
    )
    assert md.text("line\nnext") == "line next"
    # Only a '~' that could close a strikethrough is escaped: `~channel` stays as written.
    assert md.text("~a~ join ~incidents, ~b~~") == "~a\\~ join ~incidents, ~b\\~\\~"
    assert (
        md.text("mail me@example.com, or @channel")
        == "mail me@\u2060example.com, or @\u2060channel"
    )


def test_code_span_holds_backticks_and_pipes_in_a_table() -> None:
    assert md.code("a`b") == "``a`b``"
    assert md.code("`x`") == "`` `x` ``"
    assert md.code("a|b", in_table=True) == "`a\\|b`" and md.code("a|b") == "`a|b`"


def test_pipe_in_a_persons_name_does_not_break_the_schedule_table(
    repo: Path, cli: Callable[..., Result]
) -> None:
    rename_ana(repo)
    out = cli(
        "schedule",
        "--root",
        str(repo),
        "--from",
        "2026-11-16",
        "--weeks",
        "1",
        "--format",
        "markdown",
    ).out
    rows = [line for line in out.splitlines() if line.startswith("|")]
    assert rows and all(len(cells(row)) == 5 for row in rows), rows
    (ana,) = [row for row in rows if "primary emea" in row and "ana" in row]
    assert_reads_as_written(cells(ana)[3])


def test_pipe_in_a_persons_name_does_not_break_the_diff_table(
    repo: Path, cli: Callable[..., Result]
) -> None:
    rename_ana(repo)
    git(repo, "commit", "-qam", "rename")
    edit(
        repo / "rotations/set.yaml",
        "emea: {primary: ana, backup: ben}",
        "emea: {primary: ben, backup: ana}",
    )
    out = cli("diff", "--root", str(repo), "--base", "HEAD", "--format", "markdown").out
    rows = [line for line in out.splitlines() if line.startswith("| primary emea")]
    assert rows and all(len(cells(row)) == 4 for row in rows), rows
    assert_reads_as_written(cells(rows[0])[2])


def test_plan_markdown_and_so_the_drift_issue_escape_values() -> None:
    change = Change(
        "mattermost",
        "update",
        "channel header",
        "sustained|engineering",
        (FieldChange("header", "**On SET** <b>", "@channel | `x`"),),
    )
    target = TargetPlan("mattermost", (change,), (Notice("warning", "user <@here> [x](y)"),))
    out = render_markdown(Plan((target,)))
    (row,) = [line for line in out.splitlines() if line.startswith("| ~ update")]
    assert len(cells(row)) == 4, row
    assert "`sustained\\|engineering`" in row
    assert '`"**On SET** <b>"` → ``"@channel \\| `x`"``' in row
    assert "> **warning**: user &lt;@\u2060here&gt; \\[x\\](y)" in out


def test_handover_pull_request_escapes_names_and_checklist(org_repo: Path) -> None:
    rename_ana(org_repo)
    edit(
        org_repo / "policies/handover.yaml",
        "text: The incoming team is in the right incident channels.",
        "text: 'The incoming team | is in *every* incident channel <!-- x -->'",
    )
    config = load_config(org_repo)
    when = dt.datetime(2026, 11, 30, 9, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    handover = handover_at(compute_schedule(config), when)
    body = document.body(Facts(config, handover, (), ("incidents",)), HandoverProgress())
    (ana,) = [line for line in body.splitlines() if line.startswith("| emea backup")]
    assert len(cells(ana)) == 3, ana
    assert_reads_as_written(cells(ana)[1])
    assert (
        "- [ ] The incoming team \\| is in \\*every\\* incident channel &lt;!-- x --&gt; "
        "<!-- item:incident-channels -->"
    ) in body
    assert document.ticks(body.replace("- [ ] The incoming", "- [x] The incoming")) == {
        "incident-channels"
    }


def test_channel_header_escapes_names_and_keeps_mentions(org_repo: Path) -> None:
    from setops.render.header import owned_text

    rename_ana(org_repo)
    config = load_config(org_repo)
    assert config.integrations.mattermost is not None
    settings = config.integrations.mattermost.model_copy(
        update={
            "header_template": "{shifts}",
            "header_shift_template": "{shift}: {primary_name} {primary}",
            "header_shift_separator": " / ",
        }
    )
    at = dt.datetime(2026, 11, 17, 10, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    text = owned_text(config, settings, compute_schedule(config).at(at))
    emea = text.split(" / ")[0].strip(settings.header_start_marker)
    assert_reads_as_written(emea)
    assert emea.endswith(" @ana.figueira")  # the mention setops means to make stays one
