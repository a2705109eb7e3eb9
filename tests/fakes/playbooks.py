"""A stateful fake of the Mattermost Playbooks plugin's API, mounted on a FakeMattermost.

Written from the plugin's server code (``mattermost/mattermost-plugin-playbooks`` at the
tags v1.39.0 to v1.41.1 and v2.0.0 to v2.10.0: ``server/api/playbook_runs.go``,
``server/api/playbooks.go``, ``server/api/graphql*.go``, ``server/app/playbook_run_service.go``,
``server/app/permissions_service.go``, ``server/sqlstore/playbook_run.go``), independently of
setops. Vendor facts it relies on:

* The plugin answers under ``/plugins/playbooks/api/v0``; Mattermost authenticates the
  token and passes the user on. A server without the plugin, or with a 2.x plugin and no
  Enterprise licence (the plugin refuses to activate), answers 404 ``404 page not found``
  (Go's ``http.NotFound``) on every plugin route.
* Errors are ``{"error": "<public message>"}`` with the handler's status; a service error
  without a status of its own is 500 ``An internal error has occurred...``; a failed
  permission check is 403 ``Not authorized``.
* ``GET /playbooks``: public playbooks and private ones the user is a member of, paged
  (``per_page`` 0 or unset: 1000), ``search_term`` on the title, archived ones only with
  ``with_archived``. ``GET /runs``: filters ``team_id``, ``playbook_id``, ``owner_user_id``,
  ``participant_id``, ``statuses`` (InProgress, Finished), ``started_gte``/``started_lt``,
  sorted (default ``create_at`` ASC), paged (``per_page`` default 1000); a user sees the
  runs they take part in and those of playbooks that are public or that they are a member
  of. Ids in filters must be 26 characters (400 otherwise). Each run carries its
  ``status_posts`` (id, create_at, delete_at).
* ``POST /runs``: the summary is read from ``description`` up to v2.6 and from ``summary``
  from v2.7 (the other name is silently dropped). The creator needs ``run_create`` on the
  playbook (playbook members have it; the bot is no system admin here); a playbook with a
  default owner enabled overrides ``owner_user_id``. The run starts ``InProgress`` with
  ``last_status_update_at = create_at``; owner and creator (reporter) are participants,
  with the playbook's invited users when invitations are enabled. 201 with the run and a
  ``Location`` header.
* Run writes (``/status``, ``/reminder``, checklist item ``/state``, ``/owner`` before
  v2.10, ``/finish`` before v2.10) need the owner, a participant or an admin. From v2.10
  (MM-68844) they answer 400 ``cannot modify a finished run`` on a finished run; before it,
  they are carried out.
* ``POST /runs/{id}/status``: ``message`` not empty, ``reminder`` (seconds) > 0 unless
  ``finish_run``; it adds a status post and, like a reminder reset (``POST
  /runs/{id}/reminder``, 204), sets ``last_status_update_at`` to now. A reminder reset adds
  no status post.
* ``PUT /runs/{id}/checklists/{c}/item/{i}/state``: ``new_state`` one of "", in_progress,
  closed, skipped; the same state again changes nothing; an index out of range is a 500.
* ``PUT /runs/{id}/finish``: finishing a finished run is a no-op 200.
* ``POST /query`` (GraphQL): ``operationName`` is required (an empty 200 otherwise);
  ``addRunParticipants`` adds others only for a manager of the run (a participant), and a
  user alone may join a run they can view; users outside the team are skipped silently.
  ``updateRun`` changes ``name``/``summary``. Every failure is a 200 with one error
  ``Error while executing your request`` at line 0, column 0, and ``data: null``.
"""

from __future__ import annotations

import math
import re
import time
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from .base import HTTPError, Request, Response
from .mattermost import FakeMattermost, is_valid_id, new_id

PREFIX: Final = "/plugins/playbooks/api/v0"
PER_PAGE_DEFAULT: Final = 1000
STATES: Final = frozenset({"", "in_progress", "closed", "skipped"})
IN_PROGRESS: Final = "InProgress"
FINISHED: Final = "Finished"
INTERNAL: Final = "An internal error has occurred. Check app server logs for details."
GRAPHQL_ERROR: Final = "Error while executing your request"
SUPPORTED: Final = ("1.39.0", "1.41.1", "2.0.0", "2.6.2", "2.7.0", "2.10.0")

Json = dict[str, Any]
_MOUNTED: weakref.WeakKeyDictionary[FakeMattermost, FakePlaybooks] = weakref.WeakKeyDictionary()


def plugin_of(mattermost: FakeMattermost) -> FakePlaybooks:
    """The plugin mounted on a Mattermost fake (for tests that seed its runs)."""
    return _MOUNTED[mattermost]


def parse_version(text: str) -> tuple[int, int, int]:
    major, minor, patch = (int(p) for p in text.split("."))
    return major, minor, patch


@dataclass
class Item:
    title: str
    state: str = ""
    state_modified: int = 0
    id: str = field(default_factory=new_id)


@dataclass
class Checklist:
    title: str
    items: list[Item]


@dataclass
class Playbook:
    id: str
    title: str
    team_id: str
    public: bool
    members: list[str]
    checklists: list[Checklist]
    default_owner_id: str = ""
    default_owner_enabled: bool = False
    invited_user_ids: list[str] = field(default_factory=list)
    invite_users_enabled: bool = False
    reminder_timer_default_seconds: int = 86400
    delete_at: int = 0


@dataclass
class StatusPost:
    id: str
    message: str
    author: str  # username
    create_at: int
    delete_at: int = 0


@dataclass
class Run:
    id: str
    name: str
    summary: str
    owner_user_id: str
    reporter_user_id: str
    team_id: str
    channel_id: str
    playbook_id: str
    create_at: int
    checklists: list[Checklist]
    participant_ids: list[str]
    last_status_update_at: int
    previous_reminder_seconds: int
    current_status: str = IN_PROGRESS
    end_at: int = 0
    status_posts: list[StatusPost] = field(default_factory=list)
    followers: list[str] = field(default_factory=list)
    timeline: list[Json] = field(default_factory=list)


def checklist_json(checklists: Iterable[Checklist]) -> list[Json]:
    return [
        {
            "title": c.title,
            "items": [
                {
                    "id": i.id,
                    "title": i.title,
                    "state": i.state,
                    "state_modified": i.state_modified,
                    "assignee_id": "",
                    "command": "",
                    "description": "",
                    "delete_at": 0,
                    "due_date": 0,
                }
                for i in c.items
            ],
        }
        for c in checklists
    ]


def run_json(run: Run) -> Json:
    return {
        "id": run.id,
        "name": run.name,
        "summary": run.summary,
        "owner_user_id": run.owner_user_id,
        "reporter_user_id": run.reporter_user_id,
        "team_id": run.team_id,
        "channel_id": run.channel_id,
        "create_at": run.create_at,
        "end_at": run.end_at,
        "delete_at": 0,
        "post_id": "",
        "playbook_id": run.playbook_id,
        "checklists": checklist_json(run.checklists),
        "status_posts": [
            {"id": p.id, "create_at": p.create_at, "delete_at": p.delete_at}
            for p in run.status_posts
        ],
        "current_status": run.current_status,
        "last_status_update_at": run.last_status_update_at,
        "reminder_post_id": "",
        # A Go time.Duration: nanoseconds.
        "previous_reminder": run.previous_reminder_seconds * 1_000_000_000,
        "status_update_enabled": True,
        "participant_ids": list(run.participant_ids),
        "type": "playbook",
    }


def playbook_json(pb: Playbook) -> Json:
    return {
        "id": pb.id,
        "title": pb.title,
        "team_id": pb.team_id,
        "public": pb.public,
        "delete_at": pb.delete_at,
        "members": [
            {"user_id": m, "roles": ["playbook_member"], "scheme_roles": ["member"]}
            for m in pb.members
        ],
        "checklists": checklist_json(pb.checklists),
        "default_owner_id": pb.default_owner_id,
        "default_owner_enabled": pb.default_owner_enabled,
        "invited_user_ids": list(pb.invited_user_ids),
        "invite_users_enabled": pb.invite_users_enabled,
        "reminder_timer_default_seconds": pb.reminder_timer_default_seconds,
    }


def _error(status: int, message: str) -> HTTPError:
    return HTTPError(status, message)


def _forbidden() -> HTTPError:
    return _error(403, "Not authorized")


class FakePlaybooks:
    """The Playbooks plugin of one FakeMattermost, at one plugin version.

    ``mount()`` adds its routes to the Mattermost fake (a server without it answers 404 on
    them, as one without the plugin does). ``clock`` gives now in milliseconds, so tests can
    age runs. The Mattermost fake's users and team memberships are the ones here; ``admins``
    are system admins (the bot is not, by default).
    """

    def __init__(
        self,
        mattermost: FakeMattermost,
        *,
        version: str = "1.41.1",
        licensed: bool = False,
        clock: Callable[[], int] | None = None,
    ) -> None:
        self.mm = mattermost
        self.version = parse_version(version)
        self.licensed = licensed
        self.clock = clock or (lambda: int(time.time() * 1000))
        self.playbooks: dict[str, Playbook] = {}
        self.runs: dict[str, Run] = {}
        self.admins: set[str] = set()

    # ---- version behaviour ---------------------------------------------------------

    @property
    def summary_field(self) -> str:
        return "summary" if self.version >= (2, 7, 0) else "description"

    @property
    def refuses_finished(self) -> bool:
        return self.version >= (2, 10, 0)

    @property
    def active(self) -> bool:
        return self.version[0] < 2 or self.licensed

    # ---- mounting and seeding ------------------------------------------------------

    def mount(self) -> FakePlaybooks:
        p = PREFIX
        routes: list[tuple[str, str, Callable[[Request], Response]]] = [
            ("GET", p + "/playbooks", self._list_playbooks),
            ("GET", p + "/playbooks/{playbook_id}", self._get_playbook),
            ("GET", p + "/runs", self._list_runs),
            ("POST", p + "/runs", self._create_run),
            ("GET", p + "/runs/{run_id}", self._get_run),
            ("GET", p + "/runs/{run_id}/status-updates", self._status_updates),
            ("POST", p + "/runs/{run_id}/status", self._status),
            ("POST", p + "/runs/{run_id}/reminder", self._reminder),
            ("POST", p + "/runs/{run_id}/owner", self._owner),
            ("PUT", p + "/runs/{run_id}/finish", self._finish),
            ("PUT", p + "/runs/{run_id}/checklists/{c}/item/{i}/state", self._item_state),
            ("POST", p + "/query", self._graphql),
        ]
        for method, template, handler in routes:
            self.mm.route(method, template, self._guard(handler))
        _MOUNTED[self.mm] = self
        return self

    def _guard(self, handler: Callable[[Request], Response]) -> Callable[[Request], Response]:
        def guarded(request: Request) -> Response:
            if not self.active:  # a 2.x plugin without a licence does not activate
                return Response(
                    404,
                    body=b"404 page not found\n",
                    headers={"Content-Type": "text/plain; charset=utf-8"},
                )
            try:
                return handler(request)
            except HTTPError as err:  # the plugin's own error body, not Mattermost's
                return Response(err.status, json={"error": err.message})

        return guarded

    def seed_playbook(
        self,
        title: str,
        *,
        team: str,
        members: Iterable[str] = (),
        checklists: Iterable[tuple[str, Iterable[str]]] = (),
        public: bool = False,
        default_owner: str | None = None,
        invited: Iterable[str] = (),
        reminder_seconds: int = 86400,
    ) -> str:
        """A playbook of the team named ``team``; members and invited are usernames."""
        with self.mm.lock:
            pb = Playbook(
                new_id(),
                title,
                self._team_id(team),
                public,
                [self.user_id(m) for m in members],
                [Checklist(t, [Item(i) for i in items]) for t, items in checklists],
                default_owner_id=self.user_id(default_owner) if default_owner else "",
                default_owner_enabled=default_owner is not None,
                invited_user_ids=[self.user_id(u) for u in invited],
                invite_users_enabled=bool(list(invited)),
                reminder_timer_default_seconds=reminder_seconds,
            )
            self.playbooks[pb.id] = pb
            return pb.id

    def seed_run(
        self,
        playbook_id: str,
        name: str,
        *,
        owner: str,
        participants: Iterable[str] = (),
        reporter: str | None = None,
        created: int | None = None,
        status_posts: Iterable[int] = (),
        finished: bool = False,
    ) -> str:
        """A run as a person would have started it (usernames); ``status_posts`` are the
        instants (ms) of its status updates."""
        with self.mm.lock:
            pb = self.playbooks[playbook_id]
            owner_id = self.user_id(owner)
            created = self.clock() if created is None else created
            run = self._new_run(pb, name, "", owner_id, self.user_id(reporter or owner), created)
            for user in participants:
                if self.user_id(user) not in run.participant_ids:
                    run.participant_ids.append(self.user_id(user))
            for at in sorted(status_posts):
                run.status_posts.append(StatusPost(new_id(), "update", owner, at))
                run.last_status_update_at = at
            if finished:
                run.current_status, run.end_at = FINISHED, self.clock()
            return run.id

    def reset_reminder(self, run_id: str, at: int | None = None) -> None:
        """What the reminder's "snooze" does: last_status_update_at moves, no post."""
        with self.mm.lock:
            self.runs[run_id].last_status_update_at = self.clock() if at is None else at

    def user_id(self, ref: str) -> str:
        if ref in self.mm.users:
            return ref
        for user in self.mm.users.values():
            if user.username == ref.lower():
                return user.id
        raise KeyError(f"no user {ref!r}")

    def username(self, user_id: str) -> str:
        return self.mm.users[user_id].username

    def runs_of(self, playbook_id: str) -> list[Run]:
        with self.mm.lock:
            return [r for r in self.runs.values() if r.playbook_id == playbook_id]

    def participants(self, run_id: str) -> list[str]:
        """Usernames of the run's participants, in the order they joined."""
        with self.mm.lock:
            return [self.username(u) for u in self.runs[run_id].participant_ids]

    # ---- permissions (permissions_service.go) ---------------------------------------

    def _in_team(self, user_id: str, team_id: str) -> bool:
        team = self.mm.teams.get(team_id)
        return team is not None and user_id in team.members

    def _can_view_playbook(self, user_id: str, pb: Playbook) -> bool:
        if not self._in_team(user_id, pb.team_id):
            return False
        return pb.public or user_id in pb.members or user_id in self.admins

    def _can_view_run(self, user_id: str, run: Run) -> bool:
        if not self._in_team(user_id, run.team_id):
            return False
        if user_id == run.owner_user_id or user_id in run.participant_ids:
            return True
        pb = self.playbooks.get(run.playbook_id)
        return pb is not None and self._can_view_playbook(user_id, pb)

    def _can_manage_run(self, user_id: str, run: Run) -> bool:
        if not self._in_team(user_id, run.team_id):
            return False
        return (
            user_id == run.owner_user_id or user_id in run.participant_ids or user_id in self.admins
        )

    def _require_manage(self, request: Request, run: Run, *, exempt: bool = False) -> None:
        """The checkEditPermissions middleware: manage rights, and from v2.10 an active run."""
        if not self._can_manage_run(_user(request), run):
            raise _forbidden()
        if self.refuses_finished and not exempt and run.current_status == FINISHED:
            raise _error(400, "cannot modify a finished run")

    # ---- lookups -------------------------------------------------------------------

    def _team_id(self, name: str) -> str:
        for team in self.mm.teams.values():
            if team.name == name:
                return team.id
        raise KeyError(f"no team {name!r}")

    def _run(self, request: Request) -> Run:
        run = self.runs.get(request.path_params["run_id"])
        if run is None:  # GetPlaybookRun's ErrNotFound through HandleError
            raise _error(404, "Not found")
        return run

    def _new_run(
        self, pb: Playbook, name: str, summary: str, owner: str, reporter: str, created: int
    ) -> Run:
        team = self.mm.teams[pb.team_id]
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "run"
        channel = self.mm.seed_channel(
            team.name, f"{slug}-{new_id()[:6]}", display_name=name[:64], members=[owner]
        )
        run = Run(
            id=new_id(),
            name=name,
            summary=summary,
            owner_user_id=owner,
            reporter_user_id=reporter,
            team_id=pb.team_id,
            channel_id=channel,
            playbook_id=pb.id,
            create_at=created,
            checklists=[
                Checklist(c.title, [Item(i.title) for i in c.items]) for c in pb.checklists
            ],
            participant_ids=list(dict.fromkeys([owner, reporter])),
            last_status_update_at=created,
            previous_reminder_seconds=pb.reminder_timer_default_seconds,
        )
        self.runs[run.id] = run
        return run

    # ---- playbooks -----------------------------------------------------------------

    def _list_playbooks(self, request: Request) -> Response:
        user = _user(request)
        team_id = request.arg("team_id") or ""
        if team_id and not self._in_team(user, team_id):
            raise _forbidden()
        page, per_page = _paging(request, "page", "per_page", PER_PAGE_DEFAULT)
        term = (request.arg("search_term") or "").lower()
        archived = (request.arg("with_archived") or "").lower() in ("1", "true")
        found = [
            pb
            for pb in self.playbooks.values()
            if (not team_id or pb.team_id == team_id)
            and self._can_view_playbook(user, pb)
            and term in pb.title.lower()
            and (archived or not pb.delete_at)
        ]
        found.sort(key=lambda pb: pb.title.lower())
        return Response(200, json=_page([playbook_json(p) for p in found], page, per_page))

    def _get_playbook(self, request: Request) -> Response:
        pb = self.playbooks.get(request.path_params["playbook_id"])
        if pb is None:
            raise _error(404, "Playbook not found")
        if not self._can_view_playbook(_user(request), pb):
            raise _forbidden()
        return Response(200, json=playbook_json(pb))

    # ---- runs: reads ---------------------------------------------------------------

    def _list_runs(self, request: Request) -> Response:
        user = _user(request)
        filters = _run_filters(request)
        page, per_page = _paging(request, "page", "per_page", PER_PAGE_DEFAULT)
        found = [r for r in self.runs.values() if self._can_view_run(user, r) and filters(r)]
        sort = (request.arg("sort") or "create_at").lower()
        if sort not in ("create_at", "id", "name", "end_at", "last_status_update_at"):
            raise _error(400, "Bad parameter")
        direction = (request.arg("direction") or "ASC").upper()
        if direction not in ("ASC", "DESC"):
            raise _error(400, "Bad parameter")
        found.sort(key=lambda r: (getattr(r, sort), r.id), reverse=direction == "DESC")
        return Response(200, json=_page([run_json(r) for r in found], page, per_page))

    def _get_run(self, request: Request) -> Response:
        run = self._run(request)
        if not self._can_view_run(_user(request), run):
            raise _forbidden()
        return Response(200, json=run_json(run))

    def _status_updates(self, request: Request) -> Response:
        run = self._run(request)
        if not self._can_view_run(_user(request), run):
            raise _error(403, "not authorized to get status updates")
        posts = [p for p in run.status_posts if not p.delete_at]  # GetPost fails on deleted
        posts.sort(key=lambda p: p.create_at, reverse=True)
        return Response(
            200,
            json=[
                {
                    "id": p.id,
                    "create_at": p.create_at,
                    "delete_at": p.delete_at,
                    "message": p.message,
                    "author_user_name": p.author,
                }
                for p in posts
            ],
        )

    # ---- runs: writes --------------------------------------------------------------

    def _create_run(self, request: Request) -> Response:
        body = request.json
        if not isinstance(body, dict):
            raise _error(400, "unable to decode playbook run create options")
        user = _user(request)
        owner = str(body.get("owner_user_id") or "")
        team_id = str(body.get("team_id") or "")
        name = str(body.get("name") or "")
        if not team_id and not body.get("channel_id"):
            raise _error(400, "unable to create playbook run")
        if not owner:
            raise _error(400, "unable to create playbook run")
        if not name.strip():
            raise _error(400, "unable to create playbook run")
        pb = self.playbooks.get(str(body.get("playbook_id") or ""))
        if pb is None:
            raise _error(500, INTERNAL)
        if pb.delete_at:
            raise _error(500, INTERNAL)
        if user not in pb.members and user not in self.admins:  # RunCreate
            raise _error(403, "unable to create playbook run")
        if pb.team_id != team_id or not self._in_team(user, team_id):
            raise _error(403, "unable to create playbook run")
        if pb.default_owner_enabled and self._in_team(pb.default_owner_id, team_id):
            owner = pb.default_owner_id
        summary = str(body.get(self.summary_field) or "")
        run = self._new_run(pb, name, summary, owner, user, self.clock())
        if pb.invite_users_enabled:
            self._add_participants(run, pb.invited_user_ids, user)
        return Response(201, json=run_json(run), headers={"Location": f"/api/v0/runs/{run.id}"})

    def _status(self, request: Request) -> Response:
        run = self._run(request)
        self._require_manage(request, run)
        body = request.json if isinstance(request.json, dict) else None
        if body is None:
            raise _error(400, "unable to decode body into StatusUpdateOptions")
        message = str(body.get("message") or "").strip()
        if not message:
            raise _error(400, "message must not be empty")
        finish = bool(body.get("finish_run"))
        reminder = body.get("reminder") or 0
        if not isinstance(reminder, int | float) or (reminder <= 0 and not finish):
            raise _error(400, "the reminder must be set and not 0")
        now = self.clock()
        author = self.username(_user(request))
        run.status_posts.append(StatusPost(new_id(), message, author, now))
        run.last_status_update_at = now  # SetNewReminder
        run.previous_reminder_seconds = 0 if finish else int(reminder)
        if finish:
            self._finish_run(run)
        return Response(200, json={"status": "OK"})

    def _reminder(self, request: Request) -> Response:
        run = self._run(request)
        body = request.json if isinstance(request.json, dict) else {}
        seconds = body.get("new_reminder_seconds")
        if not isinstance(seconds, int) or seconds <= 0:
            raise _error(400, "new_reminder_seconds must be > 0")
        self._require_manage(request, run)
        run.previous_reminder_seconds = seconds
        run.last_status_update_at = self.clock()
        return Response(204)

    def _owner(self, request: Request) -> Response:
        run = self._run(request)
        self._require_manage(request, run)
        body = request.json if isinstance(request.json, dict) else None
        if body is None:
            raise _error(400, "could not decode request body")
        owner = str(body.get("owner_id") or "")
        if not self._in_team(owner, run.team_id):
            raise _error(500, INTERNAL)
        if owner != run.owner_user_id:
            run.owner_user_id = owner
            if owner not in run.participant_ids:
                run.participant_ids.append(owner)
        return Response(200, json={})

    def _finish(self, request: Request) -> Response:
        run = self._run(request)
        # v2.10 moved finish out of the edit middleware: no finished-run check for it.
        if not self._can_manage_run(_user(request), run):
            raise _forbidden()
        self._finish_run(run)
        return Response(200, json={"status": "OK"})

    def _finish_run(self, run: Run) -> None:
        if run.current_status != FINISHED:
            run.current_status, run.end_at = FINISHED, self.clock()

    def _item_state(self, request: Request) -> Response:
        run = self._run(request)
        self._require_manage(request, run)
        try:
            c, i = int(request.path_params["c"]), int(request.path_params["i"])
        except ValueError:
            raise _error(400, "failed to parse checklist") from None
        body = request.json if isinstance(request.json, dict) else None
        if body is None:
            raise _error(400, "failed to unmarshal")
        state = body.get("new_state")
        if not isinstance(state, str) or state not in STATES:
            raise _error(400, "bad parameter new state")
        if not (0 <= c < len(run.checklists)) or not (0 <= i < len(run.checklists[c].items)):
            raise _error(500, INTERNAL)  # errors.New("invalid ...") through HandleError
        item = run.checklists[c].items[i]
        if item.state != state:
            item.state, item.state_modified = state, self.clock()
        return Response(200, json={})

    # ---- GraphQL -------------------------------------------------------------------

    def _graphql(self, request: Request) -> Response:
        body = request.json
        if not isinstance(body, dict):
            return Response(200)  # the handler logs and returns without a body
        if not body.get("operationName"):
            return Response(200)  # "Invalid blank operation name" outside developer mode
        query = str(body.get("query") or "")
        variables = body.get("variables") if isinstance(body.get("variables"), dict) else {}
        field_name = ""
        try:
            field_name, args = _parse_mutation(query, variables or {})
            if field_name == "addRunParticipants":
                self._gql_add_participants(request, args)
            elif field_name == "updateRun":
                self._gql_update_run(request, args)
            else:
                raise ValueError(field_name)
        except (ValueError, KeyError, TypeError, HTTPError):
            return Response(
                200,
                json={
                    "errors": [
                        {
                            "message": GRAPHQL_ERROR,
                            "locations": [{"line": 0, "column": 0}],
                            "path": [field_name] if field_name else [],
                        }
                    ],
                    "data": None,
                },
            )
        return Response(200, json={"data": {field_name: ""}})

    def _gql_add_participants(self, request: Request, args: Json) -> None:
        user = _user(request)
        run = self.runs[str(args["runID"])]
        ids = [str(u) for u in args["userIDs"]]
        if ids == [user]:
            if not self._can_view_run(user, run):
                raise ValueError("attempted to join run without permissions")
        else:
            if not self._can_manage_run(user, run):
                raise ValueError("attempted to modify participants without permissions")
            if self.refuses_finished and run.current_status == FINISHED:
                raise ValueError("cannot modify a finished run")
        self._add_participants(run, ids, user)

    def _add_participants(self, run: Run, ids: Iterable[str], requester: str) -> None:
        for uid in ids:
            if not self._in_team(uid, run.team_id):
                continue  # failedInvitedUserActions: a message in the channel, no error
            if uid not in run.participant_ids:
                run.participant_ids.append(uid)
            if uid not in run.followers:
                run.followers.append(uid)
            run.timeline.append({"event_type": "participant_joined", "user": uid, "by": requester})

    def _gql_update_run(self, request: Request, args: Json) -> None:
        run = self.runs[str(args["id"])]
        if not self._can_manage_run(_user(request), run):
            raise ValueError("no permission")
        if self.refuses_finished and run.current_status == FINISHED:
            raise ValueError("cannot modify a finished run")
        updates = args["updates"]
        if not isinstance(updates, dict):
            raise TypeError("updates")
        if "name" in updates:
            run.name = str(updates["name"])
        if "summary" in updates:
            run.summary = str(updates["summary"]).strip()


# ---- helpers ---------------------------------------------------------------------------


def _user(request: Request) -> str:
    return str(request.context["user_id"])


def _paging(request: Request, page_key: str, per_key: str, default: int) -> tuple[int, int]:
    try:
        page = int(request.arg(page_key) or 0)
        per_page = int(request.arg(per_key) or 0)
    except ValueError:
        raise _error(400, "Bad parameter") from None
    if page < 0 or per_page < 0:
        raise _error(400, "Bad parameter")
    return page, per_page or default


def _page(items: list[Json], page: int, per_page: int) -> Json:
    chunk = items[page * per_page : (page + 1) * per_page]
    return {
        "total_count": len(items),
        "page_count": math.ceil(len(items) / per_page) if items else 0,
        "per_page": per_page,
        "has_more": (page + 1) * per_page < len(items),
        "items": chunk,
    }


def _run_filters(request: Request) -> Callable[[Run], bool]:
    ids = {}
    for key in ("team_id", "playbook_id", "owner_user_id", "participant_id"):
        value = request.arg(key) or ""
        if value and not is_valid_id(value):
            raise _error(400, "Bad parameter")
        ids[key] = value
    statuses = request.query.get("statuses") or []
    if any(s not in (IN_PROGRESS, FINISHED) for s in statuses):
        raise _error(400, "Bad parameter")
    started_gte = int(request.arg("started_gte") or 0)
    started_lt = int(request.arg("started_lt") or 0)

    def keep(run: Run) -> bool:
        return (
            (not ids["team_id"] or run.team_id == ids["team_id"])
            and (not ids["playbook_id"] or run.playbook_id == ids["playbook_id"])
            and (not ids["owner_user_id"] or run.owner_user_id == ids["owner_user_id"])
            and (not ids["participant_id"] or ids["participant_id"] in run.participant_ids)
            and (not statuses or run.current_status in statuses)
            and (not started_gte or run.create_at >= started_gte)
            and (not started_lt or run.create_at < started_lt)
        )

    return keep


_FIELD = re.compile(r"^\s*mutation\b[^{]*\{\s*(\w+)\s*\((.*?)\)\s*\}\s*$", re.DOTALL)
_ARG = re.compile(r"(\w+)\s*:\s*(\$\w+|\"(?:[^\"\\]|\\.)*\"|true|false)")


def _parse_mutation(query: str, variables: Json) -> tuple[str, Json]:
    """The one mutation field of ``query`` and its arguments (variables or simple literals)."""
    match = _FIELD.match(query)
    if match is None:
        raise ValueError("not a single mutation")
    args: Json = {}
    for name, raw in _ARG.findall(match.group(2)):
        if raw.startswith("$"):
            if raw[1:] not in variables:
                raise KeyError(raw)
            args[name] = variables[raw[1:]]
        elif raw in ("true", "false"):
            args[name] = raw == "true"
        else:
            args[name] = raw[1:-1]
    return match.group(1), args
