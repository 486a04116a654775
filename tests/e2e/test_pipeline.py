"""The generated pipeline end to end: repro, metrics, plots, report, experiments, its own checks."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from tests.e2e.conftest import REPO, copy_project, mlproj_new, sh

pytestmark = pytest.mark.e2e


def ran(output: str) -> list[str]:
    return re.findall(r"Running stage '([^']+)'", output)


def test_the_baseline_is_trained_and_reported(penguins: Path) -> None:
    metrics = json.loads((penguins / "metrics.json").read_text())
    assert metrics["accuracy"] >= 0.9
    own = {"accuracy", "balanced_accuracy", "f1_macro", "roc_auc"}
    assert set(metrics) == own | {"baseline", "simple"}
    assert set(metrics["baseline"]) == set(metrics["simple"]) == own
    for plot in ("confusion.csv", "roc.csv", "precision_recall.csv"):
        assert len(pd.read_csv(penguins / "plots" / plot)) > 1
    report = (penguins / "reports" / "explain.html").read_text()
    assert report.count("data:image/png;base64,") >= 3
    assert "http://" not in report and "https://" not in report
    assert "accuracy" in report
    importance = json.loads((penguins / "reports" / "importance.json").read_text())
    assert set(importance["features"]) == {
        "island",
        "sex",
        "bill_length_mm",
        "bill_depth_mm",
        "flipper_length_mm",
        "body_mass_g",
        "year",
    }
    assert sorted((penguins / "reports" / "figures").glob("waterfall_*.png"))


def test_repro_again_runs_nothing(penguins: Path, tmp_path: Path) -> None:
    project = copy_project(penguins, tmp_path / "demo")
    result = sh("dvc", "repro", cwd=project)
    assert ran(result.stdout) == []
    assert sh("git", "status", "--porcelain", cwd=project).stdout == ""


def test_fresh_clone_reproduces_the_same_metrics(penguins: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    sh("git", "clone", "--quiet", penguins, clone, cwd=tmp_path)
    result = sh("dvc", "repro", cwd=clone)
    # params.yaml is committed and current; the retrained model is byte-identical to the
    # locked one, so evaluate (whose outputs are in git) has nothing to redo.
    assert ran(result.stdout) == [
        "ingest",
        "validate",
        "split",
        "train",
        "explain",
    ]  # not regression/evaluate: outputs in git
    assert (clone / "models" / "model.skops").read_bytes() == (
        penguins / "models" / "model.skops"
    ).read_bytes()
    assert (clone / "metrics.json").read_text() == (penguins / "metrics.json").read_text()
    assert (clone / "reports" / "importance.json").read_text() == (
        penguins / "reports" / "importance.json"
    ).read_text()
    assert sh("git", "status", "--porcelain", cwd=clone).stdout == ""


def test_a_model_param_change_reruns_only_train_onwards(penguins: Path, tmp_path: Path) -> None:
    project = copy_project(penguins, tmp_path / "demo")
    model = project / "conf" / "model" / "random_forest.yaml"
    model.write_text(model.read_text().replace("n_estimators: 200", "n_estimators: 20"))
    result = sh("dvc", "repro", cwd=project)
    # Not `gates`: its inputs, metrics.json and slices.json, come out byte-identical here;
    # `card` does, as the card names the model's parameters.
    assert ran(result.stdout) == ["params", "train", "regression", "evaluate", "explain", "card"]
    assert "n_estimators: 20" in (project / "params.yaml").read_text()
    assert "up to date" in sh("dvc", "status", cwd=project).stdout


def test_a_hand_edit_of_params_is_refused_not_lost(penguins: Path, tmp_path: Path) -> None:
    project = copy_project(penguins, tmp_path / "demo")
    params = project / "params.yaml"
    params.write_text(params.read_text().replace("test_size: 0.2", "test_size: 0.3"))
    result = sh("dvc", "repro", cwd=project, check=False)
    assert result.returncode != 0
    assert "split.test_size: 0.2 in conf/, 0.3 in params.yaml" in result.stderr + result.stdout
    assert "test_size: 0.3" in params.read_text()
    pre_commit = sh("mlproj", "params", "check", cwd=project, check=False)
    assert pre_commit.returncode == 5


def test_experiments(penguins: Path, tmp_path: Path) -> None:
    project = copy_project(penguins, tmp_path / "demo")
    sh("git", "config", "user.name", "Tester", cwd=project)  # DVC commits each experiment
    sh("git", "config", "user.email", "tester@example.com", cwd=project)
    other = sh("dvc", "exp", "run", "-S", "model=hist_gradient_boosting", cwd=project)
    assert ran(other.stdout) == [
        "params", "train", "regression", "evaluate", "gates", "explain", "card"
    ]  # fmt: skip
    assert "HistGradientBoostingClassifier" in (project / "params.yaml").read_text()
    sh("dvc", "exp", "run", "-S", "model.n_estimators=50", cwd=project)
    assert "n_estimators: 50" in (project / "params.yaml").read_text()
    sh("dvc", "exp", "run", "--queue", "-S", "model.max_depth=3,5", cwd=project)
    sh("dvc", "queue", "start", "--jobs", "1", cwd=project)
    sh("dvc", "queue", "status", cwd=project)
    sh(
        "dvc", "exp", "wait", cwd=project, check=False
    )  # not in every DVC; status below is the check
    table = json.loads(sh("dvc", "exp", "show", "--json", cwd=project).stdout)
    experiments = [exp for baseline in table for exp in (baseline.get("experiments") or [])]
    depths = set()
    for exp in experiments:
        for rev in exp.get("revs", []):
            data = rev.get("data") or {}
            params = (data.get("params") or {}).get("params.yaml", {}).get("data", {})
            metrics = (data.get("metrics") or {}).get("metrics.json", {}).get("data", {})
            if metrics.get("accuracy") is not None:
                depths.add(params.get("model", {}).get("max_depth"))
    assert {3, 5} <= depths


def test_dvc_views_work(penguins: Path, tmp_path: Path) -> None:
    project = copy_project(penguins, tmp_path / "demo")
    assert "accuracy" in sh("dvc", "metrics", "show", cwd=project).stdout
    assert "train" in sh("dvc", "dag", cwd=project).stdout
    sh("dvc", "plots", "show", "--out", "dvc_plots", cwd=project)
    assert (project / "dvc_plots" / "index.html").exists()


def test_the_project_passes_its_own_tests_and_hooks(
    penguins: Path, tmp_path: Path, pre_commit_home: Path
) -> None:
    project = copy_project(penguins, tmp_path / "demo")
    tests = sh("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=project)
    assert re.search(r"\d+ passed", tests.stdout)
    assert "failed" not in tests.stdout
    sh(
        "pre-commit",
        "run",
        "--all-files",
        cwd=project,
        # As CI runs them: the branch rule is for local commits, and this is develop.
        env={"PRE_COMMIT_HOME": str(pre_commit_home), "SKIP": "gitflow-branch"},
    )
    assert sh("git", "status", "--porcelain", cwd=project).stdout == ""


def test_contract_violation_stops_the_pipeline_with_a_report(
    penguins: Path, tmp_path: Path
) -> None:
    project = copy_project(penguins, tmp_path / "demo")
    contract = project / "data" / "contract.yaml"
    contract.write_text(contract.read_text().replace("max: 6300", "max: 6000"))
    result = sh("dvc", "repro", cwd=project, check=False)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "breaks the data contract" in output
    assert "column 'body_mass_g'" in output and "max 6000" in output
    assert "Traceback" not in output


@pytest.mark.parametrize("kind", ["classification", "regression"])
def test_user_data_pipelines(tmp_path: Path, kind: str) -> None:
    frame = pd.read_csv(REPO / "tests" / "data" / "churn.csv")
    target = "churned" if kind == "classification" else "monthly_spend"
    if kind == "regression":
        frame = frame.dropna(subset=[target])
    data = tmp_path / f"{kind}.csv"
    frame.to_csv(data, index=False)
    out = tmp_path / "out"
    out.mkdir()
    mlproj_new(out, kind, "--data", str(data), "--target", target)
    project = out / kind
    metrics = json.loads((project / "metrics.json").read_text())
    own = (
        {"accuracy", "balanced_accuracy", "f1_macro", "roc_auc"}
        if kind == "classification"
        else {"rmse", "mae", "r2"}
    )
    assert set(metrics) == own | {"baseline", "simple"}
    # User data: no threshold is guessed; every gate says it is skipped and why.
    gates = json.loads((project / "reports" / "gates.json").read_text())
    assert gates["passed"] is True
    assert [g["status"] for g in gates["gates"]] == ["skipped"] * 4
    assert (project / "reports" / "explain.html").exists()
    assert "up to date" in sh("dvc", "status", cwd=project).stdout
    tests = sh("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=project)
    assert "failed" not in tests.stdout
