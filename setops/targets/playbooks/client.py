"""The Mattermost Playbooks plugin's API, as setops calls it (plugin 1.39-1.41 and 2.0-2.10).

The plugin lives on the Mattermost server (MATTERMOST_URL, the bot's MATTERMOST_TOKEN)
under /plugins/playbooks/api/v0. Its REST API has no call to add participants to a run:
that is the GraphQL mutation `addRunParticipants` at /query, as the web app does it. A
few Mattermost API v4 calls name the bot, the team and users.

Writes that are not idempotent (a run, a status update, a GraphQL mutation, a new owner)
are sent once: after a lost answer or a 5xx the state is read again and the write is
repeated only when it did not happen (`create_once`). PUTs (finish, a checklist item's
state) are idempotent on the server and retried by the session.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import requests

from setops.errors import SetopsError
from setops.targets.http import (
    JsonApi,
    Session,
    VendorError,
    connection_error,
    create_once,
)

PLUGIN = "/plugins/playbooks/api/v0"
PER_PAGE = 100
MAX_PAGES = 100  # 10,000 runs: more is not a SET team's playbook
Json = dict[str, Any]


class PluginMissing(SetopsError):
    """The server answers 404 on the plugin's routes."""


class PlaybooksClient:
    """One Mattermost server's Playbooks plugin, as the setops bot."""

    def __init__(self, url: str, token: str) -> None:
        base = url.strip().rstrip("/").removesuffix("/api/v4")
        session = Session({"Authorization": f"Bearer {token}"})
        self.api = JsonApi("playbooks", base, "MATTERMOST_URL", [token], session)

    @property
    def requests(self) -> int:
        return self.api.requests

    # ---- plumbing ------------------------------------------------------------------

    def _get(self, path: str, what: str, params: Mapping[str, Any] | None = None) -> Any:
        response = self.api.send("GET", path, what, params=params)
        return self.api.json(response, what)

    def _send(self, method: str, path: str, what: str, body: Any = None) -> Any:
        try:
            response = self.api.send(method, path, what, body=body)
        except VendorError as exc:
            raise _explained(exc) from None
        return self.api.json(response, what)

    def once(self, write: Callable[[], object], done: Callable[[], bool], what: str) -> None:
        """Carry out `write` unless, after a lost answer, `done` says it happened."""
        try:
            create_once(write, lambda: True if done() else None)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise connection_error("playbooks", what, exc) from None

    # ---- Mattermost API v4 -------------------------------------------------------------

    def me(self) -> str:
        return self.me_user()[0]

    def me_user(self) -> tuple[str, str]:
        """The bot's (user id, username)."""
        data = self._get("/api/v4/users/me", "read the bot's own user")
        return str(data["id"]), str(data["username"])

    def team_id(self, team: str) -> str:
        """The id of the team named `team` (mattermost.team)."""
        try:
            data = self._get(f"/api/v4/teams/name/{team}", f"read the team {team!r}")
        except VendorError as exc:
            if exc.status not in (403, 404):
                raise
            raise SetopsError(
                f"playbooks: Mattermost has no team {team!r} the bot is on (HTTP {exc.status}): "
                "add the bot to the team, or correct mattermost.team in "
                "policies/integrations.yaml"
            ) from None
        return str(data["id"])

    def user_ids(self, usernames: Iterable[str]) -> dict[str, str]:
        """Username -> id, one GET each; a username Mattermost does not know is an error."""
        found: dict[str, str] = {}
        for name in sorted(set(usernames)):
            try:
                user = self._get(f"/api/v4/users/username/{name}", f"look up user @{name}")
            except VendorError as exc:
                if exc.status != 404:
                    raise
                raise SetopsError(
                    f"playbooks: Mattermost has no user @{name}; check `mattermost:` in "
                    "rotations/roster.yaml"
                ) from None
            found[name] = str(user["id"])
        return found

    def usernames(self, user_ids: Iterable[str]) -> dict[str, str]:
        """Id -> username, one GET each, for the ids Mattermost knows."""
        found: dict[str, str] = {}
        for user_id in sorted(set(user_ids)):
            try:
                user = self._get(f"/api/v4/users/{user_id}", f"look up user {user_id}")
            except VendorError as exc:
                if exc.status not in (400, 404):
                    raise
                continue
            found[user_id] = str(user["username"])
        return found

    # ---- playbooks and runs: reads -----------------------------------------------------

    def playbook(self, team_id: str, title: str, setting: str) -> Json:
        """The team's playbook named `title` (as the bot sees it); `setting` is its place
        in policies/integrations.yaml, for the messages."""
        what = f"find the playbook {title!r}"
        try:
            found = self._pages("/playbooks", what, {"team_id": team_id, "search_term": title})
        except VendorError as exc:
            if exc.status == 404:
                raise PluginMissing(
                    f"playbooks: {self.api.base} answers 404 on the Playbooks plugin's API "
                    "(/plugins/playbooks): the plugin is not installed or not enabled, or a "
                    "2.x plugin has no Enterprise licence (Team Edition stays on 1.x). Enable "
                    "it, or set `playbooks: enabled: false` in policies/integrations.yaml"
                ) from None
            raise _explained(exc) from None
        same = [p for p in found if _same_title(p.get("title"), title)]
        if not same:
            raise SetopsError(
                f"playbooks: no playbook {title!r} that the bot can see in the team ({setting}): "
                "create it, or add the bot to its members (docs/playbooks.md)"
            )
        if len(same) > 1:
            raise SetopsError(
                f"playbooks: {len(same)} playbooks are named {title!r} ({setting}); "
                "rename all but one"
            )
        return same[0]

    def runs(self, what: str, **filters: Any) -> list[Json]:
        return self._pages("/runs", what, {"sort": "create_at", "direction": "ASC", **filters})

    def run(self, run_id: str) -> Json:
        data = self._get(f"{PLUGIN}/runs/{run_id}", f"read run {run_id}")
        return dict(self.api.shape(data, dict, f"read run {run_id}", 200, "run"))

    def status_updates(self, run_id: str, name: str) -> list[Json]:
        data = self._get(f"{PLUGIN}/runs/{run_id}/status-updates", f"read the updates of {name!r}")
        return list(self.api.shape(data or [], list, "read status updates", 200, "list"))

    def _pages(self, path: str, what: str, params: Mapping[str, Any]) -> list[Json]:
        items: list[Json] = []
        for page in range(MAX_PAGES):
            data = self._get(PLUGIN + path, what, {**params, "page": page, "per_page": PER_PAGE})
            data = self.api.shape(data, dict, what, 200, "page of results")
            items += list(self.api.shape(data.get("items"), list, what, 200, "items"))
            if not data.get("has_more"):
                return items
        raise SetopsError(f"playbooks: {what}: more than {MAX_PAGES * PER_PAGE} results")

    # ---- runs: writes ----------------------------------------------------------------

    def create_run(self, body: Json, find: Callable[[], Json | None]) -> Json:
        """Start a run, once: after a lost answer `find` looks for it before a retry."""
        what = f"start the run {body.get('name')!r}"

        def create() -> Json:
            return dict(self._send("POST", PLUGIN + "/runs", what, body))

        try:
            return create_once(create, find)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise connection_error("playbooks", what, exc) from None

    def finish(self, run_id: str, name: str) -> None:
        self._send("PUT", f"{PLUGIN}/runs/{run_id}/finish", f"finish the run {name!r}")

    def set_item_state(self, run_id: str, where: tuple[int, int], state: str, title: str) -> None:
        checklist, item = where
        self._send(
            "PUT",
            f"{PLUGIN}/runs/{run_id}/checklists/{checklist}/item/{item}/state",
            f"tick {title!r}",
            {"new_state": state},
        )

    def change_owner(self, run_id: str, owner_id: str, name: str) -> None:
        what = f"make {owner_id} the owner of {name!r}"
        self.once(
            lambda: self._send(
                "POST", f"{PLUGIN}/runs/{run_id}/owner", what, {"owner_id": owner_id}
            ),
            lambda: self.run(run_id).get("owner_user_id") == owner_id,
            what,
        )

    def post_status(
        self, run_id: str, message: str, reminder_seconds: int, done: Callable[[], bool]
    ) -> None:
        what = "post a status update"
        body = {"message": message, "reminder": reminder_seconds}
        self.once(
            lambda: self._send("POST", f"{PLUGIN}/runs/{run_id}/status", what, body), done, what
        )

    def add_participants(self, run_id: str, user_ids: list[str], name: str) -> None:
        """Make `user_ids` participants (GraphQL addRunParticipants), once."""
        what = f"add participants to {name!r}"
        query = (
            "mutation AddRunParticipants($runID: String!, $userIDs: [String!]!) "
            "{ addRunParticipants(runID: $runID, userIDs: $userIDs) }"
        )
        variables = {"runID": run_id, "userIDs": user_ids}
        self.once(
            lambda: self._graphql("AddRunParticipants", query, variables, what),
            lambda: set(user_ids) <= set(self.run(run_id).get("participant_ids") or []),
            what,
        )

    def update_summary(self, run_id: str, summary: str, name: str) -> None:
        what = f"set the summary of {name!r}"
        query = (
            "mutation UpdateRun($id: String!, $updates: RunUpdates!) "
            "{ updateRun(id: $id, updates: $updates) }"
        )
        variables = {"id": run_id, "updates": {"summary": summary}}
        self.once(
            lambda: self._graphql("UpdateRun", query, variables, what),
            lambda: self.run(run_id).get("summary") == summary,
            what,
        )

    def _graphql(self, operation: str, query: str, variables: Json, what: str) -> Any:
        body = {"operationName": operation, "query": query, "variables": variables}
        data = self._send("POST", PLUGIN + "/query", what, body)
        if not isinstance(data, dict):
            raise VendorError("playbooks", what, 200, "the GraphQL endpoint gave no answer")
        errors = data.get("errors")
        if errors:
            message = "; ".join(str(e.get("message", e)) for e in errors if isinstance(e, dict))
            raise VendorError(
                "playbooks",
                what,
                200,
                f"{message or errors} (the plugin hides the reason; the usual one is that the "
                "bot takes no part in the run, or the run is finished)",
            )
        return data.get("data")


def _same_title(found: object, wanted: str) -> bool:
    return (
        isinstance(found, str)
        and " ".join(found.split()).casefold() == " ".join(wanted.split()).casefold()
    )


def _explained(exc: VendorError) -> VendorError:
    """A 403 from the plugin says only 'Not authorized': say what the bot needs."""
    if exc.status == 403:
        return VendorError(
            exc.target,
            exc.what,
            exc.status,
            f"{exc.vendor_message} (the bot must be a member of the playbook to start its runs, "
            "and take part in a run to change it; docs/playbooks.md)",
        )
    if exc.status == 401:
        return VendorError(
            exc.target, exc.what, exc.status, f"{exc.vendor_message} (check MATTERMOST_TOKEN)"
        )
    return exc


def playbooks_client(env: Mapping[str, str]) -> PlaybooksClient:
    missing = [n for n in ("MATTERMOST_URL", "MATTERMOST_TOKEN") if not (env.get(n) or "").strip()]
    if missing:
        raise SetopsError(f"playbooks: set {' and '.join(missing)}")
    return PlaybooksClient(env["MATTERMOST_URL"], env["MATTERMOST_TOKEN"].strip())
