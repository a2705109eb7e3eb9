"""The clients the handover talks to, apart from the plan/apply targets: the handover pull
request on GitHub, Jira's tickets."""
