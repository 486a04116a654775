"""Where the running mlproj came from, and how a generated project asks for the same one.

pip records how it installed a distribution in `direct_url.json` (PEP 610): absent for an
index, `vcs_info` for a git URL, `dir_info` for a local folder (editable or not),
`archive_info` for a wheel or sdist URL. A project made by an mlproj from PyPI asks for the
compatible range (`mlproj>=0.2,<1`); one made by an mlproj from a git URL pins that URL to its
commit, so its CI installs the exact code that made it. A folder on this machine (a checkout,
`git+file://`, a local wheel) is out of CI's reach: the project keeps the PyPI range and
`mlproj new` says so, with the command that fixes it.

The record is input written by whatever installed mlproj: anything unexpected in it (bad
JSON, an unknown VCS, no commit, a password in the URL, characters a shell or YAML line would
read) falls back to the range, with a warning naming what was wrong.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

# The VCS pip can install from, each with the commit ids it writes.
_COMMITS = {
    "git": re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}"),
    "hg": re.compile(r"[0-9a-f]{40}"),
    "bzr": re.compile(r"[\w.@:+-]{1,200}"),
    "svn": re.compile(r"\d{1,12}"),
}
# URLs that reach CI, spelt with characters no shell, YAML or TOML line reads as syntax.
_REMOTE = re.compile(r"(https?|ssh|git)://[A-Za-z0-9._~:/@%+=,-]+")
_SUBDIRECTORY = re.compile(r"[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*")
_SHA256 = re.compile(r"[0-9a-f]{64}")
PYPI_PAGE = "https://pypi.org/project/mlproj/"
FIX = 'pip install "mlproj @ git+https://HOST/OWNER/mlproj@COMMIT", then run mlproj new again'


@dataclass(frozen=True)
class MlprojSource:
    """How a generated project asks for mlproj, and what its maker should know about it.

    REQUIREMENT is the line for pyproject.toml and the lock file; PINNED says it names one
    build (a URL at a commit) rather than a range; LINK is the page the README points to;
    WARNING, when set, is one line for the person running `mlproj new`.
    """

    requirement: str
    pinned: bool = False
    link: str = PYPI_PAGE
    warning: str = ""


def version_range(version: str) -> str:
    """`mlproj>=X.Y,<X+1`: every release that keeps the API VERSION's project was made with."""
    found = re.match(r"(\d+)(?:\.(\d+))?", version)
    major, minor = (int(found.group(1)), found.group(2) or "0") if found else (0, "0")
    return f"mlproj>={major}.{minor},<{major + 1}"


def running_source(version: str) -> MlprojSource:
    """The source of the mlproj running now, from its `direct_url.json`."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        text = distribution("mlproj").read_text("direct_url.json")
    except PackageNotFoundError:  # run from a source tree that was never installed
        text = None
    return source_from_record(text, version)


def source_from_record(text: str | None, version: str) -> MlprojSource:
    """The source a `direct_url.json` TEXT describes (None: installed from an index)."""
    fallback = version_range(version)
    if text is None:
        return MlprojSource(fallback)
    try:
        record = json.loads(text)
    except ValueError:
        record = None
    if not isinstance(record, dict) or not isinstance(record.get("url"), str):
        return _unusable(fallback, "its install record (direct_url.json) cannot be read")
    url: str = record["url"]
    if url.startswith("file:"):
        return _local(fallback, url)
    if isinstance(record.get("vcs_info"), dict):
        return _vcs(fallback, url, record["vcs_info"], record.get("subdirectory"))
    if isinstance(record.get("archive_info"), dict):
        return _archive(fallback, url, record["archive_info"])
    return _unusable(fallback, f"its install record names {_shown(url)} without saying what it is")


def _vcs(fallback: str, url: str, info: dict[str, Any], subdirectory: object) -> MlprojSource:
    vcs, commit = info.get("vcs"), info.get("commit_id")
    if not isinstance(vcs, str) or vcs not in _COMMITS:
        reason = f"it came from an unknown version control system ({_shown(vcs)})"
        return _unusable(fallback, reason)
    if not isinstance(commit, str) or not _COMMITS[vcs].fullmatch(commit):
        return _unusable(fallback, f"its {vcs} install record holds no usable commit id")
    problem = _remote_problem(url)
    if problem:
        return _unusable(fallback, problem)
    requirement = f"mlproj @ {vcs}+{url}@{commit}"
    if subdirectory is not None:
        if not isinstance(subdirectory, str) or not _SUBDIRECTORY.fullmatch(subdirectory):
            return _unusable(fallback, "its install record names an unusable subdirectory")
        requirement += f"#subdirectory={subdirectory}"
    link = url.removesuffix(".git") if url.startswith("https://") else PYPI_PAGE
    return MlprojSource(requirement, pinned=True, link=link)


def _archive(fallback: str, url: str, info: dict[str, Any]) -> MlprojSource:
    problem = _remote_problem(url)
    if problem:
        return _unusable(fallback, problem)
    hashes = info.get("hashes")
    digest = hashes.get("sha256") if isinstance(hashes, dict) else None
    fragment = f"#sha256={digest}" if isinstance(digest, str) and _SHA256.fullmatch(digest) else ""
    return MlprojSource(f"mlproj @ {url}{fragment}", pinned=True)


def _remote_problem(url: str) -> str:
    """Why URL cannot go into a project's files, or '' when it can."""
    if not _REMOTE.fullmatch(url):
        return f"its install URL {_shown(url)} is not one CI can be given"
    netloc = urlsplit(url).netloc
    if "@" in netloc and ":" in netloc.rsplit("@", 1)[0]:
        return "its install URL holds a password, which is not copied into a project"
    return ""


def _local(fallback: str, url: str) -> MlprojSource:
    path = urlsplit(url).path or url
    return MlprojSource(
        fallback,
        warning=(
            f"mlproj was installed from {_shown(path)} on this machine, which CI cannot reach: "
            f"the project asks for {fallback} from PyPI. To pin this mlproj instead, push it "
            f"and {FIX}."
        ),
    )


def _unusable(fallback: str, reason: str) -> MlprojSource:
    return MlprojSource(
        fallback,
        warning=f"The project asks for {fallback} from PyPI: {reason}.",
    )


def _shown(value: object) -> str:
    """VALUE for a one-line message: JSON-quoted, cut at 80 characters."""
    text = value if isinstance(value, str) else json.dumps(value)
    return json.dumps(text[:77] + "..." if len(text) > 80 else text)
