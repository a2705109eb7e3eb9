"""The fake Jira's data model, its pure helpers (timestamps, ADF, LexoRank-like ranks,
``fields`` selection) and the JSON views of the model, per deployment and API version.

Kept apart from :mod:`tests.fakes.jira` (the HTTP side) so each stays readable. Nothing
here imports from ``setops``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

Json = dict[str, Any]

# Jira's timestamp format in REST bodies: millisecond precision and a +hhmm offset.
JIRA_TIME_FORMAT: Final = "%Y-%m-%dT%H:%M:%S.{ms:03d}%z"

# statusCategory: key -> (id, name, colorName), as Jira ships them.
STATUS_CATEGORIES: Final[dict[str, tuple[int, str, str]]] = {
    "undefined": (1, "No Category", "medium-gray"),
    "new": (2, "To Do", "blue-gray"),
    "done": (3, "Done", "green"),
    "indeterminate": (4, "In Progress", "yellow"),
}

AVATAR_SIZES: Final = ("48x48", "24x24", "16x16", "32x32")


def format_time(instant: datetime) -> str:
    utc = instant.astimezone(UTC)
    return utc.strftime(JIRA_TIME_FORMAT.format(ms=utc.microsecond // 1000))


# ==========================================================================
# Model
# ==========================================================================


@dataclass
class JiraUser:
    """One user; Cloud identifies it by ``account_id``, Server/DC by ``name`` (and ``key``)."""

    account_id: str
    name: str
    key: str
    display_name: str
    email: str
    active: bool = True
    assignable: bool = True
    time_zone: str = "UTC"


@dataclass(frozen=True)
class Status:
    id: str
    name: str
    category: str  # a STATUS_CATEGORIES key


@dataclass(frozen=True)
class Priority:
    id: str
    name: str


@dataclass(frozen=True)
class IssueType:
    id: str
    name: str
    subtask: bool = False


@dataclass
class Project:
    id: str
    key: str
    name: str
    default_assignee: JiraUser | None = None  # what assigning "-1" ("automatic") picks


@dataclass
class Comment:
    id: str
    author: JiraUser
    text: str  # the v2 (plain/wiki) body
    adf: Json  # the v3 (Atlassian Document Format) body
    created: datetime
    updated: datetime


@dataclass
class Issue:
    id: int
    key: str
    project: Project
    summary: str
    status: Status
    priority: Priority
    issuetype: IssueType
    labels: list[str]
    assignee: JiraUser | None
    reporter: JiraUser | None
    created: datetime
    updated: datetime
    rank: str  # digits of the LexoRank-like global order; see rank_between()
    description: str = ""
    comments: list[Comment] = field(default_factory=list)

    @property
    def number(self) -> int:
        return int(self.key.rsplit("-", 1)[1])


@dataclass
class Board:
    id: int
    name: str
    jql: str  # the board's saved filter


# ==========================================================================
# Atlassian Document Format <-> plain text
# ==========================================================================


def text_to_adf(text: str) -> Json:
    """Plain text as an ADF document: a blank line starts a paragraph, a newline is a
    hardBreak -- how Jira Cloud shows a v2 (wiki) body through v3."""
    paragraphs = [p for p in text.split("\n\n") if p != ""]
    content: list[Json] = []
    for paragraph in paragraphs:
        inline: list[Json] = []
        for index, line in enumerate(paragraph.split("\n")):
            if index:
                inline.append({"type": "hardBreak"})
            if line:
                inline.append({"type": "text", "text": line})
        content.append({"type": "paragraph", "content": inline})
    return {"type": "doc", "version": 1, "content": content}


def adf_to_text(node: Mapping[str, Any]) -> str:
    """The text of an ADF document (blocks separated by a blank line); the v2 view."""
    if node.get("type") == "text":
        return str(node.get("text", ""))
    if node.get("type") == "hardBreak":
        return "\n"
    children = [c for c in node.get("content", []) if isinstance(c, Mapping)]
    if node.get("type") in ("doc", "bulletList", "orderedList", "listItem", "blockquote"):
        return "\n\n".join(adf_to_text(c) for c in children)
    return "".join(adf_to_text(c) for c in children)


def is_adf_document(value: object) -> bool:
    return (
        isinstance(value, Mapping)
        and value.get("type") == "doc"
        and value.get("version") == 1
        and isinstance(value.get("content"), list)
    )


# ==========================================================================
# Ranks: fractional indexing over base-36 digits, shown LexoRank-style
# ==========================================================================

RANK_DIGITS: Final = "0123456789abcdefghijklmnopqrstuvwxyz"


def rank_between(before: str | None, after: str | None) -> str:
    """A digit string strictly between ``before`` and ``after`` (None = open end).

    Like Jira's LexoRank, moving an issue changes only that issue's rank; neighbours keep
    theirs. Results never end in "0", so a shorter string is never equal to a padded one.
    """
    return _midpoint(before or "", after)


def _midpoint(low: str, high: str | None) -> str:
    if high is not None:
        common = 0
        while common < len(high) and (low[common] if common < len(low) else "0") == high[common]:
            common += 1
        if common:
            return high[:common] + _midpoint(low[common:], high[common:])
    digit_low = RANK_DIGITS.index(low[0]) if low else 0
    digit_high = RANK_DIGITS.index(high[0]) if high else len(RANK_DIGITS)
    if digit_high - digit_low > 1:
        return RANK_DIGITS[(digit_low + digit_high) // 2]
    if high is not None and len(high) > 1:
        return high[:1]
    return RANK_DIGITS[digit_low] + _midpoint(low[1:], None)


def rank_display(digits: str) -> str:
    """``0|hzzzzz:`` style: bucket, six padded digits, then any finer digits. Padding on
    the right keeps lexicographic order equal to rank order."""
    return f"0|{digits[:6].ljust(6, '0')}:{digits[6:]}"


# ==========================================================================
# `fields` selection (search and get-issue)
# ==========================================================================

SYSTEM_FIELDS: Final = (
    "summary",
    "status",
    "priority",
    "labels",
    "issuetype",
    "assignee",
    "reporter",
    "created",
    "updated",
    "project",
    "description",
    "resolution",
    "comment",
)
NOT_NAVIGABLE: Final = frozenset({"comment"})  # comments are no issue-navigator column


def select_fields(requested: Iterable[str], default: str, all_ids: Sequence[str]) -> list[str]:
    """The field ids a ``fields`` parameter selects: ``*all``, ``*navigable``, ``id``, named
    fields, and ``-name`` exclusions; comma lists and repeated parameters both work."""
    names = [part.strip() for item in requested for part in item.split(",") if part.strip()]
    if not names:
        names = [default]
    includes = [n for n in names if not n.startswith("-")]
    excludes = {n[1:] for n in names if n.startswith("-")}
    if not includes:  # only exclusions: they apply to the navigable set (Jira's rule)
        includes = ["*navigable"]
    chosen: list[str] = []
    for name in includes:
        if name == "*all":
            chosen += all_ids
        elif name == "*navigable":
            chosen += [f for f in all_ids if f not in NOT_NAVIGABLE]
        elif name in all_ids:
            chosen.append(name)
    unique = list(dict.fromkeys(chosen))
    return [f for f in unique if f not in excludes]


# ==========================================================================
# JSON views
# ==========================================================================


@dataclass(frozen=True)
class Views:
    """Renders the model as one deployment and REST version ("2", "3", "latest") shows it."""

    base_url: str
    cloud: bool
    version: str
    rank_field: str  # e.g. "customfield_10019"

    @property
    def v3(self) -> bool:
        return self.version == "3"

    def api(self, path: str) -> str:
        return f"{self.base_url}/rest/api/{self.version}/{path}"

    def user(self, user: JiraUser | None) -> Json | None:
        if user is None:
            return None
        avatars = {
            size: f"{self.base_url}/secure/useravatar?size={size}&ownerId={user.key}"
            for size in AVATAR_SIZES
        }
        body: Json = {
            "self": "",
            "avatarUrls": avatars,
            "displayName": user.display_name,
            "active": user.active,
            "timeZone": user.time_zone,
        }
        if self.cloud:
            body["self"] = self.api(f"user?accountId={user.account_id}")
            body.update(accountId=user.account_id, accountType="atlassian", emailAddress=user.email)
        else:
            body["self"] = self.api(f"user?username={user.name}")
            body.update(
                key=user.key, name=user.name, emailAddress=user.email, deleted=False, locale="en_US"
            )
        return body

    def status(self, status: Status) -> Json:
        category_id, category_name, colour = STATUS_CATEGORIES[status.category]
        return {
            "self": self.api(f"status/{status.id}"),
            "description": "",
            "iconUrl": f"{self.base_url}/images/icons/statuses/generic.png",
            "name": status.name,
            "id": status.id,
            "statusCategory": {
                "self": self.api(f"statuscategory/{category_id}"),
                "id": category_id,
                "key": status.category,
                "colorName": colour,
                "name": category_name,
            },
        }

    def priority(self, priority: Priority) -> Json:
        return {
            "self": self.api(f"priority/{priority.id}"),
            "iconUrl": f"{self.base_url}/images/icons/priorities/{priority.name.lower()}.svg",
            "name": priority.name,
            "id": priority.id,
        }

    def issuetype(self, issuetype: IssueType) -> Json:
        return {
            "self": self.api(f"issuetype/{issuetype.id}"),
            "id": issuetype.id,
            "description": "",
            "iconUrl": f"{self.base_url}/images/icons/issuetypes/{issuetype.name.lower()}.svg",
            "name": issuetype.name,
            "subtask": issuetype.subtask,
        }

    def project(self, project: Project) -> Json:
        return {
            "self": self.api(f"project/{project.id}"),
            "id": project.id,
            "key": project.key,
            "name": project.name,
            "projectTypeKey": "software",
            "simplified": False,
        }

    def body(self, text: str, adf: Json) -> Any:
        return adf if self.v3 else text

    def comment(self, issue: Issue, comment: Comment) -> Json:
        body: Json = {
            "self": self.api(f"issue/{issue.id}/comment/{comment.id}"),
            "id": comment.id,
            "author": self.user(comment.author),
            "body": self.body(comment.text, comment.adf),
            "updateAuthor": self.user(comment.author),
            "created": format_time(comment.created),
            "updated": format_time(comment.updated),
        }
        if self.cloud:
            body["jsdPublic"] = True
        return body

    def comment_page(
        self, issue: Issue, comments: Sequence[Comment], start: int, limit: int, total: int
    ) -> Json:
        return {
            "comments": [self.comment(issue, c) for c in comments],
            "self": self.api(f"issue/{issue.id}/comment"),
            "maxResults": limit,
            "total": total,
            "startAt": start,
        }

    def field_value(self, issue: Issue, field_id: str, comment_limit: int) -> Any:
        simple: dict[str, Any] = {
            "summary": issue.summary,
            "labels": list(issue.labels),
            "created": format_time(issue.created),
            "updated": format_time(issue.updated),
        }
        if field_id in simple:
            return simple[field_id]
        if field_id == self.rank_field:
            return rank_display(issue.rank)
        renderers: dict[str, Callable[[], Any]] = {
            "status": lambda: self.status(issue.status),
            "priority": lambda: self.priority(issue.priority),
            "issuetype": lambda: self.issuetype(issue.issuetype),
            "assignee": lambda: self.user(issue.assignee),
            "reporter": lambda: self.user(issue.reporter),
            "project": lambda: self.project(issue.project),
            "description": lambda: self._description(issue),
            "resolution": lambda: self._resolution(issue),
            "comment": lambda: self.comment_page(
                issue, issue.comments[:comment_limit], 0, comment_limit, len(issue.comments)
            ),
        }
        return renderers[field_id]()

    def _description(self, issue: Issue) -> Any:
        if not issue.description:
            return None
        return text_to_adf(issue.description) if self.v3 else issue.description

    def _resolution(self, issue: Issue) -> Json | None:
        if issue.status.category != "done":
            return None
        return {
            "self": self.api("resolution/10000"),
            "id": "10000",
            "name": "Done",
            "description": "Work has been completed on this issue.",
        }

    def issue(
        self,
        issue: Issue,
        field_ids: Sequence[str],
        *,
        comment_limit: int = 5000,
        self_url: str | None = None,
    ) -> Json:
        body: Json = {
            "expand": "renderedFields,names,schema,operations,editmeta,changelog,"
            "versionedRepresentations",
            "id": str(issue.id),
            "self": self_url or self.api(f"issue/{issue.id}"),
            "key": issue.key,
        }
        wanted = [f for f in field_ids if f not in ("id", "key")]
        if wanted:
            body["fields"] = {f: self.field_value(issue, f, comment_limit) for f in wanted}
        return body


def field_definitions(rank_field: str) -> list[Json]:
    """``GET /rest/api/{2,3}/field``: what clients (the jira library's rank() above all)
    read to find field ids and the Rank field's custom type."""
    system = [
        ("summary", "Summary", "string", None),
        ("status", "Status", "status", None),
        ("priority", "Priority", "priority", None),
        ("labels", "Labels", "array", "string"),
        ("issuetype", "Issue Type", "issuetype", None),
        ("assignee", "Assignee", "user", None),
        ("reporter", "Reporter", "user", None),
        ("created", "Created", "datetime", None),
        ("updated", "Updated", "datetime", None),
        ("project", "Project", "project", None),
        ("description", "Description", "string", None),
        ("resolution", "Resolution", "resolution", None),
        ("comment", "Comment", "comments-page", None),
    ]
    definitions: list[Json] = []
    for field_id, name, kind, items in system:
        schema: Json = {"type": kind, "system": field_id}
        if items:
            schema["items"] = items
        clause_names = ["type", "issuetype"] if field_id == "issuetype" else [field_id]
        definitions.append(
            {
                "id": field_id,
                "key": field_id,
                "name": name,
                "custom": False,
                "orderable": field_id not in ("created", "updated", "project"),
                "navigable": field_id not in NOT_NAVIGABLE,
                "searchable": True,
                "clauseNames": clause_names,
                "schema": schema,
            }
        )
    custom_id = int(rank_field.rsplit("_", 1)[1])
    definitions.append(
        {
            "id": rank_field,
            "key": rank_field,
            "name": "Rank",
            "untranslatedName": "Rank",
            "custom": True,
            "orderable": True,
            "navigable": True,
            "searchable": True,
            "clauseNames": [f"cf[{custom_id}]", "Rank"],
            "schema": {
                "type": "any",
                "custom": "com.pyxis.greenhopper.jira:gh-lexo-rank",
                "customId": custom_id,
            },
        }
    )
    return definitions


def now_utc() -> datetime:
    return datetime.now(UTC)
