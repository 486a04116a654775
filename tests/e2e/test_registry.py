"""The model registry in a generated project: releases register, stages move, rollback restores."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import yaml

from tests.e2e.conftest import copy_project, sh

pytestmark = pytest.mark.e2e


def git(project: Path, *args: str) -> str:
    return sh("git", *args, cwd=project).stdout.strip()


def model_md5(project: Path, ref: str) -> str:
    """The model's hash as the commit's dvc.lock recorded it."""
    lock = yaml.safe_load(git(project, "show", f"{ref}:dvc.lock"))
    (out,) = [o for o in lock["stages"]["train"]["outs"] if o["path"].endswith(".skops")]
    return str(out["md5"])


def release(project: Path, version: str) -> None:
    sh("mlproj", "flow", "release", "start", version, cwd=project)
    finished = sh("mlproj", "flow", "release", "finish", cwd=project)
    assert f"✓ Registered model@v{version} (mlproj registry)" in finished.stdout


def test_promote_then_roll_back(penguins: Path, tmp_path: Path) -> None:
    project = copy_project(penguins, tmp_path / "demo")
    sh("git", "config", "user.name", "Tester", cwd=project)
    sh("git", "config", "user.email", "tester@example.com", cwd=project)

    nothing = sh("mlproj", "registry", "assign", "v1.0.0", "prod", cwd=project, check=False)
    assert nothing.returncode == 16
    assert nothing.stderr == (
        "Error: model v1.0.0 is not registered; registered: none yet "
        "(release one with `mlproj flow release`).\n"
    )

    release(project, "1.0.0")
    sh("mlproj", "flow", "feature", "start", "forest", cwd=project)
    config = project / "conf" / "config.yaml"
    config.write_text(
        config.read_text().replace("- model: hist_gradient_boosting", "- model: random_forest")
    )
    # The forest scores 0.024 below the boosted release on penguins: this release accepts it.
    gates = project / "conf" / "gates" / "default.yaml"
    gates.write_text(
        gates.read_text().replace("balanced_accuracy: 0.02", "balanced_accuracy: 0.05")
    )
    sh("dvc", "repro", cwd=project)
    sh("git", "add", "--all", cwd=project)
    sh("git", "commit", "--quiet", "--no-verify", "-m", "Random forest", cwd=project)
    sh("mlproj", "flow", "feature", "finish", cwd=project)
    release(project, "1.1.0")
    assert model_md5(project, "v1.0.0") != model_md5(project, "v1.1.0")

    sh("mlproj", "registry", "assign", "v1.0.0", "prod", cwd=project)
    promoted = sh("mlproj", "registry", "assign", "1.1.0", "prod", cwd=project)
    assert promoted.stdout.startswith("prod now holds 1.1.0 (model#prod#2).")
    shown = sh("mlproj", "registry", "show", cwd=project).stdout
    assert shown == "versions: v1.0.0, v1.1.0\nstaging: -\nprod: v1.1.0\n"

    bad_stage = sh("mlproj", "registry", "assign", "v1.0.0", "live", cwd=project, check=False)
    assert bad_stage.returncode == 16
    assert bad_stage.stderr == "Error: 'live' is not a stage: use one of staging, prod (.gto).\n"

    rolled = sh("mlproj", "registry", "rollback", "prod", cwd=project)
    assert rolled.stdout.startswith("prod: v1.1.0 → v1.0.0.")
    assert "prod: v1.0.0" in sh("mlproj", "registry", "show", cwd=project).stdout
    assert "model#prod#3" in git(project, "tag", "--list")

    # The rolled-back version's model comes back through DVC, byte for byte as released.
    got = sh("mlproj", "registry", "get", "prod", "-o", tmp_path / "prod.skops", cwd=project)
    assert got.stdout.startswith(f"Wrote {tmp_path / 'prod.skops'} (")
    data = (tmp_path / "prod.skops").read_bytes()
    assert hashlib.md5(data).hexdigest() == model_md5(project, "v1.0.0")

    # Rolling back again goes to v1.1.0: the previous holder of prod, not an older one.
    again = sh("mlproj", "registry", "rollback", cwd=project)
    assert again.stdout.startswith("prod: v1.0.0 → v1.1.0.")
