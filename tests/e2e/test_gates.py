"""Quality gates in a generated project: the default passes, an impossible one stops DVC,
and the drop gate compares with the release last-release.json records."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from mlproj._core.text import number
from tests.e2e.conftest import copy_project, sh

pytestmark = pytest.mark.e2e


def git_identity(project: Path) -> None:
    sh("git", "config", "user.name", "Tester", cwd=project)
    sh("git", "config", "user.email", "tester@example.com", cwd=project)


def test_the_default_project_passes_its_gates_and_reports_slices(penguins: Path) -> None:
    metrics = json.loads((penguins / "metrics.json").read_text())
    assert metrics["balanced_accuracy"] > metrics["baseline"]["balanced_accuracy"]
    gates = json.loads((penguins / "reports" / "gates.json").read_text())
    assert gates["passed"] is True and gates["release"] is None
    statuses = {g["gate"]: g["status"] for g in gates["gates"]}
    assert statuses["max drop"] == "skipped"
    assert statuses["max gap in accuracy across sex"] == "passed"
    assert statuses["margin over baseline"] == "passed"
    drop = next(g for g in gates["gates"] if g["gate"] == "max drop")
    assert (
        drop["message"] == "max drop: skipped, no release yet (none recorded in last-release.json)"
    )

    params = yaml.safe_load((penguins / "params.yaml").read_text())
    slices = json.loads((penguins / "reports" / "slices.json").read_text())
    test_rows = sum(row["count"] for row in slices["columns"]["sex"])
    assert set(slices["columns"]) == {"island", "sex"}
    for rows in slices["columns"].values():
        assert sum(row["count"] for row in rows) == test_rows
        for row in rows:
            assert row["tiny"] == (row["count"] < params["slices"]["min_count"])
    assert statuses["feature contribution"] == "skipped"
    features = json.loads((penguins / "reports" / "features.json").read_text())
    assert features["metric"] == params["gates"]["margin"]["metric"]
    names = [f["name"] for f in features["features"]]
    assert names == [*params["data"]["numeric"], *params["data"]["categorical"]]
    for feature in features["features"]:
        for key in ("importance", "ablation_drop", "cost_ms_per_1k_rows"):
            assert isinstance(feature[key], float), (feature, key)
    report = (penguins / "reports" / "explain.html").read_text()
    assert "Model, baseline and simple model" in report
    assert "not gated" in report  # at least one island is a tiny slice on 69 test rows
    assert "gated at 0.1" in report


def test_an_impossible_threshold_fails_the_pipeline_naming_the_gate(
    penguins: Path, tmp_path: Path
) -> None:
    project = copy_project(penguins, tmp_path / "demo")
    git_identity(project)
    accuracy = json.loads((project / "metrics.json").read_text())["accuracy"]
    result = sh("dvc", "exp", "run", "-S", "gates.min.accuracy=1.01", cwd=project, check=False)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert f"Gate failed: min accuracy 1.01 > value {number(accuracy)}" in output
    assert f"Error: quality gate failed: min accuracy 1.01 > value {number(accuracy)}." in output
    assert "Traceback" not in output


def test_a_contribution_floor_fails_the_pipeline_naming_the_idle_features(
    penguins: Path, tmp_path: Path
) -> None:
    project = copy_project(penguins, tmp_path / "demo")
    git_identity(project)
    features = json.loads((project / "reports" / "features.json").read_text())["features"]
    idle = sorted((f["ablation_drop"], f["name"]) for f in features if f["ablation_drop"] < 0.05)
    assert idle and len(idle) < len(features)  # bill length carries the model; not all do
    result = sh("dvc", "exp", "run", "-S", "gates.min_contribution=0.05", cwd=project, check=False)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    listed = ", ".join(f"{name} {number(drop)}" for drop, name in idle)
    assert (
        f"Gate failed: feature contribution 0.05 > value {number(idle[0][0])} "
        f"(ablation drop in balanced_accuracy below it: {listed})" in output
    )
    assert "Traceback" not in output


def test_the_drop_gate_compares_with_the_recorded_release(penguins: Path, tmp_path: Path) -> None:
    project = copy_project(penguins, tmp_path / "demo")
    git_identity(project)
    sh("git", "tag", "-a", "v0.1.0", "-m", "First release", cwd=project)
    # A tag alone changes nothing the pipeline gives; a check against it only reads.
    checked = sh("mlproj", "gates", "check", "--release", "v0.1.0", cwd=project)
    assert "max drop in balanced_accuracy since v0.1.0 0.02 >= value 0 " in checked.stdout
    assert json.loads((project / "reports" / "gates.json").read_text())["release"] is None
    # As release finish records it: the tag and the metrics committed with it.
    then = json.loads(sh("git", "show", "v0.1.0:metrics.json", cwd=project).stdout)
    record = {"release": "v0.1.0", "metrics": then}
    (project / "last-release.json").write_text(json.dumps(record, indent=2) + "\n")

    # Fewer boosting rounds, committed as the work after the release: it scores a little lower.
    model = project / "conf" / "model" / "hist_gradient_boosting.yaml"
    model.write_text(model.read_text().replace("max_iter: 200 ", "max_iter: 5 "))
    result = sh("dvc", "repro", cwd=project, check=False)
    now = json.loads((project / "metrics.json").read_text())
    drop = round(then["balanced_accuracy"] - now["balanced_accuracy"], 6)
    assert drop > 0.02, "five rounds should lose more than the allowed drop"
    assert result.returncode != 0
    line = (
        f"max drop in balanced_accuracy since v0.1.0 0.02 < value {number(drop)} "
        f"(v0.1.0 {number(then['balanced_accuracy'])}, now {number(now['balanced_accuracy'])})"
    )
    assert f"Gate failed: {line}" in result.stdout
    report = json.loads((project / "reports" / "gates.json").read_text())
    failed = [g for g in report["gates"] if g["status"] == "failed"]
    assert [(g["gate"], g["value"]) for g in failed] == [("max drop in balanced_accuracy", drop)]


def test_a_model_worse_than_the_simple_one_fails_by_default_and_the_project_is_kept(
    tmp_path: Path,
) -> None:
    # A target linear in its features, a little noise: ridge fits it, boosting (the default)
    # on 240 training rows does not, by far more than the margin and its noise allowance.
    rng = np.random.default_rng(0)
    features = rng.normal(size=(300, 4))
    target = features @ [1.0, 1.3, 1.7, 2.0] + rng.normal(scale=0.3, size=300)
    data = tmp_path / "linear.csv"
    frame = pd.DataFrame(features, columns=["a", "b", "c", "d"]).assign(y=target.round(4))
    frame.round(4).to_csv(data, index=False)
    out = tmp_path / "out"
    out.mkdir()
    made = sh(
        sys.executable, "-m", "mlproj", "new", "linear", "--data", data, "--target", "y",
        "--no-input", "-q", "-o", out, cwd=out, check=False,
    )  # fmt: skip
    project = out / "linear"
    metrics = json.loads((project / "metrics.json").read_text())
    margin = round(metrics["r2"] - metrics["simple"]["r2"], 6)
    assert margin < -0.15  # well past the -0.1233 it may trail by on 60 test rows
    # -0.02, less 0.8/sqrt(60) for the noise of 60 test rows
    line = (
        f"margin over simple in r2 -0.1233 > value {number(margin)} (model {number(metrics['r2'])}"
        f", simple {number(metrics['simple']['r2'])}; -0.02 less 0.1033 for noise on 60 test rows)"
    )
    assert made.returncode == 18, made.stderr
    assert made.stderr.startswith(f"Error: The first run stopped at a quality gate: {line}.")
    assert f"{project} is created and committed" in made.stderr
    assert "dvc exp run -S model=ridge; or change the gate in conf/gates/default.yaml" in (
        made.stderr
    )
    assert "Traceback" not in made.stderr
    # Kept and committed as far as it ran, on develop; the report has every result.
    assert sh("git", "status", "--porcelain", cwd=project).stdout == ""
    assert sh("git", "branch", "--show-current", cwd=project).stdout.strip() == "develop"
    gates = json.loads((project / "reports" / "gates.json").read_text())
    assert (gates["status"], gates["passed"]) == ("failed", False)
    failed = [(g["gate"], g["message"]) for g in gates["gates"] if g["status"] == "failed"]
    assert failed == [("margin over simple", line)]
    # And `dvc repro` in the project stops at the same gate, naming it.
    again = sh("dvc", "repro", cwd=project, check=False)
    assert again.returncode != 0
    assert f"Gate failed: {line}" in again.stdout
