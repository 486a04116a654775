"""Which model scores a batch, and the contract its rows are held to.

The workspace model (the default) is `paths.model` as it is now, named after the commit it sits
on. A registry version or stage is the model file released at its `model@vX.Y.Z` tag, brought
back through DVC, and held to the data contract committed at that tag: the rows a model was
trained to accept are those of its own commit, not of today's contract.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlproj._core.git import git
from mlproj.errors import RegistryError
from mlproj.project.modelio import load_model

if TYPE_CHECKING:
    from mlproj.data.contract import Contract
    from mlproj.project.project import Project

WORKSPACE = "workspace"


@dataclass(frozen=True)
class ScoringModel:
    """A loaded model, what to call it beside each prediction, and the contract for its rows."""

    model: Any
    version: str
    contract: Contract


def scoring_model(project: Project, which: str | None = None) -> ScoringModel:
    """The workspace model when WHICH is None, else the registry's version or stage WHICH.

    Models load with the types the workspace's `models.py` trusts, whichever commit they come
    from: an older release holding a type trusted today is loaded, one holding a type nobody
    trusts any more is refused.
    """
    from mlproj.data.contract import load_contract

    if which is None:
        model = project.load_model()
        return ScoringModel(model, workspace_version(project.root), load_contract(project.contract))
    from mlproj.flow.registry import fetch

    with tempfile.TemporaryDirectory(prefix="mlproj-predict-") as folder:
        fetched = fetch(project.root, which, Path(folder) / project.model.name)
        model = load_model(fetched.output, project.trusted_types())
    return ScoringModel(model, fetched.ref, contract_at(project, fetched.ref))


def workspace_version(root: Path) -> str:
    """`workspace@<short commit>`, `+dirty` when tracked files differ from it, or `workspace`.

    A retrained but uncommitted model changes `dvc.lock`, so `+dirty` says the predictions may
    come from a model that no commit records.
    """
    commit = git(root, "rev-parse", "--short", "HEAD", check=False)
    if not commit:
        return WORKSPACE
    changed = git(root, "status", "--porcelain", "--untracked-files=no", check=False)
    return f"{WORKSPACE}@{commit}{'+dirty' if changed else ''}"


def contract_at(project: Project, ref: str) -> Contract:
    """The data contract as committed at REF."""
    from mlproj.data.contract import contract_from_yaml

    path = project.contract.relative_to(project.root).as_posix()
    text = git(project.root, "show", f"{ref}:{path}", check=False, strip=False)
    if not text:
        raise RegistryError(f"{ref} has no {path}: the data contract its rows must keep to.")
    return contract_from_yaml(text, source=f"{ref}:{path}")
