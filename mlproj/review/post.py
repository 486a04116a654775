"""Post the review report on its pull (merge) request, replacing the previous version.

One comment per pull request, updated in place on every push: a comment per commit floods the
conversation (as CML's do, cml #719). The comment is found by the report's marker. GitHub is
reached with the workflow's `GITHUB_TOKEN`, GitLab with a project access token in
`MLPROJ_REVIEW_TOKEN` (GitLab's job token cannot write notes).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlproj.errors import UserError
from mlproj.review.report import MARKER

PAGE = 100
# A forge answers in well under a second; a stuck one must not hold a CI job for an hour.
TIMEOUT = 30.0
# Enough pages for 10,000 comments; a server that never stops paging is not followed forever.
MAX_PAGES = 100
MAX_BODY = 16 * 1024 * 1024


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
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        raise UserError(
            f"{event_path} is not a pull request event: the report is posted on pull requests."
        ) from None


def _find(target: _Target) -> int | None:
    for page in range(1, MAX_PAGES + 1):
        comments = _request(target, "GET", f"{target.list_url}?per_page={PAGE}&page={page}")
        if not isinstance(comments, list):
            return None
        for comment in comments:
            if isinstance(comment, dict) and str(comment.get("body", "")).startswith(MARKER):
                return _comment_id(target, comment)
        if len(comments) < PAGE:
            return None
    raise UserError(
        f"{target.host} listed more than {MAX_PAGES * PAGE} comments at {target.list_url}: "
        "post the report by hand, or delete old comments."
    )


def _comment_id(target: _Target, comment: dict[str, Any]) -> int:
    try:
        return int(comment["id"])
    except (KeyError, TypeError, ValueError):
        raise UserError(
            f"{target.host} answered with a comment that has no numeric id at {target.list_url}."
        ) from None


def _request(target: _Target, method: str, url: str, payload: dict[str, str] | None = None) -> Any:
    import urllib.error
    import urllib.request

    data = None if payload is None else json.dumps(payload).encode()
    headers = {**target.headers, "Content-Type": "application/json", "User-Agent": "mlproj"}
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    opener = urllib.request.build_opener(_same_origin_redirects()(target.host, url))
    try:
        with opener.open(request, timeout=TIMEOUT) as response:
            body = response.read(MAX_BODY + 1)
    except urllib.error.HTTPError as exc:
        hint = " (the token cannot comment here)" if exc.code in (401, 403, 404) else ""
        if exc.code >= 500:
            hint = " (a fault on its side: run the job again later)"
        said = " ".join(str(exc.reason).split())[:80]
        refused = f"{target.host} refused {method} {url}: {exc.code} {said}{hint}."
        raise UserError(refused) from None
    except urllib.error.URLError as exc:
        reason: object = "timed out" if isinstance(exc.reason, TimeoutError) else exc.reason
        raise UserError(f"Cannot reach {target.host} at {url}: {reason}.") from None
    except TimeoutError:
        raise UserError(
            f"{target.host} did not answer {method} {url} within {TIMEOUT:g} s: "
            "run the job again later."
        ) from None
    except OSError as exc:
        raise UserError(f"Cannot reach {target.host} at {url}: {exc.strerror or exc}.") from None
    return _json(target, method, url, body)


def _json(target: _Target, method: str, url: str, body: bytes) -> Any:
    if len(body) > MAX_BODY:
        raise UserError(
            f"{target.host} answered {method} {url} with more than {MAX_BODY // 1024**2} MB: "
            "is GITHUB_API_URL / CI_API_V4_URL the forge's API?"
        )
    try:
        return json.loads(body.decode("utf-8") or "null")
    except ValueError:
        raise UserError(
            f"{target.host} answered {method} {url} with something that is not JSON: "
            "is GITHUB_API_URL / CI_API_V4_URL the forge's API?"
        ) from None


def _origin(url: str) -> tuple[str, str, int | None]:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), parts.port or default


@functools.cache
def _same_origin_redirects() -> type[Any]:
    """The redirect handler class, made on first use: urllib.request costs `--help` time."""
    import urllib.request

    class SameOriginRedirects(urllib.request.HTTPRedirectHandler):
        """Follow a redirect only within the API's own origin, where the token is meant to go.

        urllib copies every header, `Authorization` and `PRIVATE-TOKEN` included, to whatever
        host a `Location` names. A redirect to another host or scheme is refused with one line
        instead: following it without the token would fail anyway, and with it would leak it.
        """

        def __init__(self, host: str, url: str) -> None:
            super().__init__()
            self.host = host
            self.origin = _origin(url)

        def redirect_request(
            self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str
        ) -> urllib.request.Request | None:
            """Refuse a redirect that leaves the API's scheme, host and port."""
            if _origin(newurl) != self.origin:
                scheme, host, port = _origin(newurl)
                raise UserError(
                    f"{self.host} redirected {req.get_method()} {req.full_url} to another host "
                    f"({scheme}://{host}:{port}); mlproj sends its token only to the configured "
                    "API host: check GITHUB_API_URL / CI_API_V4_URL."
                )
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    return SameOriginRedirects
