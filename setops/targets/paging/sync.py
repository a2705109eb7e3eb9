"""The paging target: plan (read, diff, pre-flight, safety rail) and apply, vendor-neutral.

The settings are shared (`paging:` in policies/integrations.yaml, whose `target` picks the
service); a vendor subclass supplies a `Backend` that speaks its API in terms of the neutral
objects, and says what its API cannot do (keep override aliases, list ended overrides).
Apply executes exactly the plan, containers before contents, creates and updates before
deletes; a create whose answer is lost is looked up by its deterministic name (or, for an
override the service names itself, its content) before it is tried again, so a re-run after
a crash converges without duplicates.
"""

from __future__ import annotations

import abc
import contextlib
import dataclasses
import datetime as dt
import logging
from collections.abc import Callable, Iterator, Sequence
from typing import Any, ClassVar, Protocol

import requests

from setops.config.models import PagingSettings
from setops.errors import SetopsError
from setops.plan import Change, Notice, TargetPlan
from setops.targets.base import ApplyReport, Target
from setops.targets.http import VendorError, connection_error, create_once
from setops.targets.paging.changes import Op, apply_rank, plan_changes
from setops.targets.paging.desired import (
    Desired,
    SyncSettings,
    check_representable,
    desired_schedules,
    desired_state,
)
from setops.targets.paging.importer import Timelines
from setops.targets.paging.model import (
    EscalationObj,
    OverrideObj,
    PagingState,
    RotationObj,
    ScheduleObj,
)
from setops.targets.paging.safety import unsafe_reasons
from setops.targets.paging.unnamed import claim_overrides

log = logging.getLogger(__name__)


class Backend(Protocol):
    """One paging service's API, in neutral objects. Failures raise VendorError."""

    @property
    def requests(self) -> int:
        """How many HTTP requests were sent so far."""

    def read(self, schedules: Sequence[str], escalation: str) -> PagingState: ...
    def user_exists(self, username: str) -> bool: ...
    def find_schedule(self, name: str) -> ScheduleObj | None: ...
    def create_schedule(self, schedule: ScheduleObj, rotations: Sequence[RotationObj]) -> None: ...
    def update_schedule(self, schedule: ScheduleObj, current: ScheduleObj) -> None: ...
    def find_rotation(self, schedule: str, name: str) -> RotationObj | None: ...
    def create_rotation(self, rotation: RotationObj) -> None: ...
    def update_rotation(self, rotation: RotationObj, current: RotationObj) -> None: ...
    def delete_rotation(self, current: RotationObj) -> None: ...
    def find_override(self, override: OverrideObj) -> OverrideObj | None: ...
    def create_override(self, override: OverrideObj) -> None: ...
    def update_override(self, override: OverrideObj, current: OverrideObj) -> None: ...
    def delete_override(self, current: OverrideObj) -> None: ...
    def find_escalation(self, name: str) -> EscalationObj | None: ...
    def create_escalation(self, escalation: EscalationObj) -> None: ...
    def update_escalation(self, escalation: EscalationObj, current: EscalationObj) -> None: ...
    def timelines(
        self, schedules: Sequence[str], start: dt.datetime, end: dt.datetime
    ) -> Timelines: ...


class PagingTarget(Target):
    """Keeps a paging service's schedules, rotations, overrides and escalation in step."""

    vendor: ClassVar[str]  # the service's name in messages
    key_variable: ClassVar[str]  # the credential named when it is missing
    routing_hint: ClassVar[str] = ""  # how alerts reach the escalation
    # What the service's API can do, which the shared logic adapts to:
    keeps_override_aliases: ClassVar[bool] = True  # else see paging.unnamed
    lists_ended_overrides: ClassVar[bool] = True  # else ended ones are not synced
    import_command: ClassVar[str | None] = None  # brings a foreign override into the YAML

    @abc.abstractmethod
    def make_backend(self) -> Backend: ...

    @property
    def settings(self) -> PagingSettings:
        settings = self.context.config.integrations.paging_settings()
        assert settings is not None, "a paging target is only built for a paging section"
        return settings

    def enabled(self) -> bool:
        """Chosen in policies/: the paging section is enabled and names this service."""
        settings = self.context.config.integrations.paging_settings()
        return settings is not None and settings.enabled and settings.target == self.name

    def selectable(self) -> bool:
        """`--only` may name either paging service once its credentials are set, so the
        one not chosen yet can be planned against (e.g. before moving to it)."""
        settings = self.context.config.integrations.paging_settings()
        return self.enabled() or (settings is not None and not self.missing_credentials())

    def why_not_selectable(self) -> str:
        """What would let `--only` name this service, when it may not (for the message)."""
        settings = self.context.config.integrations.paging_settings()
        if settings is None:
            return " (it has no paging: section)"
        if settings.target == self.name:
            return " (paging.enabled is false)"
        return (
            f" (paging.target is {settings.target}); to plan against it before the switch, "
            f"set {', '.join(self.missing_credentials())}"
        )

    def sync_settings(self) -> SyncSettings:
        s = self.settings
        names = s.schedule_names
        return SyncSettings(
            owner_team=s.owner_team,
            layout=s.schedules,
            names={"lead": names.lead, "primary": names.primary, "backup": names.backup},
            horizon=dt.timedelta(weeks=s.horizon_weeks),
            retention=dt.timedelta(weeks=s.retention_weeks),
        )

    @property
    def backend(self) -> Backend:
        cached: Backend | None = self.__dict__.get("_backend")
        if cached is None:
            cached = self.__dict__["_backend"] = self.make_backend()
        return cached

    def desired(self) -> Desired:
        context = self.context
        desired = desired_state(context.config, context.schedule, self.sync_settings(), context.now)
        check_representable(desired)
        if not self.lists_ended_overrides:  # they could never be seen again, only re-made
            kept = tuple(o for o in desired.overrides if o.end > context.now)
            desired = dataclasses.replace(desired, overrides=kept)
        return desired

    def read(self, desired: Desired) -> PagingState:
        """The current state, with overrides the service named itself matched up."""
        with self.answers("read the schedules"):
            names = [s.name for s in desired.schedules]
            current = self.backend.read(names, desired.escalation.name)
        if self.keeps_override_aliases:
            return current
        overrides = claim_overrides(desired.overrides, current.overrides)
        return dataclasses.replace(current, overrides=overrides)

    @contextlib.contextmanager
    def answers(self, what: str) -> Iterator[None]:
        """Reading the service's answers: one that lacks a field or holds a value of a form
        the service does not document is a clean error naming it, not a crash."""
        try:
            yield
        except (KeyError, ValueError, TypeError, AttributeError, IndexError) as exc:
            detail = f"no {exc.args[0]!r}" if isinstance(exc, KeyError) and exc.args else exc
            raise VendorError(
                self.name,
                what,
                None,
                f"an answer is not in the form {self.vendor} documents "
                f"({type(exc).__name__}: {str(detail)[:200]})",
            ) from None

    def plan(self) -> TargetPlan:
        desired = self.desired()
        missing = self.missing_credentials()
        if missing:
            diff = plan_changes(
                self.name, desired, PagingState({}), self.context.now, False, self.import_command
            )
            notice = Notice(
                "warning",
                f"{self.vendor} is not configured: set {', '.join(missing)}; showing the state "
                "it would create",
            )
            return TargetPlan(
                self.name, tuple(diff.changes), (notice,), configured=False, missing=missing
            )
        current = self.read(desired)
        diff = plan_changes(
            self.name, desired, current, self.context.now, self.context.prune, self.import_command
        )
        return TargetPlan(
            self.name,
            tuple(diff.changes),
            tuple(self._notices(diff.changes, current, len(diff.foreign))),
            unsafe=tuple(unsafe_reasons(diff, desired, current, self.context.now)),
            drift=tuple(diff.foreign),
            blocked=tuple(self._preflight(desired, current) if diff.changes else ()),
        )

    def _notices(
        self, changes: Sequence[Change], current: PagingState, foreign: int
    ) -> list[Notice]:
        notices = []
        if any(c.kind == "escalation" and c.action == "create" for c in changes):
            notices.append(Notice("info", self.routing_hint))
        unowned = sum(not r.owned for r in current.rotations)
        if unowned:
            notices.append(
                Notice(
                    "warning",
                    f"{unowned} rotation(s) in these schedules are not setops'; they keep "
                    f"paging beside setops' own until they are removed in {self.vendor} "
                    "(or by apply --prune)",
                )
            )
        return notices

    def _preflight(self, desired: Desired, current: PagingState) -> list[str]:
        """Every person in the synced window must be a user of the service."""
        known = current.known_users()
        unknown = [u for u in sorted(desired.users - known) if not self.backend.user_exists(u)]
        if not unknown:
            return []
        ids = {p.opsgenie.lower(): p.id for p in self.context.config.people}
        named = ", ".join(f"{u} ({ids[u]})" if u in ids else u for u in unknown)
        return [
            f"not {self.vendor} users: {named}; add them in {self.vendor}, or correct "
            "`opsgenie:` in rotations/roster.yaml. Nothing was sent."
        ]

    def read_timelines(self, start: dt.datetime, end: dt.datetime) -> Timelines:
        """Who the service pages over [start, end), per schedule setops manages (for import)."""
        settings = self.sync_settings()
        names = [s.name for s in desired_schedules(self.context.config, settings)]
        with self.answers("read the schedules"):
            current = self.backend.read(names, self.context.config.escalation.name)
        missing = [n for n in names if n not in current.schedules]
        if missing:
            raise SetopsError(
                f"{self.name}: no schedule {', '.join(missing)} in {self.vendor}; import reads "
                "the schedules named in policies/integrations.yaml (schedule_names)"
            )
        with self.answers("read the timelines"):
            return self.backend.timelines(names, start, end)

    def apply(self, plan: TargetPlan) -> ApplyReport:
        if plan.blocked:
            raise SetopsError(f"{self.name}: {'; '.join(plan.blocked)}")
        report = ApplyReport(self.name)
        changes = sorted(plan.changes, key=apply_rank)
        inline: dict[str, list[RotationObj]] = {}
        for item in changes:
            op: Op = item.payload
            if op.with_schedule:
                inline.setdefault(op.desired.schedule, []).append(op.desired)
        try:
            for item in changes:
                if not item.payload.with_schedule:  # those went with their schedule's create
                    self._execute(item, inline)
                report.done.append(item)
        except requests.RequestException as exc:
            error = connection_error(self.name, "apply", exc)
            raise self._stopped(report, changes, error) from None
        except SetopsError as exc:
            raise self._stopped(report, changes, exc) from None
        finally:
            report.requests = self.backend.requests
        return report

    def _stopped(
        self, report: ApplyReport, changes: Sequence[Change], exc: SetopsError
    ) -> SetopsError:
        return SetopsError(
            f"{exc} ({len(report.done)} of {len(changes)} changes were made before this; "
            "`setops apply` again carries on from there)"
        )

    def _execute(self, item: Change, inline: dict[str, list[RotationObj]]) -> None:
        op: Op = item.payload
        try:
            if op.action == "delete":
                self._delete(op)
            elif op.action == "update":
                self._update(op)
            else:
                rotations = inline.get(op.desired.name, []) if op.kind == "schedule" else []
                self._create(op.kind, op.desired, rotations)
        except requests.RequestException as exc:  # a create's answer lost on every try
            raise connection_error(self.name, f"{op.action} {op.kind} '{item.name}'", exc) from None

    def _writer(self, kind: str) -> _Writer:
        b = self.backend
        writers: dict[str, _Writer] = {
            "schedule": _Writer(
                b.create_schedule, lambda new: b.find_schedule(new.name), b.update_schedule
            ),
            "rotation": _Writer(
                lambda new, _: b.create_rotation(new),
                lambda new: b.find_rotation(new.schedule, new.name),
                b.update_rotation,
            ),
            "override": _Writer(
                lambda new, _: b.create_override(new), b.find_override, b.update_override
            ),
            "escalation": _Writer(
                lambda new, _: b.create_escalation(new),
                lambda new: b.find_escalation(new.name),
                b.update_escalation,
            ),
        }
        return writers[kind]

    def _create(self, kind: str, new: Any, rotations: Sequence[RotationObj]) -> None:
        """Make `new` once (a lost answer is looked up first). When its name was taken
        meanwhile (409: someone made one by hand since the read), that one is setops' by
        its name like any other: it is brought to what the plan says, with its rotations."""
        writer = self._writer(kind)
        try:
            _once(lambda: writer.create(new, rotations), lambda: self._find(writer, new))
        except VendorError as exc:
            found = self._find(writer, new) if exc.status == 409 else None
            if found is None:
                raise
            log.warning("%s %s was made meanwhile; bringing it in step", kind, _name(new))
            if found != new:
                writer.update(new, found)
            for rotation in rotations:
                self._create("rotation", rotation, [])

    def _find(self, writer: _Writer, new: Any) -> object | None:
        with self.answers(f"look up {_name(new)}"):
            return writer.find(new)

    def _update(self, op: Op) -> None:
        """Update in place; an object someone deleted since the read (404) is made again,
        as the plan means it to exist (a schedule's loss is left to a re-plan)."""
        try:
            self._writer(op.kind).update(op.desired, op.current)
        except VendorError as exc:
            if exc.status != 404 or op.kind == "schedule":
                raise
            log.warning("%s %s was deleted meanwhile; making it again", op.kind, _name(op.desired))
            self._create(op.kind, op.desired, [])

    def _delete(self, op: Op) -> None:
        b = self.backend
        if op.kind == "rotation":
            b.delete_rotation(op.current)
        else:
            b.delete_override(op.current)


@dataclasses.dataclass(frozen=True)
class _Writer:
    """How one kind of object is made, found again by its identity, and updated."""

    create: Callable[[Any, Sequence[RotationObj]], None]
    find: Callable[[Any], object | None]
    update: Callable[[Any, Any], None]


def _name(obj: Any) -> str:
    if isinstance(obj, RotationObj):
        return f"'{obj.name}' in {obj.schedule}"
    if isinstance(obj, OverrideObj):
        return f"'{obj.alias}' in {obj.schedule}"
    return str(obj.name)


def _once(create: Callable[[], None], find: Callable[[], object | None]) -> None:
    """A create that is never repeated blindly: after a lost answer, look it up first."""

    def attempt() -> object:
        create()
        return True

    create_once(attempt, find)
