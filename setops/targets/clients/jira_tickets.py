"""SET tickets through the Jira client: read them as they are, hand each over in one write.

Reading. Jira Cloud's search lags behind writes (`/rest/api/3/search/jql` is eventually
consistent): a comment or an assignment made a moment ago may not show in its results.
Whether a ticket was already handed over is read from its marker comment and assignee,
so those must not come from a stale result: the tickets are found by an id-only search,
then read in searches of at most 50 ids that name those ids in `reconcileIssues`, which
Jira answers read-after-write consistent. Server/DC's search does not lag.

Writing. One edit-issue request sets the assignee and adds the marker comment together
(`fields.assignee` and `update.comment[].add`), so a crash cannot leave one without the
other. A lost answer is followed by a read of the ticket's comments for the marker before
the edit is sent again. Where the project's edit screen lacks the assignee or the comment
field, Jira refuses the edit (400, "Field 'assignee' cannot be set. It is not on the
appropriate screen, or unknown."), and setops falls back, for the rest of the run, to the
comment endpoint and then the assignee endpoint: a run that stops between the two finds
the marker with the ticket still on the outgoing person, and finishes the move.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from setops.config.jql import joined, literal
from setops.targets.clients.jira import RECONCILE_MAX, JiraClient, JiraRefusal, Json
from setops.targets.http import create_once
from setops.ticket import Comment, Ticket

log = logging.getLogger(__name__)
Paragraphs = Sequence[Sequence[tuple[str, str | None]]]


# ---- comment bodies -------------------------------------------------------------------


def text_of(node: Any) -> str:
    """The plain text of an ADF document (Cloud) or of a plain string (Server/DC)."""
    if isinstance(node, str):
        return node
    if isinstance(node, dict):
        if node.get("type") == "text":
            return str(node.get("text", ""))
        parts = [text_of(child) for child in node.get("content") or []]
        sep = "\n" if node.get("type") in ("doc", "bulletList", "orderedList") else ""
        return sep.join(parts)
    return ""


def adf(paragraphs: Paragraphs) -> Json:
    """An ADF document: paragraphs of (text, link-or-None) runs."""
    content = []
    for runs in paragraphs:
        nodes: list[Json] = []
        for text, link in runs:
            node: Json = {"type": "text", "text": text}
            if link:
                node["marks"] = [{"type": "link", "attrs": {"href": link}}]
            nodes.append(node)
        content.append({"type": "paragraph", "content": nodes})
    return {"type": "doc", "version": 1, "content": content}


def comment_body(client: JiraClient, paragraphs: Paragraphs) -> Any:
    """The body of a comment as each deployment takes it: ADF on Cloud (v3), wiki text with
    `[text|link]` links on Server/DC (v2)."""
    if client.cloud:
        return adf(paragraphs)
    return "\n\n".join(
        "".join(f"[{t}|{link}]" if link else t for t, link in runs) for runs in paragraphs
    )


# ---- reading ------------------------------------------------------------------------


def read_tickets(client: JiraClient, jql: str) -> list[Ticket]:
    """The tickets matching `jql` as they are now, with all their comments (fetched apart
    only when the search returned just some of them)."""
    issues = _consistent_issues(client, jql) if client.cloud else list(client.search(jql))
    return client.each(lambda issue: _ticket(client, issue), issues)


def _consistent_issues(client: JiraClient, jql: str) -> list[Json]:
    """Cloud: the issues found by `jql`, each read after-write consistent."""
    ids = client.ids(jql)
    chunks = [ids[n : n + RECONCILE_MAX] for n in range(0, len(ids), RECONCILE_MAX)]

    def read(chunk: list[str]) -> list[Json]:
        named = joined(jql, f"id in ({', '.join(literal(i) for i in chunk)})")
        return list(client.search(named, page=RECONCILE_MAX, reconcile=chunk))

    found = {str(issue.get("id")): issue for batch in client.each(read, chunks) for issue in batch}
    return [found[i] for i in ids if i in found]  # one closed meanwhile is gone from both


def _instant(text: Any) -> dt.datetime:
    value = dt.datetime.fromisoformat(str(text))
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _user(value: Any, cloud: bool) -> tuple[str | None, str | None]:
    if not isinstance(value, dict):
        return None, None
    ident = value.get("accountId") if cloud else value.get("name")
    return (str(ident) if ident else None), value.get("displayName")


def _comment(raw: Json) -> Comment:
    return Comment(_instant(raw.get("created")), text_of(raw.get("body")))


def _ticket(client: JiraClient, issue: Json) -> Ticket:
    fields = issue.get("fields") or {}
    key = str(issue["key"])
    block = fields.get("comment") or {}
    raw_comments = [c for c in block.get("comments") or [] if isinstance(c, dict)]
    if int(block.get("total", len(raw_comments))) > len(raw_comments):
        raw_comments = client.comments(key)
    assignee, assignee_name = _user(fields.get("assignee"), client.cloud)
    return Ticket(
        key=key,
        summary=str(fields.get("summary") or ""),
        status=str((fields.get("status") or {}).get("name") or "?"),
        priority=(fields.get("priority") or {}).get("name"),
        assignee=assignee,
        assignee_name=assignee_name,
        created=_instant(fields.get("created") or "1970-01-01T00:00:00+00:00"),
        comments=tuple(_comment(c) for c in raw_comments),
        url=client.browse_url(key),
        id=str(issue.get("id") or ""),
    )


def has_marker(client: JiraClient, key: str, marker: str) -> bool:
    """Whether a comment on `key` holds `marker` (read from the issue: consistent)."""
    return any(marker in text_of(c.get("body")) for c in client.comments(key))


# ---- writing ------------------------------------------------------------------------


def hand_over(client: JiraClient, key: str, user: str, paragraphs: Paragraphs, marker: str) -> None:
    """Give `key` to `user` with the handover comment (which holds `marker`), in one
    edit-issue request where the edit screen allows it.

    Until Jira has taken or refused one edit, tickets go one at a time: which way works is
    a property of the project, learnt once, and then the writes run side by side."""
    body = comment_body(client, paragraphs)
    if not client.way_known:
        with client.first_write:
            if not client.way_known:
                _move(client, key, user, body, marker)
                return
    _move(client, key, user, body, marker)


def _move(client: JiraClient, key: str, user: str, body: Any, marker: str) -> None:
    if not client.separate_writes:
        try:
            _edit_once(client, key, user, body, marker)
            client.way_known = True
            return
        except JiraRefusal as refusal:
            if refusal.status != 400 or not refusal.off_screen:
                raise
            client.fall_back(key, refusal)
    add_comment(client, key, body, marker)
    client.assign(key, user)


def _edit_once(client: JiraClient, key: str, user: str, body: Any, marker: str) -> None:
    what = f"hand {key} over to {user} (assignee and comment in one edit)"
    fields = {"assignee": client.user_value(user)}
    update = {"comment": [{"add": {"body": body}}]}

    def send() -> bool:
        client.edit(key, what, fields, update)
        return True

    create_once(send, lambda: True if has_marker(client, key, marker) else None)


def add_comment(client: JiraClient, key: str, body: Any, marker: str) -> None:
    """Add the comment holding `marker` to `key`; after a lost answer the ticket's comments
    are read for the marker before it is tried again, so it is never made twice."""

    def send() -> bool:
        client.comment(key, body)
        return True

    create_once(send, lambda: True if has_marker(client, key, marker) else None)
