"""Services behind a path: GitHub Enterprise (GITHUB_API_URL=https://ghe…/api/v3) and a
Mattermost served under a sub-path (MATTERMOST_URL=https://chat…/mm/). A small reverse
proxy puts each fake under its path, as those servers are: it strips the path from each
request and writes it into every address the fake answers with (bodies, Link headers)."""

from __future__ import annotations

import http.client
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.handover.conftest import HANDOVER_RUN, World
from tests.handover.test_handover import assert_handed_over, handover

Cli = Callable[..., Any]


class PrefixProxy:
    """Serves `upstream` (a fake's base URL) under `prefix` on its own port."""

    def __init__(self, upstream: str, prefix: str) -> None:
        self.upstream, self.prefix = upstream, prefix
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                if not self.path.startswith(proxy.prefix + "/"):
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                target = urllib.parse.urlsplit(proxy.upstream)
                assert target.hostname is not None
                conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                conn.request(self.command, self.path[len(proxy.prefix) :], body, headers)
                answer = conn.getresponse()
                data = proxy.rewrite(answer.read())
                self.send_response(answer.status)
                for name, value in answer.getheaders():
                    if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                        self.send_header(name, proxy.rewrite(value.encode()).decode())
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                conn.close()

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}{prefix}"

    def rewrite(self, data: bytes) -> bytes:
        return data.replace(self.upstream.encode(), self.base_url.encode())

    def __enter__(self) -> PrefixProxy:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def behind_paths(world: World) -> Iterator[dict[str, str]]:
    with (
        PrefixProxy(world.github.base_url, "/api/v3") as ghe,
        PrefixProxy(world.mattermost.base_url, "/mm") as chat,
    ):
        yield {"GITHUB_API_URL": ghe.base_url, "MATTERMOST_URL": chat.base_url + "/"}


@pytest.mark.parametrize("world", ["server"], indirect=True)
def test_github_enterprise_and_mattermost_under_a_sub_path(
    cli: Cli, world: World, behind_paths: dict[str, str]
) -> None:
    env = {**world.env, **behind_paths}
    result = handover(cli, world, "--at", HANDOVER_RUN, env=env)
    assert result.code == 0, result.err
    assert_handed_over(world)
    world.clear_logs()
    again = handover(cli, world, "--at", HANDOVER_RUN, env=env)
    assert again.code == 0 and "No handover due" in again.out
    world.assert_no_writes()
