"""JSM Operations (REST v1) as a paging service: `client` (HTTP, paging of lists), `wire`
(JSON, names <-> ids), `backend` (the calls behind the paging core's Backend, and the
JsmOpsTarget)."""
