"""The last release is the highest vX.Y.Z tag, its metrics read from git; finish records both."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlproj.errors import InvalidGates
from mlproj.flow.releases import (
    RECORD_FILE,
    Release,
    ReleaseRecord,
    last_release,
    parse_release,
    read_record,
    record_release,
    released_metrics,
)
from tests.conftest import git, init_repo, write


def commit(repo: Path, accuracy: float, *tags: str) -> None:
    write(repo / "metrics.json", json.dumps({"accuracy": accuracy}))
    git(repo, "add", "metrics.json")
    git(repo, "commit", "--quiet", "-m", f"accuracy {accuracy}")
    for tag in tags:
        git(repo, "tag", "-a", tag, "-m", f"Release {tag}")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return init_repo(tmp_path)


@pytest.mark.parametrize(
    ("tag", "version"),
    [("v1.2.3", (1, 2, 3)), ("v0.10.0", (0, 10, 0)), ("v1.0.0-rc.1", None), ("1.0.0", None),
     ("v01.0.0", None), ("latest", None), ("v1.0", None)],
)  # fmt: skip
def test_only_plain_versions_are_releases(tag: str, version: tuple[int, int, int] | None) -> None:
    parsed = parse_release(tag)
    assert (parsed.version if parsed else None) == version


def test_the_highest_version_wins_not_the_newest_tag(repo: Path) -> None:
    commit(repo, 0.80, "v0.2.0")
    commit(repo, 0.90, "v0.10.0")
    commit(repo, 0.85, "v0.9.1", "v2.0.0-rc.1", "nightly")
    release = last_release(repo)
    assert release == Release((0, 10, 0), "v0.10.0")
    # Its metrics as committed with the tag, not those in the working tree.
    assert released_metrics(repo, release, repo / "metrics.json") == {"accuracy": 0.9}


def test_a_release_on_another_branch_still_counts(repo: Path) -> None:
    commit(repo, 0.8)
    git(repo, "switch", "--quiet", "--create", "develop")
    git(repo, "switch", "--quiet", "main")
    commit(repo, 0.9, "v1.0.0")
    git(repo, "switch", "--quiet", "develop")
    assert last_release(repo) == Release((1, 0, 0), "v1.0.0")
    assert released_metrics(repo, Release((1, 0, 0), "v1.0.0"), repo / "metrics.json") == {
        "accuracy": 0.9
    }


def test_no_release_yet(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    assert last_release(repo) is None
    commit(repo, 0.8, "before-release")
    assert last_release(repo) is None
    assert last_release(tmp_path_factory.mktemp("not-git")) is None


def test_a_project_in_a_subfolder_reads_its_own_metrics(repo: Path) -> None:
    project = repo / "models" / "churn"
    write(project / "metrics.json", json.dumps({"accuracy": 0.7}))
    write(repo / "metrics.json", json.dumps({"accuracy": 0.1}))
    git(repo, "add", ".")
    git(repo, "commit", "--quiet", "-m", "two projects")
    git(repo, "tag", "-a", "v0.1.0", "-m", "first")
    release = last_release(project)
    assert release is not None
    assert released_metrics(project, release, project / "metrics.json") == {"accuracy": 0.7}


def test_a_release_without_the_file_has_no_metrics(repo: Path) -> None:
    write(repo / "README.md", "x")
    git(repo, "add", "README.md")
    git(repo, "commit", "--quiet", "-m", "readme")
    git(repo, "tag", "-a", "v0.1.0", "-m", "first")
    assert released_metrics(repo, Release((0, 1, 0), "v0.1.0"), repo / "metrics.json") is None


def test_a_release_with_a_broken_file_is_refused(repo: Path) -> None:
    write(repo / "metrics.json", "{not json")
    git(repo, "add", "metrics.json")
    git(repo, "commit", "--quiet", "-m", "broken")
    git(repo, "tag", "-a", "v0.1.0", "-m", "first")
    with pytest.raises(InvalidGates, match=r"^v0\.1\.0:\./metrics\.json: not valid JSON \("):
        released_metrics(repo, Release((0, 1, 0), "v0.1.0"), repo / "metrics.json")


def test_a_release_is_recorded_with_its_committed_metrics(repo: Path) -> None:
    assert read_record(repo) == ReleaseRecord(None, None)  # a project made before the record
    commit(repo, 0.9, "v0.1.0")
    write(repo / "metrics.json", json.dumps({"accuracy": 0.5}))  # the workspace's, not the commit's
    assert record_release(repo, Release((0, 1, 0), "v0.1.0"), repo / "metrics.json") is True
    assert json.loads((repo / RECORD_FILE).read_text()) == {
        "release": "v0.1.0",
        "metrics": {"accuracy": 0.9},
    }
    assert read_record(repo) == ReleaseRecord(Release((0, 1, 0), "v0.1.0"), {"accuracy": 0.9})
    # Recording it again changes nothing, so finish has nothing to rerun or commit.
    assert record_release(repo, Release((0, 1, 0), "v0.1.0"), repo / "metrics.json") is False


@pytest.mark.parametrize(
    "text",
    ['{"release": "latest", "metrics": null}', '{"release": "v1.0.0", "metrics": [1]}',
     '{"release": 1}'],
)  # fmt: skip
def test_a_record_that_is_not_one_is_refused(tmp_path: Path, text: str) -> None:
    write(tmp_path / RECORD_FILE, text)
    with pytest.raises(InvalidGates) as caught:
        read_record(tmp_path)
    assert str(caught.value) == (
        f'{tmp_path / RECORD_FILE}: expected {{"release": "vX.Y.Z" or null, "metrics": {{...}} '
        "or null}; `mlproj flow release finish` writes it."
    )
