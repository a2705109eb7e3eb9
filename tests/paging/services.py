"""The two paging services as the shared tests see them: one fake, its wire and its words.

A shared test says what both OpsGenie and JSM Operations must do once, and runs against
each; a `Service` is what differs between them: how the fake is made, seeded and called,
how its writes and state read, and the paths a fault is put on. The tests that are about
one vendor alone stay in tests/opsgenie and tests/jsm_ops.
"""

from __future__ import annotations

import datetime as dt
import re
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

import requests
import yaml

from tests.conftest import NOW
from tests.fakes.base import Fault
from tests.fakes.jsm_ops import FakeJsmOps
from tests.fakes.opsgenie import FakeOpsGenie
from tests.paging.oncall import expected

FAST_RETRIES = {"SETOPS_HTTP_BACKOFF": "0.01", "SETOPS_HTTP_RETRIES": "4"}
SCHEDULES = ("SET Lead", "SET Primary", "SET Backup")
# The one spec note a correct client gets from JSM: its description says an escalation rule
# waits at least a minute, but the primary is paged at once (the fake accepts 0).
DELAY_ZERO = "0 is less than the minimum of 1"
Json = dict[str, Any]


@contextmanager
def seeded(service: Service, fake: Any, root: Path) -> Iterator[Any]:
    """`fake` running, seeded from the organisation at `root`, and checked when done."""
    with fake:
        service.seed(fake, root)
        yield fake
        service.check(fake)


def people(root: Path) -> list[dict[str, Any]]:
    roster = yaml.safe_load((root / "rotations" / "roster.yaml").read_text(encoding="utf-8"))
    return list(roster["people"])


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def clock(text: str = NOW) -> Callable[[], dt.datetime]:
    instant = at(text)
    return lambda: instant


class Service:
    """What a shared test needs of one paging service; see OpsGenie and JsmOps."""

    name: ClassVar[str]  # the target's name, as `--only` takes it and messages start
    vendor: ClassVar[str]  # the vendor's name in setops' messages
    url_variable: ClassVar[str]
    secret_variable: ClassVar[str]
    first_read: ClassVar[str]  # what `plan` lists first, in setops' words
    first_read_path: ClassVar[str]  # and its path (a regular expression)
    schedules_path: ClassVar[str]  # the schedule list and create
    escalations_path: ClassVar[str]  # the escalation create
    overrides_path: ClassVar[str] = r"/overrides$"

    @property
    def only(self) -> tuple[str, str]:
        return ("--only", self.name)

    # ---- the fake ----

    fake_class: ClassVar[type[Any]]
    first_read_url_path: ClassVar[str]  # the path of what `plan` lists first

    def fake(self, *mixins: type, secret: str | None = None, **options: Any) -> Any:
        """A fake of this service (with `mixins` before it), not started; `secret` is its
        key or token."""
        cls = (
            type(
                f"{''.join(m.__name__ for m in mixins)}{self.fake_class.__name__}",
                (*mixins, self.fake_class),
                {},
            )
            if mixins
            else self.fake_class
        )
        return cls(**self.options(secret, options))

    def options(self, secret: str | None, options: dict[str, Any]) -> dict[str, Any]:
        return options

    def url(self, fake: Any, path: str) -> str:
        """The full URL of an API path on the fake."""
        raise NotImplementedError

    def credentials(self, fake: Any, pad: str) -> dict[str, str]:
        """Every credential variable, each written as `pad` (e.g. "{}\n") around its value."""
        raise NotImplementedError

    def escalation_objects(self, fake: Any) -> list[Any]:
        """The fake's own escalation objects (to meddle with)."""
        raise NotImplementedError

    def forget_escalations(self, fake: Any) -> None:
        """Delete every escalation, as someone in the UI would."""
        raise NotImplementedError

    def forget_rotation(self, fake: Any, request: Any) -> None:
        """Delete the rotation a PATCH .../rotations/{id} names, as someone in the UI would."""
        raise NotImplementedError

    def seed(self, fake: Any, root: Path, *, skip: tuple[str, ...] = ()) -> None:
        """The roster's people (but `skip`) and the SET team."""
        raise NotImplementedError

    def seed_schedules(self, fake: Any) -> None:
        """The three schedules without rotations: then every rotation is its own request."""
        raise NotImplementedError

    def prepare(self, root: Path) -> None:
        """Make the fixture organisation at `root` page through this service."""

    def env(self, fake: Any, **extra: str) -> dict[str, str]:
        raise NotImplementedError

    def set_now(self, fake: Any, text: str) -> None:
        """Move the fake's clock with SETOPS_NOW (a service that has one)."""

    def check(self, fake: Any) -> None:
        """No handler crashed and every request was one the vendor documents."""
        assert fake.handler_errors == [], fake.handler_errors[0]
        if fake.spec_checker is not None:
            fake.assert_no_spec_violations()

    def throttle_schedule_creates(self, fake: Any) -> None:
        """Answer the first schedule create with 429 and Retry-After: 1."""
        raise NotImplementedError

    # ---- reading the fake ----

    def writes(self, fake: Any) -> list[str]:
        """The writes sent, as "METHOD path", in the service's own form."""
        raise NotImplementedError

    def written(self, fake: Any) -> list[tuple[str, str, str | None]]:
        """The writes sent, as (method, kind, schedule): what they change, and in which
        schedule by name (None for a new schedule or the escalation)."""
        out = []
        for request in fake.mutating_requests():
            kind = _kind(request.path)
            schedule = None
            if not (kind == "escalation" or (request.method == "POST" and kind == "schedule")):
                schedule = self.schedule_in(fake, request.path)
            out.append((request.method, kind, schedule))
        return out

    def schedule_in(self, fake: Any, path: str) -> str:
        """The name of the schedule a path is under."""
        raise NotImplementedError

    def created(self, fake: Any) -> Counter[str]:
        """How many creates of each kind were sent: schedule, override, escalation."""
        kinds: Counter[str] = Counter()
        for request in fake.mutating_requests():
            if request.method == "POST":
                kinds[_kind(request.path)] += 1
        return kinds

    def rotation_names(self, fake: Any, schedule: str) -> list[str]:
        return [r["name"] for r in fake.rotations(schedule)]

    def escalation_rules(self, fake: Any) -> list[tuple[int, str]]:
        """(delay in minutes, schedule named) of each rule of setops' escalation."""
        raise NotImplementedError

    def escalation(self, fake: Any) -> Json:
        raise NotImplementedError

    def escalation_team(self, fake: Any) -> str:
        """The name of the team that owns setops' escalation."""
        raise NotImplementedError

    def person(self, root: Path, username: str) -> str:
        """How the service names a person of the roster, by the OpsGenie username."""
        return username

    def on_call_over_http(self, fake: Any, schedule: str, when: str) -> list[str]:
        """Who the service itself answers is on call at `when`, over its HTTP API."""
        raise NotImplementedError

    def mismatches(
        self, fake: Any, root: Path, instants: Iterable[dt.datetime], layout: str = "per-role"
    ) -> Iterator[str]:
        """Every (instant, schedule) where the fake's on-call answer differs from setops'."""
        for instant in instants:
            for schedule, want in expected(root, instant, layout).items():
                wanted = sorted(self.person(root, u) for u in want)
                got = sorted(fake.on_call(schedule, instant))
                if got != wanted:
                    yield f"{instant.isoformat()} {schedule}: {self.vendor} {got}, setops {wanted}"

    def normalised(self, fake: Any) -> dict[str, Any]:
        """The fake's state by names, without the ids and aliases a server makes."""
        raise NotImplementedError

    # ---- acting as someone in the vendor's UI ----

    def call(
        self,
        fake: Any,
        method: str,
        path: str,
        body: object = None,
        params: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """A request as someone in the vendor's UI (or another tool) would make it."""
        url = self.url(fake, path)
        return requests.request(
            method, url, json=body, params=params, timeout=5, **self.credentials_of(fake)
        )

    def credentials_of(self, fake: Any) -> dict[str, Any]:
        """How a request to the fake carries its credentials (requests' keywords)."""
        raise NotImplementedError

    def schedule_id(self, fake: Any, name: str) -> str:
        return str(fake.schedules_by_name()[name]["id"])

    def schedule_path(self, fake: Any, name: str) -> str:
        """The API path of a schedule, by its id."""
        raise NotImplementedError

    def make_override(self, fake: Any, schedule: str, rotation: str, who: str) -> str:
        """An override made by hand on 2026-12-08 02:00-08:00 UTC, putting the user whose
        name starts `who` on the named rotation; its alias."""
        raise NotImplementedError

    def participant(self, fake: Any, name: str) -> Json:
        """A participant of a rotation made by hand: the user whose name starts `name`."""
        raise NotImplementedError


def _kind(path: str) -> str:
    """What a write's path makes: the last of schedules, rotations, overrides, escalations."""
    kinds = ("schedules", "rotations", "overrides", "escalations")
    return next(part[:-1] for part in reversed(path.split("/")) if part in kinds)


class OpsGenie(Service):
    name = "opsgenie"
    vendor = "OpsGenie"
    url_variable = "OPSGENIE_API_URL"
    secret_variable = "OPSGENIE_API_KEY"
    first_read = "list schedules"
    first_read_path = r"^/v2/schedules$"
    schedules_path = r"^/v2/schedules$"
    escalations_path = r"^/v2/escalations$"

    fake_class = FakeOpsGenie
    first_read_url_path = "/v2/schedules"

    def options(self, secret: str | None, options: dict[str, Any]) -> dict[str, Any]:
        return {**options, "api_key": secret} if secret else options

    def url(self, fake: Any, path: str) -> str:
        return str(fake.url(path))

    def credentials(self, fake: Any, pad: str) -> dict[str, str]:
        return {"OPSGENIE_API_KEY": pad.format(fake.api_key)}

    def escalation_objects(self, fake: Any) -> list[Any]:
        return list(fake.escalations.values())

    def forget_escalations(self, fake: Any) -> None:
        fake.escalations.clear()

    def forget_rotation(self, fake: Any, request: Any) -> None:
        _, _, _, name, _, rotation_id = request.path.split("/")
        schedule = fake._schedule_by("name", urllib.parse.unquote(name))
        schedule.rotations = [r for r in schedule.rotations if r.id != rotation_id]

    def seed(self, fake: Any, root: Path, *, skip: tuple[str, ...] = ()) -> None:
        for person in people(root):
            if person["id"] not in skip:
                fake.seed_user(person["opsgenie"], person["name"])
        fake.seed_team("SET")

    def seed_schedules(self, fake: Any) -> None:
        for name in SCHEDULES:
            fake.seed_schedule(
                {"name": name, "timezone": "Europe/Berlin", "ownerTeam": {"name": "SET"}}
            )

    def env(self, fake: Any, **extra: str) -> dict[str, str]:
        return {
            "OPSGENIE_API_KEY": fake.api_key,
            "OPSGENIE_API_URL": fake.base_url,
            **FAST_RETRIES,
            **extra,
        }

    def schedule_in(self, fake: Any, path: str) -> str:
        return urllib.parse.unquote(path.split("/")[3])  # /v2/schedules/<name>/...

    def throttle_schedule_creates(self, fake: Any) -> None:
        fake.throttle(method="POST", path=self.schedules_path, retry_after=1)

    def writes(self, fake: Any) -> list[str]:
        return [f"{r.method} {r.path}" for r in fake.mutating_requests()]

    def escalation_rules(self, fake: Any) -> list[tuple[int, str]]:
        rules = self.escalation(fake)["rules"]
        return [(r["delay"]["timeAmount"], r["recipient"]["name"]) for r in rules]

    def escalation(self, fake: Any) -> Json:
        found = fake.escalation("SET escalation")
        assert found is not None
        return dict(found)

    def escalation_team(self, fake: Any) -> str:
        return str(self.escalation(fake)["ownerTeam"]["name"])

    def on_call_over_http(self, fake: Any, schedule: str, when: str) -> list[str]:
        path = f"/v2/schedules/{self.schedule_id(fake, schedule)}/on-calls"
        response = self.call(fake, "GET", path, params={"date": when, "flat": "true"})
        return sorted(response.json()["data"]["onCallRecipients"])

    def credentials_of(self, fake: Any) -> dict[str, Any]:
        return {"headers": {"Authorization": f"GenieKey {fake.api_key}"}}

    def participant(self, fake: Any, name: str) -> Json:
        user = next(u for u in fake.users.values() if u.full_name.startswith(name))
        return {"type": "user", "username": user.username}

    def schedule_path(self, fake: Any, name: str) -> str:
        return f"/v2/schedules/{self.schedule_id(fake, name)}"

    def make_override(self, fake: Any, schedule: str, rotation: str, who: str) -> str:
        (found,) = [r for r in fake.rotations(schedule) if r["name"] == rotation]
        body = {
            "alias": "3am-fix",
            "user": self.participant(fake, who),
            "startDate": "2026-12-08T02:00:00Z",
            "endDate": "2026-12-08T08:00:00Z",
            "rotations": [{"id": found["id"]}],
        }
        made = self.call(fake, "POST", self.schedule_path(fake, schedule) + "/overrides", body)
        assert made.status_code == 201, made.text
        return str(made.json()["data"]["alias"])

    def normalised(self, fake: Any) -> dict[str, Any]:
        snapshot = fake.snapshot()

        def who(item: dict[str, Any]) -> str:
            return str(item.get("username") or item.get("name") or item["type"])

        out: dict[str, Any] = {}
        for name, schedule in snapshot["schedules"].items():
            rotations = sorted(
                (
                    r["name"],
                    r["startDate"],
                    r.get("endDate"),
                    tuple(who(p) for p in r["participants"]),
                    repr(r.get("timeRestriction")),
                )
                for r in schedule["rotations"]
            )
            overrides = sorted(
                (
                    o["alias"],
                    who(o["user"]),
                    o["startDate"],
                    o["endDate"],
                    tuple(sorted(r["name"] for r in o["rotations"])),
                )
                for o in snapshot["overrides"][name]
            )
            out[name] = (schedule["timezone"], schedule["ownerTeam"]["name"], rotations, overrides)
        for name, escalation in snapshot["escalations"].items():
            rules = [
                (r["delay"]["timeAmount"], r["recipient"]["name"]) for r in escalation["rules"]
            ]
            out[f"escalation {name}"] = (rules, escalation.get("repeat"))
        return out


class JsmOps(Service):
    name = "jsm-ops"
    vendor = "JSM"
    url_variable = "JSM_OPS_API_URL"
    secret_variable = "JSM_OPS_API_TOKEN"
    first_read = "list teams"
    first_read_path = r"/v1/teams$"
    schedules_path = r"/v1/schedules$"
    escalations_path = r"/escalations$"

    fake_class = FakeJsmOps
    first_read_url_path = "/v1/teams"

    def options(self, secret: str | None, options: dict[str, Any]) -> dict[str, Any]:
        options = {"now": clock(), **options}
        return {**options, "api_token": secret} if secret else options

    def url(self, fake: Any, path: str) -> str:
        return str(fake.api_url(path))

    def credentials(self, fake: Any, pad: str) -> dict[str, str]:
        return {
            "JSM_OPS_API_TOKEN": pad.format(fake.api_token),
            "JSM_OPS_EMAIL": pad.format(fake.email),
            "JSM_OPS_CLOUD_ID": pad.format(fake.cloud_id),
        }

    def escalation_objects(self, fake: Any) -> list[Any]:
        return list(fake.escalations_by_id.values())

    def forget_escalations(self, fake: Any) -> None:
        fake.escalations_by_id.clear()

    def forget_rotation(self, fake: Any, request: Any) -> None:
        parts = request.path.split("/")
        schedule = fake.schedules[parts[-3]]
        schedule.rotations = [r for r in schedule.rotations if r.id != parts[-1]]

    def seed(self, fake: Any, root: Path, *, skip: tuple[str, ...] = ()) -> None:
        for person in people(root):
            if person["id"] not in skip:
                fake.seed_user(person["jira"], person["name"])
        fake.seed_team("SET")

    def seed_schedules(self, fake: Any) -> None:
        (team,) = fake.teams
        for name in SCHEDULES:
            fake.seed_schedule({"name": name, "timezone": "Europe/Berlin", "teamId": team})

    def prepare(self, root: Path) -> None:
        switch_to_jsm(root)

    def env(self, fake: Any, **extra: str) -> dict[str, str]:
        return {
            "JSM_OPS_EMAIL": fake.email,
            "JSM_OPS_API_TOKEN": fake.api_token,
            "JSM_OPS_CLOUD_ID": fake.cloud_id,
            "JSM_OPS_API_URL": fake.base_url,
            **FAST_RETRIES,
            **extra,
        }

    def set_now(self, fake: Any, text: str) -> None:
        fake.now = clock(text)

    def check(self, fake: Any) -> None:
        """As any service, but for the one delay-0 note on escalations (DELAY_ZERO)."""
        assert fake.handler_errors == [], fake.handler_errors[0]
        other = [v for v in fake.spec_violations if DELAY_ZERO not in v]
        assert other == [], "\n".join(other)
        assert all("/escalations" in v for v in fake.spec_violations)

    def throttle_schedule_creates(self, fake: Any) -> None:
        headers = {"Retry-After": "1"}
        fake.faults.add(Fault(status=429, method="POST", path=self.schedules_path, headers=headers))

    def writes(self, fake: Any) -> list[str]:
        """As "METHOD /v1/<path template>" (ids would not read)."""
        out = []
        for r in fake.mutating_requests():
            path = r.route or r.path
            out.append(f"{r.method} {path[path.index('/v1/') :]}")
        return out

    def schedule_in(self, fake: Any, path: str) -> str:
        parts = path.split("/")
        return str(fake.schedules[parts[parts.index("schedules") + 1]].name)

    def rotation_names(self, fake: Any, schedule: str) -> list[str]:
        """Without setops' mark, which is no rotation of the schedule's."""
        names = super().rotation_names(fake, schedule)
        return [n for n in names if not n.startswith("setops: marks")]

    def escalation(self, fake: Any) -> Json:
        (team,) = fake.teams
        (escalation,) = fake.escalations(team)
        return dict(escalation)

    def escalation_team(self, fake: Any) -> str:
        (team,) = fake.teams.values()
        return str(team.name)

    def escalation_rules(self, fake: Any) -> list[tuple[int, str]]:
        ids = {s["id"]: n for n, s in fake.schedules_by_name().items()}
        return [(r["delay"], ids[r["recipient"]["id"]]) for r in self.escalation(fake)["rules"]]

    def person(self, root: Path, username: str) -> str:
        return accounts(root)[username.lower()]

    def on_call_over_http(self, fake: Any, schedule: str, when: str) -> list[str]:
        path = f"/v1/schedules/{self.schedule_id(fake, schedule)}/on-calls"
        response = self.call(fake, "GET", path, params={"date": when, "flat": "true"})
        return sorted(response.json()["onCallUsers"])

    def credentials_of(self, fake: Any) -> dict[str, Any]:
        return {"auth": fake.auth}

    def participant(self, fake: Any, name: str) -> Json:
        account = next(u.account_id for u in fake.users.values() if u.name.startswith(name))
        return {"type": "user", "id": account}

    def schedule_path(self, fake: Any, name: str) -> str:
        return f"/v1/schedules/{self.schedule_id(fake, name)}"

    def make_override(self, fake: Any, schedule: str, rotation: str, who: str) -> str:
        (found,) = [r for r in fake.rotations(schedule) if r["name"] == rotation]
        body = {
            "responder": self.participant(fake, who),
            "startDate": "2026-12-08T02:00:00Z",
            "endDate": "2026-12-08T08:00:00Z",
            "rotationIds": [found["id"]],
        }
        made = self.call(fake, "POST", self.schedule_path(fake, schedule) + "/overrides", body)
        assert made.status_code == 201, made.text
        return str(made.json()["alias"])

    def normalised(self, fake: Any) -> dict[str, Any]:
        snapshot = fake.snapshot()
        teams = {t.id: t.name for t in fake.teams.values()}
        ids = {s["id"]: n for n, s in snapshot["schedules"].items()}
        out: dict[str, Any] = {}
        for name, schedule in snapshot["schedules"].items():
            names = {r["id"]: r["name"] for r in schedule["rotations"]}
            rotations = sorted(
                (
                    r["name"],
                    r["startDate"],
                    r.get("endDate"),
                    tuple(p.get("id", p["type"]) for p in r["participants"]),
                    repr(r.get("timeRestriction")),
                )
                for r in schedule["rotations"]
            )
            overrides = sorted(
                (
                    o["responder"].get("id"),
                    o["startDate"],
                    o["endDate"],
                    tuple(sorted(names[i] for i in o.get("rotationIds") or [])),
                )
                for o in snapshot["overrides"][name]
            )
            out[name] = (schedule["timezone"], teams[schedule["teamId"]], rotations, overrides)
        for team, escalations in snapshot["escalations"].items():
            for name, escalation in escalations.items():
                rules = [(r["delay"], ids[r["recipient"]["id"]]) for r in escalation["rules"]]
                out[f"escalation {team}/{name}"] = (rules, escalation["repeat"])
        return out


def switch_to_jsm(root: Path) -> None:
    """The one-line change that moves the fixture organisation from OpsGenie to JSM."""
    path = root / "policies" / "integrations.yaml"
    before = path.read_text(encoding="utf-8")
    after = re.sub(r"(?m)^  target: opsgenie\b", "  target: jsm-ops", before)
    pairs = zip(before.splitlines(), after.splitlines(), strict=True)
    changed = [(a, b) for a, b in pairs if a != b]
    assert len(changed) == 1 and changed[0][1].startswith("  target: jsm-ops"), changed
    path.write_text(after, encoding="utf-8")


def accounts(root: Path) -> dict[str, str]:
    """The roster's OpsGenie usernames -> Jira (Atlassian) account ids."""
    return {p["opsgenie"].lower(): p["jira"] for p in people(root)}


SERVICES: tuple[Service, ...] = (OpsGenie(), JsmOps())
