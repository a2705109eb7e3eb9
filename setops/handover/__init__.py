"""The weekly handover: which shift change is due, what moves, and the steps that do it.

`due` and `tickets` and `document` are pure (no I/O, no clock); `run` composes the targets
(the pull request first, then Jira, then Mattermost) into a resumable, idempotent handover.
"""
