"""The handover's clients: the services the weekly handover talks to that are not plan/apply
targets (the handover pull request on GitHub, Jira's tickets)."""
