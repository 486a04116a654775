"""`mlproj reproduce` on the generated project: a commit retrains to what it recorded, or not."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from mlproj.project.params import flatten
from mlproj.scaffold.new import pipeline_stages
from tests.conftest import listing
from tests.e2e.conftest import REPO, copy_project, mlproj_new, sh

pytestmark = pytest.mark.e2e


def metric_count(project: Path) -> int:
    """The values metrics.json holds, sections (baseline, simple) included."""
    return len(dict(flatten(json.loads((project / "metrics.json").read_text()))))


def output_count(project: Path) -> int:
    """The outputs dvc.lock records, over every stage."""
    lock = yaml.safe_load((project / "dvc.lock").read_text())
    return sum(len(stage.get("outs", [])) for stage in lock["stages"].values())


def test_the_generated_project_reproduces(penguins: Path, tmp_path: Path) -> None:
    project = copy_project(penguins, tmp_path / "demo")
    readme = project / "README.md"
    readme.write_text(readme.read_text() + "\nAn uncommitted note.\n")
    cache = listing(project / ".dvc" / "cache")
    temp = tmp_path / "tmp"
    temp.mkdir()
    result = sh("mlproj", "reproduce", cwd=project, env={"TMPDIR": str(temp)})
    short = sh("git", "rev-parse", "--short=7", "HEAD", cwd=project).stdout.strip()
    steps, retrained, report = result.stdout.partition("Retrained ")
    assert steps.startswith(
        f"• Cloning {short} into a temporary folder\n• Retraining every stage (dvc repro --force)\n"
    )
    ended = re.findall(r"^  ✓ (\S+) +\d+\.\d s$", steps, flags=re.MULTILINE)
    assert ended == list(pipeline_stages(project))  # each stage named with its time
    assert steps.endswith("• Comparing metrics, predictions on the test split and output hashes\n")
    assert re.fullmatch(
        f"Retrained {short} \\(HEAD\\) in a fresh clone with `dvc repro --force`.\n"
        "Not compared: 1 uncommitted change\\(s\\) in the working tree \\(only the commit is "
        "retrained\\); see `git status`.\n"
        f"✓ metrics: {metric_count(project)} values, exact\n"
        "✓ predictions: 69 test rows, labels and probabilities, exact\n"
        f"✓ output hashes: {output_count(project)} DVC outputs in dvc.lock\n"
        # The features report times each feature's preprocessing: it may differ in that alone.
        "(    reports/features.json: \\w+ recorded, \\w+ retrained "
        "\\(only its measured times differ: allowed\\)\n)?"
        f"Reproducible: {short} retrains to the same metrics, predictions and outputs "
        "\\([0-9.]+ s\\).\n",
        retrained + report,
    )
    assert listing(temp) == []  # the clone is gone
    assert listing(project / ".dvc" / "cache") == cache  # the user's cache was only read
    assert sh("git", "status", "--porcelain", cwd=project).stdout == " M README.md\n"


def test_an_unseeded_model_and_edited_metrics_do_not_reproduce(
    penguins: Path, tmp_path: Path
) -> None:
    project = copy_project(penguins, tmp_path / "demo")
    sh("git", "config", "user.name", "Tester", cwd=project)
    sh("git", "config", "user.email", "tester@example.com", cwd=project)
    # Gradient boosting on 275 rows draws nothing at random; a forest does.
    config = project / "conf" / "config.yaml"
    config.write_text(
        config.read_text().replace("model: hist_gradient_boosting", "model: random_forest")
    )
    model = project / "conf" / "model" / "random_forest.yaml"
    model.write_text(model.read_text().replace("random_state: ${seed}", "random_state: null"))
    sh("dvc", "repro", cwd=project)
    metrics = project / "metrics.json"
    recorded = json.loads(metrics.read_text())
    metrics.write_text(json.dumps({**recorded, "accuracy": 0.5}, indent=2) + "\n")
    sh("git", "add", "--all", cwd=project)
    sh("git", "commit", "--quiet", "--no-verify", "--message", "Unseeded forest", cwd=project)
    short = sh("git", "rev-parse", "--short=7", "HEAD", cwd=project).stdout.strip()

    result = sh("mlproj", "reproduce", "--rev", "develop", cwd=project, check=False)
    assert result.returncode == 20
    assert result.stderr == (
        f"Error: {short} (develop) does not reproduce: its metrics, predictions and output "
        "hashes differ from what the commit recorded.\n"
    )
    lines = result.stdout.splitlines()
    assert f"✗ metrics: {metric_count(project)} values, exact" in lines
    assert any(
        re.fullmatch(r"    accuracy: 0\.5 recorded, [01]\.\d+ retrained \(off by \S+\)", x)
        for x in lines
    )
    assert "✗ predictions: 69 test rows, labels and probabilities, exact" in lines
    assert any(re.fullmatch(r"    \d+ of 69 rows differ", line) for line in lines)
    assert any(re.fullmatch(r"    row \d+: .*probabilities differ by up to .*", x) for x in lines)
    assert f"✗ output hashes: {output_count(project)} DVC outputs in dvc.lock" in lines
    assert any(
        re.fullmatch(r"    models/model.skops: \w+ recorded, \w+ retrained", x) for x in lines
    )


def test_user_data_comes_from_the_dvc_cache_or_is_refused(tmp_path: Path) -> None:
    frame = pd.read_csv(REPO / "tests" / "data" / "churn.csv")
    data = tmp_path / "customers.csv"
    frame.to_csv(data, index=False)
    out = tmp_path / "out"
    out.mkdir()
    mlproj_new(out, "churn", "--data", str(data), "--target", "churned", "--no-run")
    project = out / "churn"
    assert (project / "data" / "raw" / "customers.csv.dvc").is_file()
    # On these 200 rows the default model loses to the simple one, and a gate says so: train that.
    config = project / "conf" / "config.yaml"
    text = config.read_text()
    config.write_text(text.replace("model: hist_gradient_boosting", "model: logistic_regression"))
    sh("dvc", "repro", cwd=project)
    sh("git", "add", "-A", cwd=project)
    identity = ("-c", "user.name=Tester", "-c", "user.email=tester@example.com")
    sh("git", *identity, "commit", "--quiet", "--no-verify", "-m", "Train it", cwd=project)

    result = sh("mlproj", "reproduce", cwd=project)
    assert f"✓ metrics: {metric_count(project)} values, exact" in result.stdout
    assert "✓ predictions: " in result.stdout
    assert "✓ output hashes: " in result.stdout

    shutil.rmtree(project / ".dvc" / "cache")
    temp = tmp_path / "tmp"
    temp.mkdir()
    refused = sh("mlproj", "reproduce", cwd=project, check=False, env={"TMPDIR": str(temp)})
    assert refused.returncode == 21
    assert refused.stderr == (
        "Error: data the commit tracks (data/raw/customers.csv.dvc) is not all in the DVC cache "
        f"{project / '.dvc' / 'cache'}: run `dvc pull` in {project} first.\n"
    )
    assert listing(temp) == []
