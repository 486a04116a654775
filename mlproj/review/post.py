"""Post the review report on its pull (merge) request, replacing the previous version.

One comment per pull request, updated in place on every push: a comment per commit floods the
conversation (as CML's do, cml #719). The comment is found by the report's marker. GitHub is
reached with the workflow's `GITHUB_TOKEN`, GitLab with a project access token in
`MLPROJ_REVIEW_TOKEN` (GitLab's job token cannot write notes).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlproj.errors import UserError
from mlproj.review.report import MARKER

PAGE = 100


@dataclass(frozen=True)
class Posted:
    """Where the report went, and whether an earlier version was replaced."""

    host: str
    url: str
    replaced: bool


@dataclass(frozen=True)
class _Target:
    host: str
    list_url: str
    create_url: str
    item_url: str  # with {id}
    update_method: str
    headers: dict[str, str]


def post_report(body: str, environ: Mapping[str, str]) -> Posted:
    """Create or replace the report comment on the pull request this CI run is for."""
    if MARKER not in body:
        body = f"{MARKER}\n{body}"
    target = _target(environ)
    existing = _find(target)
    if existing is None:
        _request(target, "POST", target.create_url, {"body": body})
        return Posted(target.host, target.create_url, replaced=False)
    url = target.item_url.format(id=existing)
    _request(target, target.update_method, url, {"body": body})
    return Posted(target.host, url, replaced=True)


def post_report_file(path: Path, environ: Mapping[str, str]) -> Posted:
    """`post_report` with the Markdown written by `mlproj review report --output PATH`."""
    try:
        body = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise UserError(f"Cannot read {path}: write it with `mlproj review report`.") from None
    return post_report(body, environ)


def _target(env: Mapping[str, str]) -> _Target:
    if env.get("GITHUB_ACTIONS") == "true" or env.get("GITHUB_EVENT_PATH"):
        return _github(env)
    if env.get("GITLAB_CI") == "true" or env.get("CI_API_V4_URL"):
        return _gitlab(env)
    raise UserError("Not in a GitHub Actions or GitLab CI job: nowhere to post the report.")


def _github(env: Mapping[str, str]) -> _Target:
    token = env.get("GITHUB_TOKEN") or env.get("GH_TOKEN")
    repo = env.get("GITHUB_REPOSITORY")
    if not token or not repo:
        raise UserError("GITHUB_TOKEN and GITHUB_REPOSITORY must be set to post the report.")
    number = _pull_number(Path(env.get("GITHUB_EVENT_PATH", "")))
    api = env.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")
    return _Target(
        host="GitHub",
        list_url=f"{api}/repos/{repo}/issues/{number}/comments",
        create_url=f"{api}/repos/{repo}/issues/{number}/comments",
        item_url=f"{api}/repos/{repo}/issues/comments/{{id}}",
        update_method="PATCH",
        headers={
            "Authorization": f"Bearer {token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
        },
    )


def _gitlab(env: Mapping[str, str]) -> _Target:
    token = env.get("MLPROJ_REVIEW_TOKEN")
    if not token:
        raise UserError(
            "Set MLPROJ_REVIEW_TOKEN (a project access token with the api scope) as a masked "
            "CI/CD variable to post the report; GitLab's job token cannot write notes."
        )
    iid = env.get("CI_MERGE_REQUEST_IID")
    if not iid:
        raise UserError("CI_MERGE_REQUEST_IID is not set: this is not a merge request pipeline.")
    api = env.get("CI_API_V4_URL", "").rstrip("/")
    notes = f"{api}/projects/{env.get('CI_PROJECT_ID', '')}/merge_requests/{iid}/notes"
    return _Target(
        host="GitLab",
        list_url=notes,
        create_url=notes,
        item_url=f"{notes}/{{id}}",
        update_method="PUT",
        headers={"PRIVATE-TOKEN": token},
    )


def _pull_number(event_path: Path) -> int:
    try:
        event = json.loads(event_path.read_text(encoding="utf-8"))
        return int(event["pull_request"]["number"])
    except (OSError, ValueError, KeyError, TypeError):
        raise UserError(
            f"{event_path} is not a pull request event: the report is posted on pull requests."
        ) from None


def _find(target: _Target) -> int | None:
    page = 1
    while True:
        comments = _request(target, "GET", f"{target.list_url}?per_page={PAGE}&page={page}")
        if not isinstance(comments, list):
            return None
        for comment in comments:
            if str(comment.get("body", "")).startswith(MARKER):
                return int(comment["id"])
        if len(comments) < PAGE:
            return None
        page += 1


def _request(target: _Target, method: str, url: str, payload: dict[str, str] | None = None) -> Any:
    import urllib.error
    import urllib.request

    data = None if payload is None else json.dumps(payload).encode()
    headers = {**target.headers, "Content-Type": "application/json", "User-Agent": "mlproj"}
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read().decode() or "null"
    except urllib.error.HTTPError as exc:
        hint = " (the token cannot comment here)" if exc.code in (401, 403, 404) else ""
        refused = f"{target.host} refused {method} {url}: {exc.code} {exc.reason}{hint}."
        raise UserError(refused) from None
    except urllib.error.URLError as exc:
        raise UserError(f"Cannot reach {target.host} at {url}: {exc.reason}.") from None
    return json.loads(text)
