"""Tests of the fake-server framework itself: routing, keep-alive, the request log,
faults (status, drop_before, drop_after), latency and the OpenAPI request checker."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.fakes import base
from tests.fakes.base import (
    FakeServer,
    Fault,
    HTTPError,
    Request,
    Response,
    SpecChecker,
    find_api_specs,
    require_api_specs,
)

# A tiny OpenAPI 3 description of the Items fake below, with a vendor host in servers,
# so the checker is tested independently of ../shared/api-specs.
ITEMS_SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "items", "version": "1"},
    "servers": [{"url": "https://api.items.example.com"}],
    "paths": {
        "/items": {
            "post": {
                "parameters": [{"name": "verbose", "in": "query", "schema": {"type": "boolean"}}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["name"],
                                "properties": {"name": {"type": "string"}},
                                "additionalProperties": False,
                            }
                        }
                    },
                },
                "responses": {"201": {"description": "created"}},
            }
        },
        "/items/{id}": {
            "get": {
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {"200": {"description": "ok"}},
            }
        },
    },
}


class ItemsFake(FakeServer):
    """A minimal stateful fake: items by id, with a vendor-style error body."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.items: dict[str, dict[str, Any]] = {}
        self.route("POST", "/items", self.create)
        self.route("GET", "/items", self.list_items)
        self.route("GET", "/items/{id}", self.get)
        self.route("GET", "/crash", self.crash)

    def error_body(self, status: int, message: str, request: Request | None, **extra: Any) -> Any:
        return {"error": {"status": status, "text": message}, **extra}

    def create(self, request: Request) -> Response:
        if not isinstance(request.json, dict) or "name" not in request.json:
            raise HTTPError(422, "name missing", field="name")
        item_id = str(len(self.items) + 1)
        self.items[item_id] = {"id": item_id, "name": request.json["name"]}
        return Response(201, json=self.items[item_id])

    def list_items(self, request: Request) -> Response:
        return Response(json={"items": list(self.items.values()), "tags": request.query.get("tag")})

    def get(self, request: Request) -> Response:
        item_id = request.path_params["id"]
        if item_id not in self.items:
            raise HTTPError(404, f"no item {item_id}")
        return Response(json=self.items[item_id])

    def crash(self, request: Request) -> Response:
        raise RuntimeError("boom")


@pytest.fixture
def fake() -> Iterator[ItemsFake]:
    with ItemsFake() as server:
        yield server


@pytest.fixture
def items_spec(tmp_path: Path) -> Path:
    path = tmp_path / "items.openapi.json"
    path.write_text(json.dumps(ITEMS_SPEC), encoding="utf-8")
    return path


# ---- serving and routing -----------------------------------------------------


def test_start_binds_loopback_ephemeral_port(fake: ItemsFake) -> None:
    assert fake.base_url.startswith("http://127.0.0.1:")
    assert not fake.base_url.endswith(":0")


def test_route_params_query_and_json(fake: ItemsFake) -> None:
    created = requests.post(fake.url("/items"), json={"name": "pager"}, timeout=5)
    assert created.status_code == 201
    assert created.headers["Content-Length"] == str(len(created.content))
    got = requests.get(fake.url("/items/1"), timeout=5)
    assert got.json() == {"id": "1", "name": "pager"}
    listed = requests.get(fake.url("/items"), params=[("tag", "a"), ("tag", "b")], timeout=5)
    assert listed.json()["tags"] == ["a", "b"]


def test_encoded_slash_stays_in_one_path_param(fake: ItemsFake) -> None:
    fake.items["a/b"] = {"id": "a/b", "name": "slashed"}
    response = requests.get(fake.url("/items/a%2Fb"), timeout=5)
    assert response.json()["name"] == "slashed"
    assert fake.log[-1].path_params == {"id": "a/b"}
    assert fake.log[-1].route == "/items/{id}"


def test_keep_alive_reuses_one_connection(fake: ItemsFake) -> None:
    with requests.Session() as session:
        for _ in range(5):
            assert session.get(fake.url("/items"), timeout=5).status_code == 200
    assert len({r.client for r in fake.log}) == 1


def test_unknown_route_uses_vendor_error_body(fake: ItemsFake) -> None:
    response = requests.get(fake.url("/nothing/here"), timeout=5)
    assert response.status_code == 404
    assert response.json()["error"]["status"] == 404


def test_known_path_wrong_method_is_405(fake: ItemsFake) -> None:
    response = requests.delete(fake.url("/items/1"), timeout=5)
    assert response.status_code == 405
    assert response.json()["error"]["status"] == 405


def test_http_error_from_handler_carries_extra_fields(fake: ItemsFake) -> None:
    response = requests.post(fake.url("/items"), json={}, timeout=5)
    assert response.status_code == 422
    assert response.json() == {"error": {"status": 422, "text": "name missing"}, "field": "name"}


def test_handler_crash_is_500_and_recorded(fake: ItemsFake) -> None:
    response = requests.get(fake.url("/crash"), timeout=5)
    assert response.status_code == 500
    assert "RuntimeError: boom" in fake.handler_errors[0]


def test_chunked_request_body_is_read(fake: ItemsFake) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"name": '
        yield b'"chunky"}'

    response = requests.post(
        fake.url("/items"), data=chunks(), headers={"Content-Type": "application/json"}, timeout=5
    )
    assert response.status_code == 201
    assert fake.items["1"]["name"] == "chunky"


def test_invalid_json_is_kept_raw_with_an_error(fake: ItemsFake) -> None:
    requests.post(
        fake.url("/items"),
        data=b"{not json",
        headers={"Content-Type": "application/json"},
        timeout=5,
    )
    entry = fake.log[-1]
    assert entry.json is None and entry.json_error and entry.body == b"{not json"


def test_stop_closes_pooled_keep_alive_connections() -> None:
    server = ItemsFake()
    server.start()
    with requests.Session() as session:
        assert session.get(server.url("/items"), timeout=5).status_code == 200
        server.stop()
        with pytest.raises(requests.ConnectionError):
            session.get(server.url("/items"), timeout=5)


def test_concurrent_requests_are_all_logged_and_applied(fake: ItemsFake) -> None:
    def worker(n: int) -> None:
        with requests.Session() as session:
            for i in range(5):
                session.post(fake.url("/items"), json={"name": f"{n}-{i}"}, timeout=5)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert fake.count("POST", "/items") == 40
    assert len(fake.items) == 40  # handlers ran one at a time: no lost ids


# ---- request log -------------------------------------------------------------


def test_request_log_helpers(fake: ItemsFake) -> None:
    requests.get(fake.url("/items"), params={"q": "1"}, headers={"X-Trace": "t1"}, timeout=5)
    requests.post(fake.url("/items"), json={"name": "x"}, timeout=5)
    assert fake.count() == 2
    assert fake.count(method="get") == 1
    assert fake.count(path_prefix="/items") == 2
    first, second = fake.log
    assert first.query == {"q": ["1"]} and first.header("x-trace") == "t1"
    assert not first.mutating and second.mutating
    assert [r.json for r in fake.mutating_requests()] == [{"name": "x"}]
    assert second.status == 201 and second.handled
    fake.clear_log()
    assert fake.log == [] and fake.count() == 0


# ---- faults --------------------------------------------------------------------


def test_status_fault_answers_without_touching_state(fake: ItemsFake) -> None:
    fault = fake.faults.add(
        Fault(method="POST", path=r"^/items$", status=429, headers={"Retry-After": "1"})
    )
    throttled = requests.post(fake.url("/items"), json={"name": "a"}, timeout=5)
    assert throttled.status_code == 429
    assert throttled.headers["Retry-After"] == "1"
    assert throttled.json()["error"]["status"] == 429  # default body: the vendor's error shape
    assert fake.items == {}
    assert fake.log[-1].fault == "status" and not fake.log[-1].handled
    again = requests.post(fake.url("/items"), json={"name": "a"}, timeout=5)
    assert again.status_code == 201  # times=1 by default
    assert (fault.seen, fault.fired) == (1, 1)
    assert fake.faults.pending() == []
    assert len(fake.mutating_requests()) == 2
    assert len(fake.mutating_requests(handled_only=True)) == 1


def test_fault_skip_times_and_custom_body(fake: ItemsFake) -> None:
    fake.faults.add(Fault(method="GET", path="/items", status=503, body=b"down", skip=1, times=2))
    statuses = [requests.get(fake.url("/items"), timeout=5).status_code for _ in range(4)]
    assert statuses == [200, 503, 503, 200]
    fake.faults.add(Fault(status=500, body={"custom": True}))
    assert requests.get(fake.url("/items/1"), timeout=5).json() == {"custom": True}


def test_fault_matching_by_method_and_path_regex(fake: ItemsFake) -> None:
    fake.faults.add(Fault(method="POST", path=r"/items/\d+$", status=500, times=None))
    assert requests.post(fake.url("/items"), json={"name": "a"}, timeout=5).status_code == 201
    assert requests.get(fake.url("/items/1"), timeout=5).status_code == 200


def test_drop_before_closes_without_handling(fake: ItemsFake) -> None:
    fake.faults.add(Fault(kind="drop_before", method="POST"))
    with pytest.raises(requests.ConnectionError):
        requests.post(fake.url("/items"), json={"name": "lost"}, timeout=5)
    assert fake.items == {}
    entry = fake.log[-1]
    assert entry.fault == "drop_before" and not entry.handled and entry.status is None


def test_drop_after_commits_the_write_but_loses_the_response(fake: ItemsFake) -> None:
    fake.faults.add(Fault(kind="drop_after", method="POST"))
    with requests.Session() as session:
        with pytest.raises(requests.ConnectionError):
            session.post(fake.url("/items"), json={"name": "committed"}, timeout=5)
        assert fake.items == {"1": {"id": "1", "name": "committed"}}
        # The client can carry on (on a fresh connection) and sees the committed state.
        assert session.get(fake.url("/items/1"), timeout=5).json()["name"] == "committed"
    entry = fake.mutating_requests()[0]
    assert entry.fault == "drop_after" and entry.handled and entry.status is None


def test_unknown_fault_kind_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        Fault(kind="explode")  # type: ignore[arg-type]


def test_latency_delays_each_request() -> None:
    with ItemsFake(latency=0.2) as server:
        started = time.monotonic()
        requests.get(server.url("/items"), timeout=5)
        assert time.monotonic() - started >= 0.2
        server.latency = 0.0
        started = time.monotonic()
        requests.get(server.url("/items"), timeout=5)
        assert time.monotonic() - started < 0.2


# ---- OpenAPI request checking ------------------------------------------------------


def test_spec_checker_passes_a_valid_request(items_spec: Path) -> None:
    with ItemsFake(spec_checker=SpecChecker(items_spec)) as server:
        requests.post(
            server.url("/items"), params={"verbose": "true"}, json={"name": "a"}, timeout=5
        )
        requests.get(server.url("/items/1"), timeout=5)
        assert server.spec_violations == []
        server.assert_no_spec_violations()


def test_spec_checker_flags_a_bad_body_without_failing_the_request(items_spec: Path) -> None:
    with ItemsFake(spec_checker=SpecChecker(items_spec)) as server:
        response = requests.post(server.url("/items"), json={"name": 5, "extra": 1}, timeout=5)
        assert response.status_code == 201  # recorded, not enforced
        assert len(server.spec_violations) == 1
        violation = server.spec_violations[0]
        assert violation.startswith("POST /items: ")
        assert "5 is not of type 'string'" in violation
        with pytest.raises(AssertionError, match="outside the vendor spec"):
            server.assert_no_spec_violations()


def test_spec_checker_flags_params_paths_and_undeclared_query(items_spec: Path) -> None:
    with ItemsFake(spec_checker=SpecChecker(items_spec)) as server:
        requests.post(
            server.url("/items"), params={"verbose": "maybe"}, json={"name": "a"}, timeout=5
        )
        requests.post(
            server.url("/items"), params={"verbos": "true"}, json={"name": "a"}, timeout=5
        )
        requests.get(server.url("/items"), timeout=5)  # GET /items is not in the description
        requests.post(server.url("/items"), timeout=5)  # required body missing
    verbose, undeclared, not_described, missing = server.spec_violations
    assert "verbose" in verbose
    assert "undeclared query parameter 'verbos'" in undeclared
    assert not_described.startswith("GET /items: ")
    assert "MissingRequiredRequestBody" in missing


def test_spec_checker_rejects_swagger_2(tmp_path: Path) -> None:
    swagger = tmp_path / "old.json"
    swagger.write_text(json.dumps({"swagger": "2.0", "paths": {}}), encoding="utf-8")
    with pytest.raises(ValueError, match="not OpenAPI 3"):
        SpecChecker(swagger)


def test_spec_checker_for_file_is_cached(items_spec: Path) -> None:
    assert SpecChecker.for_file(items_spec) is SpecChecker.for_file(str(items_spec))


def test_real_opsgenie_description_catches_a_bad_body() -> None:
    specs = require_api_specs()
    checker = SpecChecker.for_file(specs / "opsgenie-v2.openapi3.json")
    with ItemsFake(spec_checker=checker) as server:
        headers = {"Authorization": "GenieKey k"}
        good = {"name": "SET", "timezone": "Europe/Berlin"}
        requests.post(server.url("/v2/schedules"), json=good, headers=headers, timeout=5)
        assert server.spec_violations[-1:] == []
        bad = {"type": "monthly", "startDate": "2024-01-01T09:00:00Z", "participants": []}
        requests.post(server.url("/v2/schedules/x/rotations"), json=bad, headers=headers, timeout=5)
    (violation,) = server.spec_violations
    assert violation.startswith("POST /v2/schedules/x/rotations: ")
    assert "'monthly' is not one of" in violation


# ---- locating the vendor descriptions -------------------------------------------------


def test_the_api_specs_are_kept_in_the_repository() -> None:
    specs = find_api_specs()
    assert specs == Path(base.__file__).resolve().parents[1] / "specs"
    assert require_api_specs() == specs
    named = {"README.md", "manifest.json"}
    named |= {path.name for path in specs.glob("*.json")}
    readme = (specs / "README.md").read_text(encoding="utf-8")
    for path in specs.glob("*.openapi*.json"):
        assert f"`{path.name}`" in readme, f"{path.name} has no source in tests/specs/README.md"
    assert {"opsgenie-v2.openapi3.json", "jsm-ops-v1.openapi.json"} <= named
