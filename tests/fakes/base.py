"""A small framework for stateful fake vendor servers used by the setops tests.

The fakes are the independent oracle the tests compare setops against, so this
module must not import anything from ``setops``.

Pieces:

* :class:`FakeServer` -- a real HTTP/1.1 server (keep-alive, exact
  Content-Length) on 127.0.0.1 with an ephemeral port, run in a daemon thread.
  Subclasses register routes with path templates and hold the vendor state.
* :class:`Request` / :class:`Response` -- what a route handler gets and returns.
* :class:`HTTPError` -- raise it from a handler to answer with the vendor's
  error body (see :meth:`FakeServer.error_body`).
* A thread-safe request log (``server.log``, :meth:`FakeServer.count`, ...).
* Fault injection (:class:`Fault`, ``server.faults``): canned status answers,
  connections dropped before handling, or dropped after the state change was
  committed ("the write happened but its response was lost").
* :class:`SpecChecker` -- validates every incoming request against the vendor's
  OpenAPI 3 description with openapi-core and records violations in
  ``server.spec_violations`` instead of failing the request.
* :func:`find_api_specs` / :func:`require_api_specs` -- the vendors' API
  descriptions, kept in ``tests/specs`` (see its README for their sources).
"""

from __future__ import annotations

import contextlib
import copy
import functools
import json as jsonlib
import re
import socket
import threading
import time
import traceback
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Literal, Self

MUTATING_METHODS: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SUPPORTED_METHODS: Final = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")

# --------------------------------------------------------------------------
# Request / Response
# --------------------------------------------------------------------------


@dataclass
class Request:
    """One request as the fake received it; also the entry type of the request log."""

    method: str
    path: str  # percent-decoded path, without the query string
    raw_path: str  # the request target exactly as sent (path + query, still encoded)
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    json: Any = None  # parsed JSON body, or None when there is no (valid) JSON body
    json_error: str | None = None  # why a non-empty body was not valid JSON
    path_params: dict[str, str] = field(default_factory=dict)
    route: str | None = None  # the matched path template
    client: str = ""  # "host:port" of the client socket (one per keep-alive connection)
    received_at: float = field(default_factory=time.time)
    # Filled in while the request is processed:
    status: int | None = None  # status sent, None when the connection was dropped
    fault: str | None = None  # kind of the fault applied, if any
    handled: bool = False  # True when the route handler ran (state may have changed)
    context: dict[str, Any] = field(default_factory=dict)  # per-request scratch space

    @property
    def mutating(self) -> bool:
        return self.method in MUTATING_METHODS

    @property
    def raw_route_path(self) -> str:
        """The still-encoded path part of the request target."""
        return urllib.parse.urlsplit(self.raw_path).path

    def arg(self, name: str, default: str | None = None) -> str | None:
        """First value of a query parameter."""
        values = self.query.get(name)
        return values[0] if values else default

    def header(self, name: str, default: str | None = None) -> str | None:
        """Case-insensitive header lookup."""
        wanted = name.lower()
        for key, value in self.headers.items():
            if key.lower() == wanted:
                return value
        return default

    @property
    def content_type(self) -> str:
        return (self.header("Content-Type") or "").lower()


@dataclass
class Response:
    """What a route handler returns. ``json`` wins over ``body`` when both are set."""

    status: int = 200
    json: Any = None
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> tuple[bytes, dict[str, str]]:
        """Body bytes and headers, with a JSON content type when ``json`` is set."""
        headers = dict(self.headers)
        if self.json is not None:
            headers.setdefault("Content-Type", "application/json; charset=utf-8")
            return jsonlib.dumps(self.json).encode("utf-8"), headers
        return self.body, headers


class HTTPError(Exception):
    """Raised by handlers; turned into the vendor's error body by the server."""

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message
        self.extra = extra


Handler = Callable[[Request], Response]

# --------------------------------------------------------------------------
# Routing
# --------------------------------------------------------------------------

_TEMPLATE_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def compile_template(template: str) -> re.Pattern[str]:
    """``/v2/schedules/{identifier}`` -> regex with one named group per segment param."""
    pattern = ""
    position = 0
    for match in _TEMPLATE_PARAM.finditer(template):
        pattern += re.escape(template[position : match.start()])
        pattern += f"(?P<{match.group(1)}>[^/]+)"
        position = match.end()
    pattern += re.escape(template[position:])
    return re.compile(pattern)


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    pattern: re.Pattern[str]
    handler: Handler

    def match(self, raw_path: str) -> dict[str, str] | None:
        found = self.pattern.fullmatch(raw_path)
        if found is None:
            return None
        # Match on the encoded path so an encoded "/" stays inside one segment,
        # then decode each parameter.
        return {k: urllib.parse.unquote(v) for k, v in found.groupdict().items()}


# --------------------------------------------------------------------------
# Faults
# --------------------------------------------------------------------------

FaultKind = Literal["status", "drop_before", "drop_after"]


@dataclass
class Fault:
    """A fault for requests matching ``method`` (None = any) and ``path`` (regex, re.search
    against the decoded path).

    * ``kind="status"``: answer ``status`` with ``headers`` and ``body`` (JSON value or
      bytes; None = the vendor's error body) without touching state.
    * ``kind="drop_before"``: close the connection without handling or answering.
    * ``kind="drop_after"``: handle the request (state committed), then close the
      connection without sending the response.

    The first ``skip`` matching requests pass untouched, then ``times`` requests get the
    fault (``times=None``: all of them). ``seen``/``fired`` count matches and applications.
    """

    kind: FaultKind = "status"
    method: str | None = None
    path: str = ""
    status: int = 503
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    times: int | None = 1
    skip: int = 0
    seen: int = 0
    fired: int = 0

    def __post_init__(self) -> None:
        if self.kind not in ("status", "drop_before", "drop_after"):
            raise ValueError(f"unknown fault kind {self.kind!r}")
        self._path_re = re.compile(self.path)

    def matches(self, request: Request) -> bool:
        if self.method is not None and self.method.upper() != request.method:
            return False
        return self._path_re.search(request.path) is not None

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.fired >= self.times


class FaultSet:
    """Thread-safe, ordered collection of faults. The first fault that fires wins."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def __iter__(self) -> Iterator[Fault]:
        with self._lock:
            return iter(list(self._faults))

    def pending(self) -> list[Fault]:
        """Faults that can still fire."""
        with self._lock:
            return [f for f in self._faults if not f.exhausted]

    def take(self, request: Request) -> Fault | None:
        """The fault to apply to this request, counting it as fired."""
        with self._lock:
            for fault in self._faults:
                if fault.exhausted or not fault.matches(request):
                    continue
                fault.seen += 1
                if fault.seen > fault.skip:
                    fault.fired += 1
                    return fault
            return None


# --------------------------------------------------------------------------
# OpenAPI request checking
# --------------------------------------------------------------------------


API_SPECS: Final = Path(__file__).resolve().parents[1] / "specs"


def find_api_specs() -> Path:
    """``tests/specs``: the vendor API descriptions, kept in the repository so that every
    clone (and CI) checks requests against them."""
    return API_SPECS


def require_api_specs() -> Path:
    """For tests: the specs folder (it is part of the repository, so never missing)."""
    return find_api_specs()


class SpecChecker:
    """Validates requests against an OpenAPI 3 description with openapi-core.

    The description's ``servers`` carry the vendor's host (api.opsgenie.com, ...); the
    fake listens on 127.0.0.1, so the in-memory copy gets ``servers: [{"url": "/"}]``
    and requests are matched by path only. With ``strict_query`` query parameters that
    the operation does not declare are reported too (OpenAPI itself allows them, but
    e.g. ``identifierType`` on a path that reads ``scheduleIdentifierType`` is
    silently ignored by the vendor, which is a real bug worth flagging).
    """

    def __init__(self, spec_file: Path | str, *, strict_query: bool = True) -> None:
        from openapi_core import OpenAPI  # lazy: only needed when specs are present

        self.spec_file = Path(spec_file)
        self.strict_query = strict_query
        spec = jsonlib.loads(self.spec_file.read_text(encoding="utf-8"))
        version = str(spec.get("openapi", ""))
        if not version.startswith("3."):
            name = self.spec_file.name
            raise ValueError(f"{name}: not OpenAPI 3; openapi-core reads OAS 3 only")
        spec["servers"] = [{"url": "/"}]
        self._spec = spec
        self._app = OpenAPI.from_dict(spec)
        self._operations = _OperationIndex(spec)
        self._lock = threading.Lock()  # openapi-core is not documented as thread-safe

    @staticmethod
    def for_file(spec_file: Path | str) -> SpecChecker:
        """A shared, cached checker per file: building one costs ~0.1 s and tests start
        many fakes."""
        return _shared_checker(Path(spec_file).resolve())

    def check(self, request: Request) -> list[str]:
        """Human-readable violations (``"METHOD /path: reason"``); empty when valid."""
        with self._lock:
            errors = list(self._app.iter_request_errors(_mock_request(request)))
        prefix = f"{request.method} {request.path}"
        problems = [f"{prefix}: {_describe_error(err)}" for err in errors]
        if self.strict_query:
            problems += [f"{prefix}: {p}" for p in self._undeclared_query(request)]
        return problems

    def check_response(self, request: Request, response: Response) -> list[str]:
        """Violations of the documented response (status, headers, body) -- used to check
        that a fake answers the way the vendor describes, not to check clients."""
        from openapi_core.testing import MockResponse

        payload, headers = response.encoded()
        mock = MockResponse(
            payload,
            status_code=response.status,
            headers=headers,
            content_type=_header(headers, "Content-Type").split(";")[0].strip().lower(),
        )
        with self._lock:
            errors = list(self._app.iter_response_errors(_mock_request(request), mock))
        prefix = f"{request.method} {request.path} -> {response.status}"
        # An undocumented path/operation is the request's fault, reported by check().
        return [
            f"{prefix}: {_describe_error(err)}"
            for err in errors
            if type(err).__name__ not in _UNMATCHED_REQUEST_ERRORS
        ]

    def _undeclared_query(self, request: Request) -> list[str]:
        declared = self._operations.query_params(request.method, request.raw_route_path)
        if declared is None:  # path/operation unknown: openapi-core already said so
            return []
        return [
            f"undeclared query parameter {name!r} (operation declares {sorted(declared)})"
            for name in request.query
            if name not in declared
        ]


_UNMATCHED_REQUEST_ERRORS: Final = frozenset(
    {"PathNotFound", "OperationNotFound", "ServerNotFound"}
)


@functools.cache
def _shared_checker(spec_file: Path) -> SpecChecker:
    return SpecChecker(spec_file)


def _mock_request(request: Request) -> Any:
    from openapi_core.testing import MockRequest

    return MockRequest(
        host_url="http://127.0.0.1",
        method=request.method,
        path=request.raw_route_path,
        args=_multidict_pairs(request.query),
        headers=request.headers,
        data=request.body or None,
        content_type=request.content_type if request.body else "",
    )


def _header(headers: Mapping[str, str], name: str) -> str:
    return next((v for k, v in headers.items() if k.lower() == name.lower()), "")


def _multidict_pairs(query: Mapping[str, list[str]]) -> Any:
    from werkzeug.datastructures import ImmutableMultiDict

    return ImmutableMultiDict([(k, v) for k, values in query.items() for v in values])


def _describe_error(err: Exception) -> str:
    """openapi-core errors often have an empty str(); name them and their causes."""
    text = type(err).__name__
    if str(err) and not str(err).startswith(text):
        text += f": {err}"
    elif str(err):
        text = str(err)
    cause = err.__cause__ or err.__context__
    if cause is not None:
        schema_errors = getattr(cause, "schema_errors", None)
        if schema_errors:
            details = "; ".join(getattr(e, "message", str(e)) for e in schema_errors)
            text += f" [{details}]"
        elif str(cause) and str(cause) not in text:
            text += f" (cause: {type(cause).__name__}: {cause})"
    return text


class _OperationIndex:
    """Path template -> declared query parameter names, per method."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        components = spec.get("components", {}).get("parameters", {})
        self._entries: list[tuple[re.Pattern[str], int, dict[str, set[str]]]] = []
        for template, item in spec.get("paths", {}).items():
            shared = item.get("parameters", [])
            per_method: dict[str, set[str]] = {}
            for method, operation in item.items():
                if method == "parameters" or not isinstance(operation, dict):
                    continue
                params = [*shared, *operation.get("parameters", [])]
                resolved = [_resolve(p, components) for p in params]
                per_method[method.upper()] = {p["name"] for p in resolved if p.get("in") == "query"}
            literal_weight = -len(_TEMPLATE_PARAM.findall(template))  # literal paths first
            self._entries.append((compile_template(template), literal_weight, per_method))
        self._entries.sort(key=lambda entry: entry[1], reverse=True)

    def query_params(self, method: str, raw_path: str) -> set[str] | None:
        for pattern, _weight, per_method in self._entries:
            if pattern.fullmatch(raw_path):
                return per_method.get(method)
        return None


def _resolve(param: Mapping[str, Any], components: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = param.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/parameters/"):
        resolved: Mapping[str, Any] = components[ref.rsplit("/", 1)[1]]
        return resolved
    return param


# --------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------


@dataclass
class _Outcome:
    response: Response | None  # None: drop the connection without answering


class FakeServer:
    """Base class of the fake vendor servers.

    Subclasses call :meth:`route` in ``__init__`` and may override the hooks
    :meth:`error_body`, :meth:`before_request` and :meth:`after_request`.
    Handlers run one at a time under ``self.lock`` (an RLock), so vendor state needs
    no further locking; tests can take the same lock to read state consistently.
    """

    def __init__(
        self,
        *,
        spec_checker: SpecChecker | None = None,
        latency: float = 0.0,
        check_responses: bool = False,
    ) -> None:
        self.latency = latency  # seconds slept before each request, for benchmarks
        self.spec_checker = spec_checker
        self.spec_violations: list[str] = []
        # With check_responses the fake's own answers are checked against the vendor's
        # description too (a self-test of the fake), into response_violations.
        self.check_responses = check_responses
        self.response_violations: list[str] = []
        self.handler_errors: list[str] = []  # tracebacks of handlers that crashed (500)
        self.faults = FaultSet()
        self.lock = threading.RLock()
        self.base_url = ""
        self._routes: list[Route] = []
        self._log: list[Request] = []
        self._log_lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        # Requests being processed at once, and the most seen (for benchmarks).
        self.in_flight = 0
        self.max_in_flight = 0

    # ---- lifecycle -------------------------------------------------------

    def start(self) -> str:
        """Start serving on 127.0.0.1:<ephemeral>; returns ``base_url``."""
        if self._httpd is not None:
            return self.base_url
        httpd = _HTTPServer(("127.0.0.1", 0), _Handler, fake=self)
        self._httpd = httpd
        host, port = httpd.server_address[:2]
        self.base_url = f"http://{host!s}:{port}"
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"{type(self).__name__}@{port}",
            daemon=True,
        )
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        # Keep-alive connections outlive serve_forever(); close them so a client's
        # pooled connection cannot keep talking to a stopped fake.
        with self._connections_lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def url(self, path: str) -> str:
        return self.base_url + path

    # ---- routing ---------------------------------------------------------

    def route(self, method: str, template: str, handler: Handler) -> None:
        method = method.upper()
        self._routes.append(Route(method, template, compile_template(template), handler))

    def _find_route(self, request: Request) -> tuple[Route | None, bool]:
        """The matching route, and whether the path matched for some other method."""
        path_matched = False
        for route in self._routes:
            params = route.match(request.raw_route_path)
            if params is None:
                continue
            if route.method == request.method:
                request.path_params = params
                request.route = route.template
                return route, True
            path_matched = True
        return None, path_matched

    # ---- hooks -----------------------------------------------------------

    def error_body(self, status: int, message: str, request: Request | None, **extra: Any) -> Any:
        """The vendor's error body. Override per vendor."""
        return {"message": message, **extra}

    def error_response(
        self, status: int, message: str, request: Request | None = None, **extra: Any
    ) -> Response:
        return Response(status, json=self.error_body(status, message, request, **extra))

    def before_request(self, request: Request) -> Response | None:
        """Runs (under the lock) before routing; return a Response to short-circuit
        (e.g. 401)."""
        return None

    def after_request(self, request: Request, response: Response) -> Response:
        """Last chance to add common headers (request ids, rate-limit state, ...)."""
        return response

    # ---- request log -----------------------------------------------------

    @property
    def log(self) -> list[Request]:
        """A snapshot of every request received, in arrival order."""
        with self._log_lock:
            return list(self._log)

    def mutating_requests(self, *, handled_only: bool = False) -> list[Request]:
        """POST/PUT/PATCH/DELETE requests; ``handled_only`` drops those a fault stopped
        before the handler ran."""
        return [r for r in self.log if r.mutating and (r.handled or not handled_only)]

    def count(self, method: str | None = None, path_prefix: str | None = None) -> int:
        return sum(
            1
            for r in self.log
            if (method is None or r.method == method.upper())
            and (path_prefix is None or r.path.startswith(path_prefix))
        )

    def clear_log(self) -> None:
        with self._log_lock:
            self._log.clear()
            self.max_in_flight = self.in_flight

    def assert_no_spec_violations(self) -> None:
        if self.spec_violations:
            listing = "\n  ".join(self.spec_violations)
            raise AssertionError(f"requests outside the vendor spec:\n  {listing}")

    # ---- request processing ------------------------------------------------

    def _process(self, request: Request) -> _Outcome:
        with self._log_lock:
            self._log.append(request)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return self._process_counted(request)
        finally:
            with self._log_lock:
                self.in_flight -= 1

    def _process_counted(self, request: Request) -> _Outcome:
        self._check_spec(request)
        if self.latency > 0:
            time.sleep(self.latency)
        fault = self.faults.take(request)
        if fault is not None:
            request.fault = fault.kind
            if fault.kind == "drop_before":
                return _Outcome(None)
            if fault.kind == "status":
                return self._answer(request, self._fault_response(fault, request))
        response = self._dispatch(request)
        if fault is not None:  # drop_after: the state is committed, the answer is lost
            return _Outcome(None)
        return self._answer(request, response)

    def _answer(self, request: Request, response: Response) -> _Outcome:
        request.status = response.status
        if self.check_responses and self.spec_checker is not None:
            problems = self.spec_checker.check_response(request, response)
            if problems:
                with self._log_lock:
                    self.response_violations.extend(problems)
        return _Outcome(response)

    def _check_spec(self, request: Request) -> None:
        if self.spec_checker is None:
            return
        try:
            problems = self.spec_checker.check(request)
        except Exception as exc:  # a checker crash must not hide the request
            problems = [f"{request.method} {request.path}: spec checker crashed: {exc!r}"]
        if problems:
            with self._log_lock:
                self.spec_violations.extend(problems)

    def _fault_response(self, fault: Fault, request: Request) -> Response:
        if fault.body is None:
            body = self.error_body(fault.status, "fault injected by test", request)
        else:
            body = copy.deepcopy(fault.body)
        if isinstance(body, bytes):
            response = Response(fault.status, body=body, headers=dict(fault.headers))
        else:
            response = Response(fault.status, json=body, headers=dict(fault.headers))
        return self.after_request(request, response)

    def _dispatch(self, request: Request) -> Response:
        with self.lock:
            try:
                response = self.before_request(request)
                if response is None:
                    response = self._route(request)
            except HTTPError as err:
                response = self.error_response(err.status, err.message, request, **err.extra)
            except Exception:
                self.handler_errors.append(traceback.format_exc())
                response = self.error_response(500, "fake server handler crashed", request)
            return self.after_request(request, response)

    def _route(self, request: Request) -> Response:
        route, path_matched = self._find_route(request)
        if route is None:
            if path_matched:
                return self.error_response(405, f"{request.method} not allowed here", request)
            message = f"no handler for {request.method} {request.path}"
            return self.error_response(404, message, request)
        request.handled = True
        return route.handler(request)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self, address: tuple[str, int], handler: type[_Handler], *, fake: FakeServer
    ) -> None:
        self.fake = fake
        super().__init__(address, handler)


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 gives keep-alive; every response carries an exact Content-Length.
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without TCP_NODELAY, Nagle plus the
    # client's delayed ACK adds ~40 ms to every keep-alive request.
    disable_nagle_algorithm = True
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        with self.server.fake._connections_lock:
            self.server.fake._connections.add(self.connection)

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            super().finish()
        with self.server.fake._connections_lock:
            self.server.fake._connections.discard(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean; the request log has everything

    def _serve(self) -> None:
        body = self._read_body()
        request = self._build_request(body)
        outcome = self.server.fake._process(request)
        if outcome.response is None:
            self.close_connection = True  # no response at all: the client sees EOF
            return
        self._send(outcome.response)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        while True:
            size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline()  # CRLF after each chunk

    def _build_request(self, body: bytes) -> Request:
        split = urllib.parse.urlsplit(self.path)
        parsed_json, json_error = _parse_json(body)
        return Request(
            method=self.command.upper(),
            path=urllib.parse.unquote(split.path),
            raw_path=self.path,
            query=urllib.parse.parse_qs(split.query, keep_blank_values=True),
            headers=dict(self.headers.items()),
            body=body,
            json=parsed_json,
            json_error=json_error,
            client=f"{self.client_address[0]}:{self.client_address[1]}",
        )

    def _send(self, response: Response) -> None:
        payload, headers = response.encoded()
        self.send_response(response.status)
        for name, value in headers.items():
            if name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD" and payload:
            self.wfile.write(payload)


def _parse_json(body: bytes) -> tuple[Any, str | None]:
    if not body.strip():
        return None, None
    try:
        return jsonlib.loads(body.decode("utf-8")), None
    except (UnicodeDecodeError, ValueError) as exc:
        return None, str(exc)
