"""Posting the review report: one comment per pull request, replaced on every push."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

from mlproj.errors import UserError
from mlproj.review.post import post_report, post_report_file
from mlproj.review.report import MARKER
from tests.conftest import write


class FakeForge:
    """A tiny GitHub/GitLab comments API: a list of comments, and the requests it received."""

    def __init__(self) -> None:
        self.comments: list[dict[str, Any]] = []
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.refuse: int | None = None

    def handler(self) -> type[BaseHTTPRequestHandler]:
        forge = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                payload = json.loads(self.rfile.read(length) or b"{}")
                forge.requests.append(
                    (method, self.path, {k.lower(): v for k, v in self.headers.items()})
                )
                if forge.refuse:
                    self.send_error(forge.refuse, "Forbidden")
                    return
                path = self.path.split("?")[0]
                answer: Any
                if method == "GET":
                    page = int(self.path.split("page=")[-1])
                    answer = forge.comments[(page - 1) * 100 : page * 100]
                elif method == "POST":
                    answer = {"id": len(forge.comments) + 1, "body": payload["body"]}
                    forge.comments.append(answer)
                else:
                    comment_id = int(path.rsplit("/", 1)[-1])
                    answer = next(c for c in forge.comments if c["id"] == comment_id)
                    answer["body"] = payload["body"]
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._answer("GET")

            def do_POST(self) -> None:
                self._answer("POST")

            def do_PATCH(self) -> None:
                self._answer("PATCH")

            def do_PUT(self) -> None:
                self._answer("PUT")

        return Handler


@pytest.fixture
def forge() -> Iterator[tuple[FakeForge, str]]:
    fake = FakeForge()
    server = HTTPServer(("127.0.0.1", 0), fake.handler())
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield fake, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def github_env(tmp_path: Path, api: str) -> dict[str, str]:
    event = write(tmp_path / "event.json", json.dumps({"pull_request": {"number": 7}}))
    return {
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": "acme/churn",
        "GITHUB_API_URL": api,
        "GITHUB_TOKEN": "t0ken",
    }


def test_github_first_post_then_replace(tmp_path: Path, forge: tuple[FakeForge, str]) -> None:
    fake, api = forge
    fake.comments.append({"id": 1, "body": "LGTM"})
    env = github_env(tmp_path, api)
    first = post_report(f"{MARKER}\nv1", env)
    assert not first.replaced
    second = post_report(f"{MARKER}\nv2", env)
    assert second.replaced
    assert second.url == f"{api}/repos/acme/churn/issues/comments/2"
    assert [c["body"] for c in fake.comments] == ["LGTM", f"{MARKER}\nv2"]
    methods = [(m, p.split("?")[0]) for m, p, _ in fake.requests]
    assert methods == [
        ("GET", "/repos/acme/churn/issues/7/comments"),
        ("POST", "/repos/acme/churn/issues/7/comments"),
        ("GET", "/repos/acme/churn/issues/7/comments"),
        ("PATCH", "/repos/acme/churn/issues/comments/2"),
    ]
    assert fake.requests[0][2]["authorization"] == "Bearer t0ken"


def test_the_previous_report_is_found_past_the_first_page(
    tmp_path: Path, forge: tuple[FakeForge, str]
) -> None:
    fake, api = forge
    fake.comments.extend({"id": i, "body": f"comment {i}"} for i in range(1, 151))
    fake.comments.append({"id": 151, "body": f"{MARKER}\nold"})
    assert post_report("new", github_env(tmp_path, api)).replaced
    assert fake.comments[-1]["body"] == f"{MARKER}\nnew"
    assert len(fake.comments) == 151


def test_gitlab_uses_the_review_token_and_put(forge: tuple[FakeForge, str]) -> None:
    fake, api = forge
    env = {
        "GITLAB_CI": "true",
        "CI_API_V4_URL": api,
        "CI_PROJECT_ID": "12",
        "CI_MERGE_REQUEST_IID": "3",
        "MLPROJ_REVIEW_TOKEN": "glpat",
    }
    post_report(f"{MARKER}\nv1", env)
    assert post_report(f"{MARKER}\nv2", env).replaced
    assert [(m, p.split("?")[0]) for m, p, _ in fake.requests][-1] == (
        "PUT",
        "/projects/12/merge_requests/3/notes/1",
    )
    assert fake.requests[0][2]["private-token"] == "glpat"


def test_a_refusal_is_one_line(tmp_path: Path, forge: tuple[FakeForge, str]) -> None:
    fake, api = forge
    fake.refuse = 403
    with pytest.raises(UserError) as raised:
        post_report("x", github_env(tmp_path, api))
    assert str(raised.value) == (
        f"GitHub refused GET {api}/repos/acme/churn/issues/7/comments?per_page=100&page=1: "
        "403 Forbidden (the token cannot comment here)."
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "Not in a GitHub Actions or GitLab CI job: nowhere to post the report."),
        (
            {"GITHUB_ACTIONS": "true"},
            "GITHUB_TOKEN and GITHUB_REPOSITORY must be set to post the report.",
        ),
        ({"GITLAB_CI": "true"}, "Set MLPROJ_REVIEW_TOKEN"),
        ({"GITLAB_CI": "true", "MLPROJ_REVIEW_TOKEN": "x"}, "CI_MERGE_REQUEST_IID is not set"),
    ],
    ids=["nowhere", "github-no-token", "gitlab-no-token", "gitlab-not-mr"],
)
def test_missing_settings(env: dict[str, str], message: str) -> None:
    with pytest.raises(UserError) as raised:
        post_report("x", env)
    assert str(raised.value).startswith(message)


def test_a_missing_report_file(tmp_path: Path) -> None:
    with pytest.raises(UserError) as raised:
        post_report_file(tmp_path / "gone.md", {})
    assert str(raised.value) == (
        f"Cannot read {tmp_path / 'gone.md'}: write it with `mlproj review report`."
    )
