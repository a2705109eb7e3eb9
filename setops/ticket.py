"""A SET ticket as read from Jira: its fields and comments. Pure data.

It sits below the targets (the Jira client fills it) and the handover (which decides what
to do with it), so that imports flow one way: config -> ... -> targets -> handover.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

# setops' comments end with their marker; a person may mention one in passing.
_OWN_MARK = re.compile(r"\[setops:[a-z-]+ [^\[\]\n]*\]\s*\Z")


@dataclass(frozen=True)
class Comment:
    created: dt.datetime
    text: str

    @property
    def by_setops(self) -> bool:
        """setops' own comments end with their marker; they are not a human update."""
        return _OWN_MARK.search(self.text) is not None


@dataclass(frozen=True)
class Ticket:
    key: str
    summary: str
    status: str
    priority: str | None
    assignee: str | None  # the Jira account id (Cloud) or user name (Server/DC)
    assignee_name: str | None
    created: dt.datetime
    comments: tuple[Comment, ...]
    url: str
    level: str | None = None
    id: str = ""

    def last_human_update(self) -> dt.datetime:
        """When a person last wrote on the ticket (its creation counts as the first)."""
        human = [c.created for c in self.comments if not c.by_setops]
        return max([self.created, *human])
