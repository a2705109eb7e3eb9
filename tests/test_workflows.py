"""The GitHub Actions workflows keep the properties the SET relies on.

Each workflow file is loaded as YAML and checked: triggers, least privilege, secrets
kept out of pull-request code, pinned actions, timeouts, one writer at a time, and the
handover cron against the handover time in rotations/set.yaml in both DST regimes.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pathspec
import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
EXPECTED = {
    "validate.yml",
    "pr-comment.yml",
    "apply.yml",
    "handover.yml",
    "drift.yml",
    "propose.yml",
    "pages.yml",
}
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
PINNED = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<action>[\w.-]+/[\w./-]+)@(?P<ref>\S+)(?P<rest>.*)$")
EXPRESSION = re.compile(r"\$\{\{")


def load_yaml(path: Path) -> Any:
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


@cache
def workflow(name: str) -> dict[str, Any]:
    data: dict[str, Any] = load_yaml(WORKFLOWS / name)
    return data


def jobs(name: str) -> dict[str, dict[str, Any]]:
    result: dict[str, dict[str, Any]] = workflow(name)["jobs"]
    return result


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = job.get("steps", [])
    return result


def run_text(job: dict[str, Any]) -> str:
    return "\n".join(str(step.get("run", "")) for step in steps(job))


def uses(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [s for s in steps(job) if str(s.get("uses", "")).startswith(f"{action}@")]


def all_jobs() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for name in sorted(EXPECTED):
        for job_id, job in jobs(name).items():
            yield name, job_id, job


ALL_JOBS = [pytest.param(job, id=f"{name}:{job_id}") for name, job_id, job in all_jobs()]


def rotation() -> dict[str, Any]:
    data: dict[str, Any] = load_yaml(ROOT / "rotations" / "set.yaml")["rotation"]
    return data


# ---- cron ------------------------------------------------------------------------


def cron_field(text: str, low: int, high: int) -> set[int]:
    """The values one cron field allows: `*`, `*/n`, `a-b`, `a-b/n`, lists of these."""
    values: set[int] = set()
    for part in text.split(","):
        base, _, step = part.partition("/")
        if base == "*":
            start, end = low, high
        elif "-" in base:
            start, end = (int(v) for v in base.split("-"))
        else:
            start = end = int(base)
        values.update(range(start, end + 1, int(step) if step else 1))
    return values


def cron_matches(expression: str, moment: dt.datetime) -> bool:
    """Whether a five-field cron (GitHub's: evaluated in UTC) fires at `moment`."""
    minute, hour, dom, month, dow = expression.split()
    days = cron_field(dom, 1, 31)
    weekdays = {d % 7 for d in cron_field(dow, 0, 7)}  # cron: 0 and 7 are Sunday
    utc = moment.astimezone(dt.UTC)
    cron_weekday = (utc.weekday() + 1) % 7
    if dom != "*" and dow != "*":  # cron ORs the two day fields when both are given
        day_ok = utc.day in days or cron_weekday in weekdays
    else:
        day_ok = utc.day in days and cron_weekday in weekdays
    return (
        utc.minute in cron_field(minute, 0, 59)
        and utc.hour in cron_field(hour, 0, 23)
        and utc.month in cron_field(month, 1, 12)
        and day_ok
    )


def firings(crons: list[str], start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """Every minute in [start, end] at which one of `crons` fires."""
    moment = start.astimezone(dt.UTC).replace(second=0, microsecond=0)
    found = []
    while moment <= end:
        if any(cron_matches(c, moment) for c in crons):
            found.append(moment)
        moment += dt.timedelta(minutes=1)
    return found


def schedule_crons(name: str) -> list[str]:
    return [str(entry["cron"]) for entry in workflow(name)["on"]["schedule"]]


def local_moment(day: dt.date, setting: dict[str, Any], zone: ZoneInfo) -> dt.datetime:
    """The moment `setting` (weekday + 'HH:MM') falls in the week of `day`, in `zone`."""
    weekday = WEEKDAYS.index(str(setting["weekday"]).lower())
    day = day + dt.timedelta(days=(weekday - day.weekday()) % 7)
    hour, minute = (int(v) for v in str(setting["time"]).split(":"))
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone)


# ---- every workflow --------------------------------------------------------------


def test_the_expected_workflows_exist() -> None:
    assert {p.name for p in WORKFLOWS.glob("*.y*ml")} == EXPECTED


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_top_level_permissions_are_empty(name: str) -> None:
    assert workflow(name)["permissions"] == {}


@pytest.mark.parametrize("job", ALL_JOBS)
def test_every_job_has_a_timeout_and_its_own_permissions(job: dict[str, Any]) -> None:
    assert isinstance(job.get("timeout-minutes"), int)
    assert 0 < job["timeout-minutes"] <= 60
    assert isinstance(job.get("permissions"), dict)
    assert "write-all" not in str(job["permissions"])


@pytest.mark.parametrize("job", ALL_JOBS)
def test_every_checkout_leaves_no_credentials_behind(job: dict[str, Any]) -> None:
    for step in uses(job, "actions/checkout"):
        assert step.get("with", {}).get("persist-credentials") is False


@pytest.mark.parametrize("job", ALL_JOBS)
def test_no_expression_is_pasted_into_a_script(job: dict[str, Any]) -> None:
    """Event text (titles, branch names) must reach scripts through env only."""
    for step in steps(job):
        assert not EXPRESSION.search(str(step.get("run", ""))), step.get("name")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_action_is_pinned_to_a_commit_with_its_version(name: str) -> None:
    lines = (WORKFLOWS / name).read_text(encoding="utf-8").splitlines()
    pins = [m for m in map(PINNED.match, lines) if m]
    assert pins, "no action used?"
    for pin in pins:
        assert re.fullmatch(r"[0-9a-f]{40}", pin["ref"]), pin.group(0)
        assert re.fullmatch(r"\s*#\s*v\d+(\.\d+)*\s*", pin["rest"]), pin.group(0)


def test_each_action_is_pinned_to_the_same_commit_everywhere() -> None:
    refs: dict[str, set[str]] = {}
    for name in EXPECTED:
        for line in (WORKFLOWS / name).read_text(encoding="utf-8").splitlines():
            if pin := PINNED.match(line):
                refs.setdefault(pin["action"], set()).add(pin["ref"] + pin["rest"].strip())
    assert all(len(found) == 1 for found in refs.values()), refs


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_no_pull_request_target(name: str) -> None:
    assert "pull_request_target" not in workflow(name)["on"]


def secret_jobs() -> list[Any]:
    return [
        pytest.param(job, id=f"{name}:{job_id}")
        for name, job_id, job in all_jobs()
        if "secrets." in str(job) or job.get("environment") == "production"
    ]


@pytest.mark.parametrize("job", secret_jobs())
def test_jobs_holding_secrets_install_only_from_the_hash_pinned_lock(job: dict[str, Any]) -> None:
    script = run_text(job)
    assert "pip install --require-hashes -r requirements/lock.txt" in script
    for line in script.splitlines():
        if "pip install" in line and "--require-hashes" not in line:
            assert "--no-deps" in line, line
    for step in steps(job):
        if "pip install" in str(step.get("run", "")):
            assert "secrets." not in str(step.get("env", {})), "secrets in the install step"


@pytest.mark.parametrize("job", ALL_JOBS)
def test_secrets_only_reach_steps_through_env(job: dict[str, Any]) -> None:
    for key in ("env", "with"):
        assert "secrets." not in str(job.get(key, "")), f"job-level {key}"
    for step in steps(job):
        assert "secrets." not in str(step.get("run", ""))


# ---- validate.yml ----------------------------------------------------------------


def test_validate_runs_on_every_pull_request_without_filters() -> None:
    on = workflow("validate.yml")["on"]
    assert list(on) == ["pull_request"]
    assert not on["pull_request"], "a branch, path or type filter could leave a PR unchecked"


def test_validate_holds_no_secret_and_at_most_read_plus_pr_comments() -> None:
    text = (WORKFLOWS / "validate.yml").read_text(encoding="utf-8")
    assert "secrets." not in text
    assert "environment" not in str(workflow("validate.yml"))
    for job in jobs("validate.yml").values():
        assert set(job["permissions"].items()) <= {
            ("contents", "read"),
            ("pull-requests", "write"),
        }


def test_validate_is_the_required_check_and_runs_every_gate() -> None:
    job = jobs("validate.yml")["validate"]
    assert job["name"] == "validate"
    script = run_text(job)
    for command in ("setops validate", "pre-commit run --all-files", "pytest"):
        assert command in script
    assert "pip install -e '.[test]'" in script  # from pyproject.toml, not the lock


def test_the_tests_run_in_ci_as_they_do_anywhere() -> None:
    # The vendor API descriptions are in tests/specs, so a GitHub checkout has them and
    # the tests need no CI=false to keep their spec checks from failing for want of them.
    assert (ROOT / "tests" / "specs" / "opsgenie-v2.openapi3.json").is_file()
    (tests,) = [s for s in steps(jobs("validate.yml")["validate"]) if "pytest" in str(s)]
    assert "CI" not in tests.get("env", {})


def test_validate_posts_the_diff_as_summary_artifact_and_sticky_comment() -> None:
    job = jobs("validate.yml")["diff"]
    script = run_text(job)
    assert 'setops diff --base "$BASE_SHA" --format markdown' in script
    assert "$GITHUB_STEP_SUMMARY" in script
    assert "setops comment" in script and "--marker diff" in script
    (diff_step,) = [s for s in steps(job) if "setops diff" in str(s.get("run", ""))]
    assert diff_step["env"]["BASE_SHA"] == "${{ github.event.pull_request.base.sha }}"
    (upload,) = uses(job, "actions/upload-artifact")
    assert upload["with"]["name"] == "setops-diff"
    (comment,) = [s for s in steps(job) if "setops comment" in str(s.get("run", ""))]
    assert "head.repo.full_name == github.repository" in comment["if"]
    assert comment["env"]["GITHUB_TOKEN"] == "${{ github.token }}"
    (checkout,) = uses(job, "actions/checkout")
    assert checkout["with"]["fetch-depth"] == 0  # the base commit must be there


# ---- pr-comment.yml --------------------------------------------------------------


def test_pr_comment_is_the_workflow_run_stage_of_validate() -> None:
    on = workflow("pr-comment.yml")["on"]
    assert list(on) == ["workflow_run"]
    assert on["workflow_run"] == {
        "workflows": [workflow("validate.yml")["name"]],
        "types": ["completed"],
    }


def test_pr_comment_never_runs_pull_request_code() -> None:
    (job,) = jobs("pr-comment.yml").values()
    assert "head_repository.full_name != github.repository" in job["if"]
    (checkout,) = uses(job, "actions/checkout")
    assert set(checkout["with"]) == {"persist-credentials"}, "must check out the default branch"
    script = run_text(job)
    assert "pip install --require-hashes -r requirements/lock.txt" in script
    assert "pytest" not in script and "pre-commit" not in script and "-e ." not in script
    assert job["permissions"] == {"actions": "read", "contents": "read", "pull-requests": "write"}


def test_pr_comment_reads_the_artifact_and_trusts_only_githubs_head_sha() -> None:
    (job,) = jobs("pr-comment.yml").values()
    (download,) = uses(job, "actions/download-artifact")
    assert download["with"]["run-id"] == "${{ github.event.workflow_run.id }}"
    assert download["with"]["name"] == "setops-diff"
    (post,) = [s for s in steps(job) if "setops comment" in str(s.get("run", ""))]
    assert post["env"]["HEAD_SHA"] == "${{ github.event.workflow_run.head_sha }}"
    assert '--head-sha "$HEAD_SHA" --marker diff' in post["run"]


# ---- apply.yml and handover.yml: the writers ---------------------------------------


def writer_jobs() -> list[dict[str, Any]]:
    return [jobs("apply.yml")["apply"], jobs("handover.yml")["handover"]]


def test_apply_triggers() -> None:
    on = workflow("apply.yml")["on"]
    assert set(on) == {"push", "schedule", "workflow_dispatch"}
    assert on["push"]["branches"] == ["main"]
    assert set(on["push"]["paths"]) == {"rotations/**", "policies/**"}
    force = on["workflow_dispatch"]["inputs"]["force"]
    assert (force["type"], force["default"]) == ("boolean", False)


def test_apply_runs_hourly_but_not_at_the_top_of_the_hour() -> None:
    # GitHub delays, and may drop, scheduled runs most at the start of an hour.
    (cron,) = schedule_crons("apply.yml")
    minute, hour, *days = cron.split()
    assert (hour, days) == ("*", ["*", "*", "*"])  # every hour of every day
    assert len(cron_field(minute, 0, 59)) == 1 and 0 not in cron_field(minute, 0, 59)


def header_lag() -> dt.timedelta:
    """How long after each shift change of a year the first apply run starts (the same
    for every one, or the statement of the lag in the docs could not hold)."""
    (cron,) = schedule_crons("apply.yml")
    config = rotation()
    zone = ZoneInfo(config["timezone"])
    lags = set()
    for week in range(53):  # every shift change of a year, both DST regimes
        change = local_moment(
            dt.date(2027, 1, 4) + dt.timedelta(weeks=week), config["shift_change"], zone
        )
        (first,) = firings([cron], change, change + dt.timedelta(minutes=59))
        lags.add(first - change)
    (lag,) = lags
    return lag


def test_the_header_lag_after_a_shift_change_is_short_and_stated() -> None:
    lag = header_lag()
    assert dt.timedelta(minutes=1) <= lag <= dt.timedelta(minutes=15)
    minutes = lag.seconds // 60
    stated = [
        (".github/workflows/apply.yml", f"by at most {minutes} minutes plus"),
        (".github/workflows/apply.yml", f"1 hour {minutes} minutes plus"),
        ("docs/github-actions.md", f"lags a shift change by at most {minutes} minutes plus"),
        ("docs/github-actions.md", f"1 hour {minutes} minutes plus"),
        ("docs/mattermost.md", f"at most {minutes} minutes plus"),
    ]
    for path, words in stated:
        text = " ".join((ROOT / path).read_text().replace("#", " ").replace("*", "").split())
        assert words in text, f"{path} does not say {words!r}"


def test_writers_share_one_concurrency_group_and_are_never_cancelled() -> None:
    groups = [job["concurrency"] for job in writer_jobs()]
    assert groups[0] == groups[1] == {"group": "setops-writers", "cancel-in-progress": False}
    for name in EXPECTED:  # and no workflow-level group cancels them either
        assert "concurrency" not in workflow(name) or name == "validate.yml"


def test_writers_take_secrets_from_the_production_environment() -> None:
    for job in writer_jobs():
        assert job["environment"] == "production"
        assert job["if"].count("github.ref == 'refs/heads/main'") == 1


def test_apply_plans_into_the_summary_then_applies_every_target() -> None:
    job = jobs("apply.yml")["apply"]
    script = run_text(job)
    assert script.index("setops plan") < script.index("setops apply")
    assert '>> "$GITHUB_STEP_SUMMARY"' in script
    assert "--only" not in script  # every enabled target; a missing secret fails apply
    (apply_step,) = [s for s in steps(job) if "setops apply" in str(s.get("run", ""))]
    assert apply_step["env"]["FORCE"] == "${{ inputs.force }}"
    for name in ("OPSGENIE_API_KEY", "MATTERMOST_TOKEN", "JIRA_API_TOKEN", "JIRA_TOKEN"):
        assert apply_step["env"][name] == f"${{{{ secrets.{name} }}}}"


def test_a_forced_apply_waits_for_a_reviewer() -> None:
    gate = jobs("apply.yml")["force-approval"]
    assert gate["if"] == "${{ inputs.force }}"
    assert gate["environment"] == "production-force"
    assert gate["permissions"] == {} and "secrets." not in str(gate)
    apply = jobs("apply.yml")["apply"]
    assert apply["needs"] == "force-approval"
    assert "needs.force-approval.result == 'success'" in apply["if"]
    assert "needs.force-approval.result == 'skipped' && !inputs.force" in apply["if"]


def test_handover_triggers_and_inputs() -> None:
    on = workflow("handover.yml")["on"]
    assert set(on) == {"schedule", "workflow_dispatch"}
    at = on["workflow_dispatch"]["inputs"]["at"]
    assert (at["type"], at["required"]) == ("string", False)
    script = run_text(jobs("handover.yml")["handover"])
    assert 'set -- "$@" --at "$AT"' in script and 'setops handover "$@"' in script


@pytest.mark.parametrize(
    "day",
    [
        pytest.param(dt.date(2027, 1, 15), id="winter"),
        pytest.param(dt.date(2027, 7, 16), id="summer"),
    ],
)
def test_handover_cron_fires_before_the_handover_run(day: dt.date) -> None:
    config = rotation()
    zone = ZoneInfo(config["timezone"])
    handover = local_moment(day, config["handover_run"], zone)
    fired = firings(schedule_crons("handover.yml"), handover - dt.timedelta(hours=3), handover)
    ahead = [f for f in fired if dt.timedelta(minutes=5) <= handover - f]
    assert ahead, f"no handover run in the 3 hours before {handover.isoformat()}"
    for moment in ahead:  # on the configured weekday, in the rotation's zone
        assert moment.astimezone(zone).weekday() == handover.weekday()


def test_handover_cron_fires_before_the_handover_run_all_year() -> None:
    config = rotation()
    zone = ZoneInfo(config["timezone"])
    crons = schedule_crons("handover.yml")
    day = dt.date(2027, 1, 1)
    while day.year == 2027:
        handover = local_moment(day, config["handover_run"], zone)
        window = firings(crons, handover - dt.timedelta(hours=3), handover)
        assert any(handover - f >= dt.timedelta(minutes=5) for f in window), handover
        day += dt.timedelta(days=7)


def test_handover_opens_its_pr_with_the_app_token_or_warns() -> None:
    job = jobs("handover.yml")["handover"]
    (token,) = uses(job, "actions/create-github-app-token")
    assert token["id"] == "app-token"
    assert token["if"] == "${{ vars.SETOPS_APP_ID != '' }}"
    assert token["with"]["private-key"] == "${{ secrets.SETOPS_APP_PRIVATE_KEY }}"
    (warn,) = [s for s in steps(job) if "::warning" in str(s.get("run", ""))]
    assert warn["if"] == "${{ vars.SETOPS_APP_ID == '' }}"
    (run,) = [s for s in steps(job) if "setops handover" in str(s.get("run", ""))]
    assert run["env"]["GITHUB_TOKEN"] == "${{ steps.app-token.outputs.token || github.token }}"


def test_the_handover_step_gets_only_the_secrets_the_handover_uses() -> None:
    # `setops handover` talks to GitHub, Jira and Mattermost; the paging service's key
    # has no business in its environment.
    (run,) = [s for s in steps(jobs("handover.yml")["handover"]) if "setops handover" in str(s)]
    allowed = {"GITHUB_TOKEN", "AT", "DRY_RUN"}
    assert {k for k in run["env"] if not k.startswith(("JIRA_", "MATTERMOST_"))} <= allowed


# ---- drift.yml -------------------------------------------------------------------


def test_drift_runs_daily_and_keeps_one_issue() -> None:
    on = workflow("drift.yml")["on"]
    (cron,) = schedule_crons("drift.yml")
    minute, hour, *days = cron.split()
    assert minute.isdigit() and hour.isdigit() and days == ["*", "*", "*"]
    assert minute != "0", "keep clear of the hourly apply run"
    assert "workflow_dispatch" in on
    job = jobs("drift.yml")["drift"]
    script = run_text(job)
    assert "setops plan --detailed-exitcode" in script
    assert 'setops drift-issue --plan-file "$RUNNER_TEMP/plan.md"' in script
    assert job["permissions"]["issues"] == "write"
    assert job["permissions"]["contents"] == "read"


# ---- pages.yml -------------------------------------------------------------------


def test_pages_builds_on_every_push_to_main_and_daily() -> None:
    on = workflow("pages.yml")["on"]
    assert set(on) == {"push", "schedule", "workflow_dispatch"}
    assert on["push"] == {"branches": ["main"]}
    (cron,) = schedule_crons("pages.yml")
    minute, hour, *days = cron.split()
    assert minute.isdigit() and hour.isdigit() and days == ["*", "*", "*"]
    assert minute != "0", "keep clear of the hourly apply run"


def test_only_the_pages_deploy_job_may_write_pages_or_mint_an_id_token() -> None:
    assert "secrets." not in (WORKFLOWS / "pages.yml").read_text(encoding="utf-8")
    build, deploy = jobs("pages.yml")["build"], jobs("pages.yml")["deploy"]
    assert build["permissions"] == {"contents": "read"}
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    for name, job_id, job in all_jobs():
        if (name, job_id) != ("pages.yml", "deploy"):
            assert "pages" not in job["permissions"], f"{name}:{job_id}"
            assert "id-token" not in job["permissions"], f"{name}:{job_id}"


def test_pages_builds_the_site_from_the_lock_and_deploys_that_artifact() -> None:
    build, deploy = jobs("pages.yml")["build"], jobs("pages.yml")["deploy"]
    script = run_text(build)
    assert "pip install --require-hashes -r requirements/lock.txt" in script
    assert 'setops site --out "$RUNNER_TEMP/site"' in script
    (upload,) = uses(build, "actions/upload-pages-artifact")
    assert upload["with"] == {"path": "${{ runner.temp }}/site"}
    assert deploy["needs"] == "build"
    assert deploy["if"] == "${{ github.ref == 'refs/heads/main' }}"
    assert deploy["environment"] == {
        "name": "github-pages",
        "url": "${{ steps.deployment.outputs.page_url }}",
    }
    assert deploy["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    (deployment,) = uses(deploy, "actions/deploy-pages")
    assert deployment["id"] == "deployment"
    assert not [s for s in steps(deploy) if "run" in s], "the deploy job runs no code of ours"


# ---- the lock file ---------------------------------------------------------------


def lock_pins() -> dict[str, list[str]]:
    """name -> its hashes, from requirements/lock.txt."""
    pins: dict[str, list[str]] = {}
    current = None
    for line in (ROOT / "requirements" / "lock.txt").read_text(encoding="utf-8").splitlines():
        if match := re.match(r"^([A-Za-z0-9._-]+)==\S+", line):
            current = match.group(1).lower().replace("_", "-").replace(".", "-")
            pins[current] = []
        elif current and (found := re.search(r"--hash=sha256:([0-9a-f]{64})", line)):
            pins[current].append(found.group(1))
    return pins


def test_the_lock_pins_every_dependency_with_hashes() -> None:
    pins = lock_pins()
    assert pins and all(pins.values()), [name for name, hashes in pins.items() if not hashes]
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    wanted = [*pyproject["project"]["dependencies"], *pyproject["build-system"]["requires"]]
    for requirement in wanted:
        name = re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0]
        assert name.lower().replace("_", "-").replace(".", "-") in pins, name


# ---- CODEOWNERS ------------------------------------------------------------------


def owners_of(path: str) -> list[str]:
    owners: list[str] = []
    text = (ROOT / "CODEOWNERS").read_text(encoding="utf-8")
    for line in text.splitlines():
        pattern, *rest = line.split("#", 1)[0].split() or [""]
        if pattern and pathspec.PathSpec.from_lines("gitignore", [pattern]).match_file(path):
            owners = rest  # the last matching rule wins, as on GitHub
    return owners


@pytest.mark.parametrize(
    ("path", "team"),
    [
        ("rotations/set.yaml", "engineering-leads"),
        ("policies/escalation.yaml", "engineering-leads"),
        (".github/workflows/apply.yml", "setops-maintainers"),
        ("setops/cli.py", "setops-maintainers"),
        ("pyproject.toml", "setops-maintainers"),
        ("CODEOWNERS", "setops-maintainers"),
        ("requirements/lock.txt", "setops-maintainers"),
        ("scripts/lock", "setops-maintainers"),
    ],
)
def test_codeowners_gives_each_path_its_team(path: str, team: str) -> None:
    owners = owners_of(path)
    assert owners and all(re.fullmatch(r"@[\w.-]+/[\w.-]+", o) for o in owners), owners
    assert any(o.endswith(f"/{team}") for o in owners), owners


# ---- scripts/check-workflows gates -----------------------------------------------


def run_check_workflows(tree: Path) -> subprocess.CompletedProcess[str]:
    """scripts/check-workflows run on a copy of the workflows in `tree`, tools from this venv."""
    (tree / "scripts").mkdir()
    shutil.copy2(ROOT / "scripts" / "check-workflows", tree / "scripts" / "check-workflows")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    if shutil.which("zizmor", path=env["PATH"]) is None:
        pytest.skip("zizmor is not installed (pip install -e '.[test]')")
    return subprocess.run(
        ["bash", str(tree / "scripts" / "check-workflows")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("old", "new"),
    [
        pytest.param(
            "actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0",
            "actions/checkout@v5",
            id="unpinned-action",
        ),
        pytest.param("timeout-minutes: 20", "timeout-minutes: twenty", id="schema-violation"),
        pytest.param("runs-on: ubuntu-latest", "runs-on: [ubuntu-latest", id="unparseable"),
    ],
)
def test_check_workflows_fails_a_bad_workflow(tmp_path: Path, old: str, new: str) -> None:
    shutil.copytree(WORKFLOWS, tmp_path / ".github" / "workflows")
    target = tmp_path / ".github" / "workflows" / "validate.yml"
    text = target.read_text(encoding="utf-8")
    assert old in text
    target.write_text(text.replace(old, new, 1), encoding="utf-8")

    assert run_check_workflows(tmp_path).returncode != 0


def test_check_workflows_passes_the_real_workflows(tmp_path: Path) -> None:
    shutil.copytree(WORKFLOWS, tmp_path / ".github" / "workflows")

    result = run_check_workflows(tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr


# ---- propose.yml -----------------------------------------------------------------


def test_propose_runs_weekly_and_only_when_the_schedule_runs_out() -> None:
    on = workflow("propose.yml")["on"]
    assert set(on) == {"schedule", "workflow_dispatch"}
    (cron,) = [entry["cron"] for entry in on["schedule"]]
    minute, _hour, dom, month, dow = cron.split()
    assert (dom, month) == ("*", "*") and dow.isdigit(), "once a week"
    assert minute != "0", "off the top of the hour"
    job = jobs("propose.yml")["propose"]
    assert "setops propose --cycles 13 --if-runs-out-within 6 --pull-request" in run_text(job)


def test_propose_may_write_only_its_branch_and_pull_request() -> None:
    job = jobs("propose.yml")["propose"]
    assert job["permissions"] == {"contents": "write", "pull-requests": "write"}
    assert job["concurrency"] == {"group": "setops-writers", "cancel-in-progress": False}
    (token,) = uses(job, "actions/create-github-app-token")
    assert {k for k in token["with"] if k.startswith("permission-")} == {
        "permission-contents",
        "permission-pull-requests",
    }
