"""Loading: the config files of a root (a directory, or a git revision) into one `Config`."""

from __future__ import annotations

import difflib
import subprocess
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from setops.config import formats
from setops.config.models import (
    FILE_MODELS,
    OPTIONAL_FILES,
    ChecklistItem,
    Cycle,
    EscalationFile,
    EscalationPolicy,
    HandoverFile,
    IntegrationsFile,
    Level,
    Node,
    Override,
    OverridesFile,
    Person,
    PlanningFile,
    PrioritiesFile,
    PriorityRule,
    Roster,
    Rotation,
    RotationFile,
    Team,
    TimeOff,
    TimeOffFile,
    attach_places,
)
from setops.config.yamlio import Document, parse_document
from setops.errors import ConfigError, Location, Problem, SetopsError

CONFIG_DIRS = ("rotations", "policies")
# Where GitHub looks for CODEOWNERS, in its order: the first found is the one it uses.
CODEOWNERS_PATHS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
M = TypeVar("M", bound=Node)
NOT_FOUND = "file not found; setops needs it"


@dataclass(frozen=True)
class Config:
    """The whole validated-by-schema configuration of one SET repository."""

    rotation: Rotation
    cycles: tuple[Cycle, ...]
    teams: tuple[Team, ...]
    people: tuple[Person, ...]
    overrides: tuple[Override, ...]
    time_off: tuple[TimeOff, ...]
    escalation: EscalationPolicy
    priority_rules: tuple[PriorityRule, ...]
    levels: tuple[Level, ...]
    checklist: tuple[ChecklistItem, ...]
    integrations: IntegrationsFile
    codeowners: tuple[str, str] | None = None  # (path, text)
    documents: Mapping[str, Document] = field(default_factory=dict, compare=False, repr=False)
    warnings: tuple[Problem, ...] = ()
    person_by_id: Mapping[str, Person] = field(default_factory=dict, compare=False, repr=False)
    handover: HandoverFile | None = None  # the handover policy (checklist, look-ahead)
    planning: PlanningFile = field(default_factory=PlanningFile)  # or its defaults
    # Each file's model as validated, by path: what `setops diff` compares field by field.
    models: Mapping[str, Node] = field(default_factory=dict, compare=False, repr=False)

    def person(self, person_id: str) -> Person:
        return self.person_by_id[person_id]


def load_config(root: Path) -> Config:
    """Read the configuration under directory `root`."""
    if not root.is_dir():
        raise SetopsError(f"{root}: not a directory (give the config repository with --root)")
    if not any((root / folder).is_dir() for folder in CONFIG_DIRS):
        raise SetopsError(
            f"{root} holds no rotations/ or policies/: it is not a SET configuration "
            "repository (give one with --root)"
        )
    files: dict[str, bytes] = {}
    problems: list[Problem] = []
    # Any case of .yaml/.yml, so that overrides.YAML is named (as unread) rather than unseen.
    names = [
        f"{folder}/{p.name}"
        for folder in CONFIG_DIRS
        for p in sorted((root / folder).glob("*"))
        if p.suffix.lower() in (".yaml", ".yml")
    ]
    codeowners = next((n for n in CODEOWNERS_PATHS if (root / n).is_file()), None)
    for name in [*names, *([codeowners] if codeowners else [])]:
        try:
            files[name] = (root / name).read_bytes()
        except OSError as exc:
            reason = (
                "it is a broken symbolic link"
                if (root / name).is_symlink() and not (root / name).exists()
                else exc.strerror
            )
            problems.append(Problem(Location(name), f"cannot read the file: {reason}"))
    if problems:
        raise ConfigError(problems)
    return load_config_files(files)


def read_files_at_revision(root: Path, revision: str) -> dict[str, bytes]:
    """The config files as they are at git `revision` of the repository at `root`.

    `root` may be a folder inside the repository: paths are taken relative to it.
    """
    if not root.is_dir():
        raise SetopsError(f"{root}: not a directory (give the config repository with --root)")
    commit = _commit(root, revision)
    names = (
        _git(root, "ls-tree", "-r", "--name-only", commit, "--", *CONFIG_DIRS, *CODEOWNERS_PATHS)
        .decode()
        .splitlines()
    )
    files: dict[str, bytes] = {}
    for name in names:
        top, _, rest = name.partition("/")
        if top in CONFIG_DIRS and "/" not in rest and name.lower().endswith((".yaml", ".yml")):
            files[name] = _git(root, "show", f"{commit}:./{name}")
    codeowners = next((n for n in CODEOWNERS_PATHS if n in names), None)
    if codeowners:
        files[codeowners] = _git(root, "show", f"{commit}:./{codeowners}")
    return files


def _commit(root: Path, revision: str) -> str:
    """The commit `revision` names, or a clean error (a revision is never read as an option)."""
    found = None
    if revision.strip() and not revision.startswith("-"):
        done = _run_git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
        if done.returncode == 0:
            found = done.stdout.decode().strip()
        elif b"not a git repository" in done.stderr:
            raise SetopsError(f"{root} is not in a git repository; --base needs one")
    if not found:
        raise SetopsError(
            f"--base: {revision!r} is not a revision of the repository at {root}; "
            "give a branch, tag or commit (e.g. main or HEAD~1)"
        )
    return found


def _run_git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, check=False)
    except FileNotFoundError:
        raise SetopsError("git is not installed; it is needed to read a base revision") from None


def _git(root: Path, *args: str) -> bytes:
    result = _run_git(root, *args)
    if result.returncode != 0:
        detail = result.stderr.decode(errors="replace").strip().splitlines()
        raise SetopsError(f"git {args[0]} failed: {detail[-1] if detail else 'no output'}")
    return result.stdout


def load_config_files(files: Mapping[str, bytes]) -> Config:
    """Build a Config from file contents keyed by path relative to the root."""
    problems: list[Problem] = []
    documents: dict[str, Document] = {}
    models: dict[str, Node] = {}
    for model in FILE_MODELS:
        name = str(model.FILE)
        raw = files.get(name)
        if raw is None:
            if name not in OPTIONAL_FILES:
                problems.append(Problem(Location(name), NOT_FOUND))
            continue
        try:
            documents[name] = parse_document(name, raw)
            models[name] = _validate(model, documents[name])
        except ConfigError as exc:
            problems.extend(exc.problems)
    problems.extend(_secret_problems(documents))
    unread, meant = _unknown_files(files)
    problems = [p for p in problems if not (p.where.path in meant and p.message == NOT_FOUND)]
    problems += [p for p in unread if p.severity == "error"]
    warnings = tuple(p for p in unread if p.severity == "warning")
    if problems:
        raise ConfigError([*problems, *warnings])
    return _assemble(models, documents, files, warnings)


def _assemble(
    models: dict[str, Node],
    documents: dict[str, Document],
    files: Mapping[str, bytes],
    warnings: tuple[Problem, ...],
) -> Config:
    roster = _get(models, Roster)
    rotation_file = _get(models, RotationFile)
    priorities = _get(models, PrioritiesFile)
    overrides = models.get(OverridesFile.FILE)
    time_off = models.get(TimeOffFile.FILE)
    codeowners = next(
        ((n, files[n].decode("utf-8", "replace")) for n in CODEOWNERS_PATHS if n in files), None
    )
    return Config(
        rotation=rotation_file.rotation,
        cycles=tuple(rotation_file.cycles),
        teams=tuple(roster.teams),
        people=tuple(roster.people),
        overrides=tuple(overrides.overrides) if isinstance(overrides, OverridesFile) else (),
        time_off=tuple(time_off.time_off) if isinstance(time_off, TimeOffFile) else (),
        escalation=_get(models, EscalationFile).escalation_policy,
        priority_rules=tuple(priorities.priority_rules),
        levels=tuple(priorities.levels),
        checklist=tuple(_get(models, HandoverFile).checklist),
        integrations=_get(models, IntegrationsFile),
        codeowners=codeowners,
        documents=documents,
        warnings=warnings,
        person_by_id={p.id: p for p in roster.people},
        handover=_get(models, HandoverFile),
        planning=_planning(models),
        models=dict(models),
    )


def _planning(models: dict[str, Node]) -> PlanningFile:
    found = models.get(PlanningFile.FILE)
    return found if isinstance(found, PlanningFile) else PlanningFile()


def _get(models: dict[str, Node], model: type[M]) -> M:
    value = models[str(model.FILE)]
    assert isinstance(value, model)
    return value


def _validate(model: type[M], doc: Document) -> M:
    try:
        value = model.model_validate(doc.data)
    except ValidationError as exc:
        raise ConfigError([_pydantic_problem(model, doc, e) for e in exc.errors()]) from None
    attach_places(value, doc, ())
    return value


# pydantic's wording for the shapes YAML can get wrong, said in YAML's terms.
_PLAIN_MESSAGES = {
    "model_type": "expected a mapping (key: value lines) here",
    "model_attributes_type": "expected a mapping (key: value lines) here",
    "dict_type": "expected a mapping (key: value lines) here",
    "list_type": "expected a list (lines starting with '- ') here",
    "string_type": "expected text here",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "date_type": "expected a date as YYYY-MM-DD",
    "date_from_datetime_parsing": "expected a date as YYYY-MM-DD",
    "date_from_datetime_inexact": "expected a date as YYYY-MM-DD",
    "date_parsing": "expected a date as YYYY-MM-DD",
    "datetime_type": "expected a time as YYYY-MM-DDTHH:MM:SS+HH:MM",
    "datetime_from_date_parsing": "expected a time as YYYY-MM-DDTHH:MM:SS+HH:MM",
    "datetime_parsing": "expected a time as YYYY-MM-DDTHH:MM:SS+HH:MM",
    "timezone_aware": "a time here needs its UTC offset, e.g. 2026-12-07T09:00:00+01:00",
}
# What each pattern in the models asks for, in words.
_PATTERN_MESSAGES = {
    formats.ID: (
        "expected an id: lower-case letters, digits, '.', '_' and '-', "
        "starting with a letter or digit"
    ),
    formats.REPOSITORY: "expected a GitHub repository as owner/name, e.g. example-org/set",
    formats.LEVEL_ID: "expected a level id L1 to L9",
}


def _pydantic_problem(model: type[Node], doc: Document, error: Any) -> Problem:
    loc: tuple[str | int, ...] = tuple(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        return Problem(doc.at(loc, key=True), _unknown_key(model, loc))
    if kind == "missing":
        return Problem(doc.at(loc[:-1]), f"missing key '{loc[-1]}'")
    value = error.get("input")
    message = _message(kind, error.get("ctx") or {}, value) or str(error["msg"]).removeprefix(
        "Value error, "
    )
    name = next((str(part) for part in reversed(loc) if isinstance(part, str)), "")
    if value is None and kind in _PLAIN_MESSAGES:
        message = f"no value; {message}" + (", or [] for none" if kind == "list_type" else "")
    shown = (
        f" (got {_yaml_repr(value)})"
        if isinstance(value, str | int | float) and kind != "value_error"
        else ""
    )
    return Problem(doc.at(loc), f"{name}: {message}{shown}" if name else message + shown)


def _message(kind: str, ctx: dict[str, Any], value: Any) -> str | None:
    """What pydantic's error `kind` means here, and what would be right."""
    if kind in _PLAIN_MESSAGES:
        return _PLAIN_MESSAGES[kind]
    if kind == "too_short":
        least = ctx.get("min_length", 1)
        found = "the list is empty" if not value else f"it has {len(value)}"
        return f"{found}; it needs at least {least} item{'s' if least != 1 else ''}"
    if kind == "literal_error":
        return f"expected {ctx.get('expected')}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = next(iter(ctx.values()), "?")
        words = {
            "greater_than_equal": f"{bound} or more",
            "greater_than": f"more than {bound}",
            "less_than_equal": f"{bound} or less",
            "less_than": f"less than {bound}",
        }
        return f"expected {words[kind]}"
    if kind == "string_pattern_mismatch":
        return _PATTERN_MESSAGES.get(str(ctx.get("pattern")))
    if kind == "string_too_short":
        return "must not be empty or only spaces"
    if kind == "string_too_long":
        return f"too long; at most {ctx.get('max_length')} characters"
    return None


def _yaml_repr(value: Any) -> str:
    """A value as YAML writes it: true, not Python's True."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def _unknown_key(model: type[Node], loc: tuple[str | int, ...]) -> str:
    key = str(loc[-1])
    shown = repr(key) if not key.isprintable() else f"'{key}'"  # one line, whatever the key
    allowed = _fields_at(model, loc[:-1])
    hint = difflib.get_close_matches(key, allowed, n=1)
    if hint:
        return f"unknown key {shown}; did you mean '{hint[0]}'?"
    if allowed:
        return f"unknown key {shown}; expected one of: {', '.join(allowed)}"
    return f"unknown key {shown}"


def _fields_at(model: type[Node], path: tuple[str | int, ...]) -> list[str]:
    """The field names allowed at `path` inside `model`, found by walking the annotations."""
    annotation: Any = model
    for part in path:
        annotation = _step(annotation, part)
        if annotation is None:
            return []
    found = _step(annotation, None)
    return list(found.model_fields) if found is not None else []


def _step(annotation: Any, part: str | int | None) -> Any:
    """One step down an annotation: into a model's field, a list's item or a dict's value."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        return next((s for a in args if (s := _step(a, part)) is not None), None)
    if origin is typing.Annotated:
        return _step(args[0], part)
    if part is None:
        return annotation if isinstance(annotation, type) and issubclass(annotation, Node) else None
    if origin in (list, tuple) and isinstance(part, int):
        return args[0]
    if origin is dict and isinstance(part, str):
        return args[1]
    if isinstance(annotation, type) and issubclass(annotation, Node) and isinstance(part, str):
        info = annotation.model_fields.get(part)
        return info.annotation if info is not None else None
    return None


def _unknown_files(files: Mapping[str, bytes]) -> tuple[list[Problem], set[str]]:
    """Files in rotations/ and policies/ setops does not read, and the known files they are
    misnamed copies of (said as misnamed, so not also as missing)."""
    known = [str(m.FILE) for m in FILE_MODELS]
    problems, meant = [], set()
    for name in sorted(files):
        if not name.startswith(CONFIG_DIRS) or name in known:
            continue
        folder, _, base = name.partition("/")
        # By the name without its extension: overrides.yml, Set.YAML, time_off.yaml.
        siblings = {_stem(k): k for k in known if k.startswith(f"{folder}/")}
        close = difflib.get_close_matches(_stem(base), list(siblings), n=1, cutoff=0.8)
        target = siblings[close[0]] if close else None
        if target is not None and target not in files:
            # Its content would silently not count (overrides.yml: no overrides at all).
            message = f"setops reads {target}, not this name: rename the file"
            problems.append(Problem(Location(name), message))
            meant.add(target)
        else:
            hint = f"did you mean {target}?" if target else "check its name"
            problems.append(Problem(Location(name), f"not a file setops reads; {hint}", "warning"))
    return problems, meant


def _stem(name: str) -> str:
    return name.rsplit("/", 1)[-1].rsplit(".", 1)[0].lower()


def _secret_problems(documents: Mapping[str, Document]) -> list[Problem]:
    from setops.config.secrets import find_secrets

    return [p for doc in documents.values() for p in find_secrets(doc)]
