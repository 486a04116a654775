"""`mlproj review post` against hostile or broken servers: the token stays with the API host.

Two real HTTP servers on 127.0.0.1: the configured API, which misbehaves in one way per case,
and "elsewhere", a second server on another port that records every token it is sent.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from mlproj.review import post as post_module
from mlproj.review.report import MARKER
from tests.conftest import write
from tests.hostile._cli import assert_one_line_error, invoke
from tests.review.test_post import github_env

TOKEN = "s3cret-t0ken"
Answer = tuple[int, dict[str, str], bytes]


@dataclass
class Server:
    """A server that answers with BEHAVE(method, path) and records each request's headers."""

    behave: Callable[[str, str], Answer]
    seen: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    url: str = ""

    def tokens(self) -> list[str]:
        """Every credential this server was sent."""
        wanted = ("authorization", "private-token")
        return [v for _, _, headers in self.seen for k, v in headers.items() if k in wanted]


def serve(server: Server) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            server.seen.append((self.command, self.path, headers))
            status, extra, body = server.behave(self.command, self.path)
            try:
                self.send_response(status)
                for key, value in extra.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting, as it should

        do_GET = do_POST = do_PATCH = do_PUT = _answer

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    server.url = f"http://127.0.0.1:{httpd.server_port}"
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    return httpd


@dataclass
class Forge:
    api: Server
    elsewhere: Server


@pytest.fixture
def forge() -> Iterator[Forge]:
    api = Server(lambda method, path: (200, {}, b"[]"))
    elsewhere = Server(lambda method, path: (200, {}, b"[]"))
    servers = [serve(api), serve(elsewhere)]
    yield Forge(api, elsewhere)
    for httpd in servers:
        httpd.shutdown()


def github(tmp_path: Path, api: str) -> dict[str, str]:
    """The GitHub job's environment of the review tests, with a token easy to spot."""
    return {**github_env(tmp_path, api), "GITHUB_TOKEN": TOKEN}


def gitlab(tmp_path: Path, api: str) -> dict[str, str]:
    return {
        "GITHUB_ACTIONS": "",
        "GITHUB_EVENT_PATH": "",
        "GITLAB_CI": "true",
        "CI_API_V4_URL": api,
        "CI_PROJECT_ID": "12",
        "CI_MERGE_REQUEST_IID": "3",
        "MLPROJ_REVIEW_TOKEN": TOKEN,
    }


def post(tmp_path: Path, env: dict[str, str]) -> Any:
    report = write(tmp_path / "report.md", f"{MARKER}\n# Review\n")
    return invoke(["review", "post", str(report)], env=env)


def redirect(to: str, code: int = 302, on: str = "GET") -> Callable[[str, str], Answer]:
    def behave(method: str, path: str) -> Answer:
        if method == on:
            return code, {"Location": to + path}, b""
        return 200, {}, b"[]" if method == "GET" else b'{"id": 1}'

    return behave


@pytest.mark.parametrize(
    ("code", "on", "env"),
    [
        (302, "GET", github),
        (301, "GET", github),
        (303, "GET", github),
        (307, "GET", github),
        (308, "GET", github),
        (307, "POST", github),
        (302, "GET", gitlab),
        (307, "POST", gitlab),
    ],
    ids=[
        "github-302-get",
        "github-301-get",
        "github-303-get",
        "github-307-get",
        "github-308-get",
        "github-307-post",
        "gitlab-302-get",
        "gitlab-307-post",
    ],
)
def test_a_redirect_to_another_host_is_refused_and_the_token_stays(
    tmp_path: Path, forge: Forge, code: int, on: str, env: Callable[..., dict[str, str]]
) -> None:
    forge.api.behave = redirect(forge.elsewhere.url, code, on)
    result = post(tmp_path, env(tmp_path, forge.api.url))
    line = assert_one_line_error(result, 1, "redirected", forge.elsewhere.url.split("//")[1])
    assert "sends its token only to the configured API host" in line
    assert forge.elsewhere.seen == []
    assert TOKEN not in result.output


@pytest.mark.parametrize(
    "target",
    ["http://localhost:{port}", "https://127.0.0.1:{port}", "http://127.0.0.1:{other}"],
    ids=["same-port-other-name", "scheme-change", "other-port"],
)
def test_other_origins_are_other_hosts(tmp_path: Path, forge: Forge, target: str) -> None:
    port = forge.api.url.rsplit(":", 1)[1]
    other = forge.elsewhere.url.rsplit(":", 1)[1]
    forge.api.behave = redirect(target.format(port=port, other=other))
    result = post(tmp_path, github(tmp_path, forge.api.url))
    assert_one_line_error(result, 1, "redirected GET")
    assert forge.elsewhere.tokens() == []
    assert len(forge.api.seen) == 1


def test_a_redirect_within_the_api_host_is_followed(tmp_path: Path, forge: Forge) -> None:
    def behave(method: str, path: str) -> Answer:
        if method == "GET" and path.startswith("/old"):
            return 301, {"Location": forge.api.url + path.removeprefix("/old")}, b""
        return (200, {}, b"[]") if method == "GET" else (201, {}, b'{"id": 5}')

    forge.api.behave = behave
    result = post(tmp_path, github(tmp_path, forge.api.url + "/old"))
    assert result.exit_code == 0, result.output
    assert [method for method, _, _ in forge.api.seen] == ["GET", "GET", "POST"]
    assert forge.api.tokens() == [f"Bearer {TOKEN}"] * 3


@pytest.mark.parametrize(
    ("status", "says"),
    [
        (401, "401 Unauthorized (the token cannot comment here)."),
        (403, "403 Forbidden (the token cannot comment here)."),
        (404, "404 Not Found (the token cannot comment here)."),
        (422, "422 Unprocessable Entity."),
        (500, "500 Internal Server Error (a fault on its side: run the job again later)."),
        (502, "502 Bad Gateway (a fault on its side: run the job again later)."),
        (503, "503 Service Unavailable (a fault on its side: run the job again later)."),
    ],
    ids=["401", "403", "404", "422", "500", "502", "503"],
)
def test_an_error_status_is_one_line(tmp_path: Path, forge: Forge, status: int, says: str) -> None:
    forge.api.behave = lambda method, path: (status, {}, b"<html>oops</html>")
    result = post(tmp_path, github(tmp_path, forge.api.url))
    line = assert_one_line_error(result, 1, f"GitHub refused GET {forge.api.url}/repos/acme")
    assert line.endswith(says)


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"<html><body>Sign in</body></html>", "something that is not JSON"),
        (b"\xff\xfe\x00garbage", "something that is not JSON"),
        (b'{"truncated": ', "something that is not JSON"),
        (b'[{"body": "' + MARKER.encode() + b'", "id": "x"}]', "a comment that has no numeric id"),
        (b'[{"body": "' + MARKER.encode() + b'"}]', "a comment that has no numeric id"),
    ],
    ids=["html", "binary", "truncated-json", "id-not-a-number", "no-id"],
)
def test_a_body_that_is_not_the_api_is_one_line(
    tmp_path: Path, forge: Forge, body: bytes, says: str
) -> None:
    forge.api.behave = lambda method, path: (200, {"Content-Type": "text/html"}, body)
    result = post(tmp_path, github(tmp_path, forge.api.url))
    assert_one_line_error(result, 1, "GitHub answered", says)


def test_a_slow_server_times_out_in_one_line(
    tmp_path: Path, forge: Forge, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(post_module, "TIMEOUT", 0.5)

    def slow(method: str, path: str) -> Answer:
        time.sleep(3)
        return 200, {}, b"[]"

    forge.api.behave = slow
    started = time.monotonic()
    result = post(tmp_path, github(tmp_path, forge.api.url))
    assert time.monotonic() - started < 2.5
    assert_one_line_error(result, 1, forge.api.url, "within 0.5 s: run the job again later.")


def test_an_endless_body_is_cut_short(
    tmp_path: Path, forge: Forge, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(post_module, "MAX_BODY", 1000)
    forge.api.behave = lambda method, path: (200, {}, b"[" + b"1," * 5000 + b"1]")
    result = post(tmp_path, github(tmp_path, forge.api.url))
    assert_one_line_error(result, 1, "with more than 0 MB")


def test_endless_pages_stop(tmp_path: Path, forge: Forge, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(post_module, "MAX_PAGES", 3)
    page = json.dumps([{"id": i, "body": "hi"} for i in range(100)]).encode()
    forge.api.behave = lambda method, path: (200, {}, page)
    result = post(tmp_path, github(tmp_path, forge.api.url))
    assert_one_line_error(result, 1, "listed more than 300 comments")
    assert len(forge.api.seen) == 3


def test_nobody_listening_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    result = post(tmp_path, github(tmp_path, f"http://127.0.0.1:{port}"))
    assert_one_line_error(result, 1, f"Cannot reach GitHub at http://127.0.0.1:{port}/")
