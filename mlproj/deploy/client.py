"""Talking to a running `mlproj serve`: every way a request can go wrong becomes one line.

A deployment under test may refuse the connection, hang, answer something that is not HTTP
or not JSON, or answer JSON of another shape. The first four are `Unanswered` here, with a
reason a person reads in one line; what the JSON says is judged by the caller.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from mlproj._core.text import brief, first_line

if TYPE_CHECKING:
    import httpx

# Seconds one request may take before the service counts as not answering.
TIMEOUT_SECONDS = 10.0
# Seconds between two tries while waiting for /health.
POLL_SECONDS = 0.25


class Unanswered(Exception):
    """A request got no usable answer: no connection, no HTTP, no JSON. Its text says which."""


@dataclass(frozen=True)
class Reply:
    """One answer: its status, its JSON body, its headers and how long it took."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    elapsed_ms: float = 0.0


def check_url(url: str) -> str | None:
    """Why URL cannot be a service's address (None when it can): http(s) and a host."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"{url!r} is not an http:// or https:// address such as http://127.0.0.1:8000"
    return None


class Service:
    """A running service at one base URL; `client` lets tests pass an in-process transport."""

    def __init__(self, url: str, client: httpx.Client | None = None) -> None:
        import httpx

        self.url = url.rstrip("/")
        self._client = client or httpx.Client(timeout=TIMEOUT_SECONDS)
        self._owned = client is None

    def close(self) -> None:
        """Close the connections this object opened (never a client it was given)."""
        if self._owned:
            self._client.close()

    def get(self, path: str) -> Reply:
        """GET PATH; `Unanswered` when no JSON comes back."""
        return self._send("GET", path, None, {})

    def predict(self, rows: list[dict[str, Any]], request_id: str) -> Reply:
        """POST ROWS to /predict under REQUEST_ID; `Unanswered` when no JSON comes back."""
        return self._send("POST", "/predict", {"rows": rows}, {"X-Request-ID": request_id})

    def wait_healthy(self, seconds: float) -> Reply:
        """GET /health until it answers 200, for up to SECONDS (one try for 0).

        `Unanswered` with the last reason when it never does.
        """
        deadline = time.monotonic() + seconds
        while True:
            try:
                reply = self.get("/health")
                if reply.status == 200:
                    return reply
                reason = f"HTTP {reply.status}"
            except Unanswered as exc:
                reason = str(exc)
            if time.monotonic() + POLL_SECONDS > deadline:
                waited = f"within {seconds:g} s" if seconds else "at once"
                raise Unanswered(f"{self.url}/health: no healthy answer {waited} (last: {reason})")
            time.sleep(POLL_SECONDS)

    def _send(self, method: str, path: str, body: Any, headers: dict[str, str]) -> Reply:
        import httpx

        what = f"{method} {path}"
        started = time.perf_counter()
        try:
            response = self._client.request(method, self.url + path, json=body, headers=headers)
        except httpx.TimeoutException:
            raise Unanswered(f"{what}: no answer within {TIMEOUT_SECONDS:g} s") from None
        except httpx.ConnectError as exc:
            raise Unanswered(f"{what}: cannot connect ({_reason(exc)})") from None
        except (httpx.RemoteProtocolError, httpx.DecodingError) as exc:
            raise Unanswered(f"{what}: the answer is not HTTP ({_reason(exc)})") from None
        except httpx.HTTPError as exc:
            raise Unanswered(f"{what}: {_reason(exc)}") from None
        elapsed = (time.perf_counter() - started) * 1000
        try:
            parsed = json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            kind = response.headers.get("content-type", "no content type")
            shown = brief(response.text, 40)
            status = response.status_code
            raise Unanswered(
                f"{what}: HTTP {status} with a body that is not JSON ({kind}: {shown})"
            ) from None
        return Reply(response.status_code, parsed, dict(response.headers), elapsed)


def _reason(exc: Exception) -> str:
    text = first_line(exc)
    # "[Errno 111] Connection refused" reads better without the number.
    return text.split("] ", 1)[1] if text.startswith("[Errno") and "] " in text else text
