"""A git + DVC repository made by hand (no `dvc init`: it takes a second), and fake servers."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import git, init_repo, write


def dvc_repo(path: Path) -> Path:
    """What `dvc init` leaves that the remote config needs: `.dvc/` and its `.gitignore`."""
    path.mkdir(parents=True, exist_ok=True)
    init_repo(path)
    write(path / ".dvc" / ".gitignore", "/config.local\n/tmp\n/cache\n")
    write(path / ".dvc" / "config", "")
    git(path, "add", ".dvc")
    git(path, "commit", "--quiet", "-m", "dvc init")
    return path


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return dvc_repo(tmp_path / "project")


@pytest.fixture
def no_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """No AWS keys from the machine running the tests."""
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-a-real-secret-42")
    return "AKIDTEST", "not-a-real-secret-42"


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A server that accepts connections and never answers: a hung S3 server."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join(2)
    for connection in held:
        connection.close()
    listener.close()


@pytest.fixture
def web_server() -> Iterator[str]:
    """An HTTP server that is not S3: every request gets a 404 web page."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class NotS3(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<html><body>Not found</body></html>"
            self.send_response(404)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), NotS3)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
