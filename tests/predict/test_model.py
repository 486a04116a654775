"""Which model scores a batch: its name beside each row, and the contract of its commit."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlproj.errors import RegistryError
from mlproj.predict.model import contract_at, workspace_version
from mlproj.project.project import open_project
from tests.conftest import git, write
from tests.toy_project import make_project

pytestmark = pytest.mark.usefixtures("forget_toy_package")


def committed(root: Path) -> Path:
    git(root, "init", "--quiet")
    git(root, "add", "--all")
    git(root, "-c", "user.name=T", "-c", "user.email=t@x", "commit", "--quiet", "-m", "first")
    return root


def test_outside_git_the_workspace_has_no_commit(tmp_path: Path) -> None:
    assert workspace_version(tmp_path) == "workspace"


def test_the_workspace_is_named_after_its_commit_and_marked_when_changed(
    tmp_path: Path,
) -> None:
    root = committed(make_project(tmp_path / "proj"))
    short = git(root, "rev-parse", "--short", "HEAD")
    assert workspace_version(root) == f"workspace@{short}"
    write(root / "untracked.csv", "a\n")  # not part of what a commit records
    assert workspace_version(root) == f"workspace@{short}"
    (root / "params.yaml").write_text((root / "params.yaml").read_text() + "# edited\n")
    assert workspace_version(root) == f"workspace@{short}+dirty"


def test_a_version_is_held_to_the_contract_of_its_own_commit(tmp_path: Path) -> None:
    root = committed(make_project(tmp_path / "proj"))
    git(root, "tag", "model@v1.0.0")
    contract = root / "data" / "contract.yaml"
    contract.write_text(contract.read_text().replace("allowed: [blue, red]", "allowed: [red]"))
    project = open_project(root)
    assert contract_at(project, "model@v1.0.0").rule("color").allowed == ("blue", "red")
    with pytest.raises(RegistryError) as refused:
        contract_at(project, "model@v9.9.9")
    assert str(refused.value) == (
        "model@v9.9.9 has no data/contract.yaml: the data contract its rows must keep to."
    )
