"""The JQL check of `setops validate`: what Jira's parser takes passes, what it refuses is
named with the fix; and the test Jira's parser agrees on the reserved words."""

from __future__ import annotations

import pytest

from setops.config.jql import RESERVED_WORDS, jql_fault, literal, quote
from tests.fakes import jql as fake_jql

ACCEPTED = [
    'project = "SET" AND statusCategory != Done',
    "status = 'To Do'",
    "labels = community-server",
    "priority in (Low, Lowest)",
    "issuetype = Bug AND NOT (labels in (x, y) OR assignee is EMPTY)",
    "assignee is not empty",
    "assignee = currentUser() AND updated >= -5d",
    "status was Done by currentUser() after -1w",
    "status changed from 'In Progress' to Done",
    "status was not in (Done, 'In Review')",
    "cf[10019] = x",
    'summary ~ "a \\"quoted\\" word"',
    "key = SET-1",
    'project = "SET" && labels = x || labels != y',
    "!(labels = x)",
]
REFUSED = [
    ("project = SET", 10, "'SET' is a reserved JQL word", 'project = "SET"'),
    ("status = To Do", 9, "'To' is a reserved JQL word", 'status = "To" Do'),
    ("labels in (x, Select)", 14, "'Select' is a reserved", 'labels in (x, "Select")'),
    ("date = 1", 0, "'date' is a reserved JQL word", '"date" = 1'),
    ("labels = c++", 10, "'+' is a reserved JQL character", 'labels = "c++"'),
    ("status = 3.14", 10, "'.' is a reserved JQL character", 'status = "3.14"'),
    ('status = "To Do', 9, 'quote " at character 10 is never closed', 'status = "To Do"'),
    ("(status = Done", 0, "'(' at character 1 is never closed", None),
    ("status = Done)", 13, "')' at character 14 closes nothing", None),
    ("labels in (a1, b2", 10, "'(' at character 11 is never closed", None),
    ("status", 0, "'status' has no operator and no value", None),
    ("labels = x AND status", 15, "'status' has no operator", None),
    ("status =", 8, "'status =' has no value", None),
    ("status in", 9, "'status IN' has no value: write e.g. status IN (a, b)", None),
    ("status == Done", 7, "'==' is not a JQL operator", None),
    ("status <> Done", 7, "'<>' is not a JQL operator", None),
    ("status like Done", 7, "'like' is not a JQL operator", None),
    ("labels = x ORDER BY rank", 11, "ORDER BY is not allowed here", None),
    ("", 0, "the JQL is empty", None),
    ("labels = x AND", 14, "the JQL ends where a condition should follow", None),
]


@pytest.mark.parametrize("query", ACCEPTED)
def test_what_jira_parses_passes(query: str) -> None:
    assert jql_fault(query) is None


@pytest.mark.parametrize(("query", "offset", "message", "fixed"), REFUSED)
def test_what_jira_refuses_is_named_with_the_fix(
    query: str, offset: int, message: str, fixed: str | None
) -> None:
    fault = jql_fault(query)
    assert fault is not None
    assert (fault.offset, fault.fixed) == (offset, fixed)
    assert message in fault.message


@pytest.mark.parametrize("word", ["set", "SET", "Do", "end", "the", "changed", "int", "a"])
def test_the_test_jira_refuses_the_same_reserved_words(word: str) -> None:
    assert word.lower() in RESERVED_WORDS
    with pytest.raises(fake_jql.JqlError, match="is a reserved JQL word"):
        fake_jql.parse(f"labels = {word}")
    fake_jql.parse(f"labels = {quote(word)}")  # quoted, both take it
    assert jql_fault(f"labels = {quote(word)}") is None


def test_both_lists_are_the_same() -> None:
    assert fake_jql.RESERVED_WORDS == RESERVED_WORDS


def test_values_setops_writes_are_quoted_when_they_must_be() -> None:
    assert literal("SET-1") == "SET-1"
    assert literal("10042") == "10042"
    assert literal("SET") == '"SET"'
    assert literal("In Progress") == '"In Progress"'
    assert quote('say "hi" \\o/') == '"say \\"hi\\" \\\\o/"'
    for value in ("SET", "a b", 'q"uote', "c++", "back\\slash"):
        assert jql_fault(f"labels = {literal(value)}") is None
        assert fake_jql.parse(f"labels = {literal(value)}").where is not None
