"""`mlproj predict` in a generated project: the workspace model, then a released version."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mlproj.flow.registry import register
from tests.e2e.conftest import copy_project, sh

pytestmark = pytest.mark.e2e


def test_predict_with_the_workspace_then_a_release(penguins: Path, tmp_path: Path) -> None:
    project = copy_project(penguins, tmp_path / "demo")
    sh("git", "config", "user.name", "Tester", cwd=project)
    sh("git", "config", "user.email", "tester@example.com", cwd=project)
    batch = tmp_path / "batch.csv"
    rows = pd.read_parquet(project / "data" / "processed" / "test.parquet")
    rows.drop(columns="species").to_csv(batch, index=False)
    short = sh("git", "rev-parse", "--short", "HEAD", cwd=project).stdout.strip()

    done = sh("mlproj", "predict", batch, "-o", tmp_path / "now.csv", cwd=project)
    assert done.stdout == (
        f"Wrote {len(rows)} prediction(s) to {tmp_path / 'now.csv'} (workspace@{short}).\n"
    )
    now = pd.read_csv(tmp_path / "now.csv")
    classes = sorted(rows["species"].unique())
    assert list(now.columns)[-5:] == [
        "prediction", *(f"proba_{name}" for name in classes), "model_version",
    ]  # fmt: skip
    assert (now["prediction"] == rows["species"].to_numpy()).mean() > 0.9

    # What `flow release finish` does last (its own e2e tests cover the rest): register the model.
    register(project, "v1.0.0", "HEAD")
    sh("mlproj", "registry", "assign", "v1.0.0", "prod", cwd=project)
    for option in (["--version", "v1.0.0"], ["--stage", "prod"]):
        out = tmp_path / f"{option[1]}.parquet"
        sh("mlproj", "predict", batch, "-o", out, *option, "--chunk-size", "50", cwd=project)
        released = pd.read_parquet(out)
        assert set(released["model_version"]) == {"model@v1.0.0"}
        assert released["prediction"].tolist() == now["prediction"].tolist()
