"""The one HTTP layer of every JSON service setops calls, split by idea:

    session.py     the retrying session: timeouts, bounded retries, Retry-After, POST only on 429
    write_once.py  create_once: after a lost or 5xx answer to a create, look before sending again
    messages.py    VendorError and the vendor's own message, secrets blanked, HTML read as text
    json_api.py    JsonApi: no redirects, credentials kept to one server, answers of the right shape

Import from here (`from setops.targets.http import JsonApi`); the modules are the layout.
"""

from setops.targets.http.json_api import JsonApi, base_url
from setops.targets.http.messages import (
    VendorError,
    connection_error,
    html_text,
    redact,
    vendor_message,
)
from setops.targets.http.session import (
    IDEMPOTENT,
    MAX_RETRY_AFTER,
    RETRY_STATUSES,
    SafeRetry,
    Session,
    WriteOnceRetry,
    is_lost_response,
    retry_policy,
    timeout,
)
from setops.targets.http.write_once import UncertainWrite, create_once, still_working

__all__ = [
    "IDEMPOTENT",
    "MAX_RETRY_AFTER",
    "RETRY_STATUSES",
    "JsonApi",
    "SafeRetry",
    "Session",
    "UncertainWrite",
    "VendorError",
    "WriteOnceRetry",
    "base_url",
    "connection_error",
    "create_once",
    "html_text",
    "is_lost_response",
    "redact",
    "retry_policy",
    "still_working",
    "timeout",
    "vendor_message",
]
