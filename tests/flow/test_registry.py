"""The model registry on a small git repository: versions, stage moves, rollback, refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlproj.errors import RegistryError
from mlproj.flow.registry import assign, current, moves, register, rollback, uses_registry, versions
from tests.conftest import git, init_repo, write


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """Two commits registered as v1.0.0 and v1.1.0."""
    init_repo(tmp_path)
    write(tmp_path / ".gto", "stages: [staging, prod]\ntypes: [model]\n")
    git(tmp_path, "add", "--all")
    git(tmp_path, "commit", "--quiet", "-m", "one")
    assert register(tmp_path, "v1.0.0", "HEAD") == "model@v1.0.0"
    git(tmp_path, "commit", "--quiet", "--allow-empty", "-m", "two")
    register(tmp_path, "v1.1.0", "HEAD")
    return tmp_path


def test_versions_are_listed_in_semver_order(repo: Path) -> None:
    git(repo, "commit", "--quiet", "--allow-empty", "-m", "three")
    register(repo, "v1.10.0", "HEAD")
    assert versions(repo) == ["v1.0.0", "v1.1.0", "v1.10.0"]


def test_moves_within_one_second_keep_their_order(repo: Path) -> None:
    assert assign(repo, "v1.0.0", "prod") == "model#prod#1"
    assert assign(repo, "1.1.0", "prod") == "model#prod#2"
    assert current(repo, "prod") == "v1.1.0"
    assert current(repo, "staging") is None


def test_rollback_goes_to_the_previous_holder_and_back(repo: Path) -> None:
    assign(repo, "v1.0.0", "prod")
    assign(repo, "v1.1.0", "prod")
    rolled = rollback(repo, "prod")
    assert (rolled.was, rolled.now) == ("v1.1.0", "v1.0.0")
    assert current(repo, "prod") == "v1.0.0"
    assert [m.version for m in moves(repo, "prod")] == ["v1.0.0", "v1.1.0", "v1.0.0"]
    assert rollback(repo, "prod").now == "v1.1.0"


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (
            lambda r: assign(r, "v2.0.0", "prod"),
            "model v2.0.0 is not registered; registered: v1.0.0, v1.1.0.",
        ),
        (
            lambda r: assign(r, "v1.0.0", "live"),
            "'live' is not a stage: use one of staging, prod (.gto).",
        ),
        (lambda r: rollback(r, "prod"), "Nothing is in prod: there is nothing to roll back."),
    ],
    ids=["unknown-version", "unknown-stage", "empty-stage"],
)
def test_refusals(repo: Path, action: object, message: str) -> None:
    with pytest.raises(RegistryError) as raised:
        action(repo)  # type: ignore[operator]
    assert str(raised.value) == message


def test_rollback_needs_an_earlier_version(repo: Path) -> None:
    assign(repo, "v1.0.0", "prod")
    with pytest.raises(RegistryError) as raised:
        rollback(repo, "prod")
    assert str(raised.value) == "prod has only ever held v1.0.0: there is no earlier version."


def test_assigning_the_current_version_again_is_refused(repo: Path) -> None:
    assign(repo, "v1.0.0", "prod")
    with pytest.raises(RegistryError, match=r"^model v1\.0\.0 is in prod already\.$"):
        assign(repo, "v1.0.0", "prod")


def test_a_project_without_a_registry(tmp_path: Path) -> None:
    assert not uses_registry(tmp_path)
    with pytest.raises(RegistryError, match="this project keeps no model registry"):
        versions(tmp_path)
