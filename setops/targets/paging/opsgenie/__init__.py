"""OpsGenie (REST v2) as a paging service: `client` (HTTP), `wire` (JSON), `backend`
(the calls behind the paging core's Backend, and the OpsGenieTarget)."""
