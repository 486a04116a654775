"""`mlproj new` end to end: a ready git + DVC repository, from every route and data source."""

from __future__ import annotations

import re
import sys
import venv
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from tests.e2e.conftest import NEW_OUTPUT, REPO, mlproj_new, sh

pytestmark = pytest.mark.e2e


def assert_clean_repository(project: Path) -> None:
    branches = sh("git", "branch", "--format=%(refname:short)", cwd=project).stdout.split()
    assert sorted(branches) == ["develop", "main"]
    assert sh("git", "branch", "--show-current", cwd=project).stdout.strip() == "develop"
    assert sh("git", "status", "--porcelain", cwd=project).stdout == ""
    assert (
        sh("git", "rev-parse", "main", cwd=project).stdout
        == sh("git", "rev-parse", "develop", cwd=project).stdout
    )
    assert sh("git", "rev-list", "--count", "main", cwd=project).stdout.strip() == "1"
    # What `mlproj update` finds as the project's first render.
    trailer = sh(
        "git", "log", "-1", "--format=%(trailers:key=Mlproj-Template)", "main", cwd=project
    )
    assert trailer.stdout.startswith("Mlproj-Template: ")
    status = sh("dvc", "status", cwd=project).stdout
    assert "up to date" in status, status


def tracked(project: Path) -> set[str]:
    return set(sh("git", "ls-files", cwd=project).stdout.split())


def test_default_project(penguins: Path) -> None:
    assert_clean_repository(penguins)
    files = tracked(penguins)
    assert {
        "dvc.yaml",
        "dvc.lock",
        "params.yaml",
        "conf/config.yaml",
        "conf/data/default.yaml",
        "data/contract.yaml",
        "demo/stages/train.py",
        ".dvc/config",
        ".dvc/plots/offline.html",
        "reports/data-profile.html",
        ".pre-commit-config.yaml",
        "metrics.json",
        "README.md",
        ".mlproj-answers.yaml",
    } <= files
    assert not any(f.startswith("data/raw/") and f.endswith(".csv") for f in files)
    assert (penguins / "data" / "raw" / "penguins.csv").exists()
    data = yaml.safe_load((penguins / "conf" / "data" / "default.yaml").read_text())
    assert data["target"] == "species" and data["task"] == "classification"
    assert data["categorical"] == ["island", "sex"]
    dvc_config = (penguins / ".dvc" / "config").read_text()
    assert "analytics = false" in dvc_config and "enabled = true" in dvc_config
    assert "html_template = plots/offline.html" in dvc_config
    profile = (penguins / "reports" / "data-profile.html").read_text()
    assert "Target: species" in profile and "data/raw/penguins.csv" in profile
    assert (penguins / ".git" / "hooks" / "pre-commit").exists()


def test_user_csv_with_numeric_target(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    rows = 150
    frame = pd.DataFrame(
        {
            "house_id": [f"H{i:04d}" for i in range(rows)],
            "rooms": rng.integers(1, 7, rows),
            "area": rng.uniform(30, 200, rows).round(1),
            "district": rng.choice(["north", "south", "centre"], rows),
        }
    )
    frame["price"] = (
        frame["area"] * 3000 + frame["rooms"] * 10000 + rng.normal(0, 5000, rows)
    ).round(0)
    frame.loc[::17, "area"] = np.nan
    data = tmp_path / "houses.csv"
    frame.to_csv(data, index=False)
    out = tmp_path / "out"
    out.mkdir()
    result = mlproj_new(out, "house prices", "--data", str(data), "--target", "price")
    assert "identifiers (a distinct value per row, UUIDs, or named like an id): house_id" in (
        result.stdout
    )
    assert "Regression of price" in result.stdout
    project = out / "house-prices"
    assert_clean_repository(project)
    files = tracked(project)
    assert "data/raw/houses.csv.dvc" in files
    assert "data/raw/houses.csv" not in files
    assert "house_prices/stages/ingest.py" not in files
    assert (project / "data" / "raw" / "houses.csv").read_bytes() == data.read_bytes()
    config = yaml.safe_load((project / "conf" / "data" / "default.yaml").read_text())
    assert config["task"] == "regression"
    assert config["numeric"] == ["rooms", "area"] and config["categorical"] == ["district"]
    assert "Ridge" in (project / "conf" / "model" / "ridge.yaml").read_text()
    assert "reports/data-profile.html" in files
    profile = (project / "reports" / "data-profile.html").read_text()
    assert "data/raw/houses.csv" in profile and "Target: price" in profile
    assert re.search(r">house_id</a></td><td>left out</td>", profile)
    metrics = yaml.safe_load((project / "metrics.json").read_text())
    assert set(metrics) == {"rmse", "mae", "r2", "baseline", "simple"} and metrics["r2"] > 0.8
    assert metrics["rmse"] < metrics["baseline"]["rmse"]  # the mean of the prices: far worse


def test_parquet_file(tmp_path: Path) -> None:
    frame = pd.read_csv(REPO / "tests" / "data" / "churn.csv")
    data = tmp_path / "churn.parquet"
    frame.to_parquet(data)
    out = tmp_path / "out"
    out.mkdir()
    mlproj_new(out, "churn", "--data", str(data), "--target", "churned", "--no-run")
    project = out / "churn"
    assert sh("git", "status", "--porcelain", cwd=project).stdout == ""
    assert "data/raw/churn.parquet.dvc" in tracked(project)
    config = yaml.safe_load((project / "conf" / "data" / "default.yaml").read_text())
    assert config["task"] == "classification"
    assert config["raw"] == "${paths.data}/raw/churn.parquet"


def test_plain_cookiecutter_agrees_with_mlproj_new(tmp_path: Path, penguins: Path) -> None:
    out = tmp_path / "plain"
    out.mkdir()
    sh(sys.executable, "-m", "cookiecutter", REPO / "template", "--no-input", "-o", out, cwd=out)
    project = out / "demo"
    assert_clean_repository(project)
    assert tracked(project) == tracked(penguins)
    for name in ("dvc.yaml", "params.yaml", "data/contract.yaml", "metrics.json", "MODEL_CARD.md"):
        assert (project / name).read_text() == (penguins / name).read_text(), name
    # Every output hash agrees but the features report's, which times each feature's preprocessing.
    assert without_timed(project / "dvc.lock") == without_timed(penguins / "dvc.lock")


def without_timed(lock: Path) -> dict[str, Any]:
    data = yaml.safe_load(lock.read_text())
    for stage in data["stages"].values():
        for entry in [*stage.get("deps", []), *stage.get("outs", [])]:
            if entry["path"] == "reports/features.json":
                entry.pop("md5"), entry.pop("size")
    return data


def test_plain_cookiecutter_without_mlproj_says_so(tmp_path: Path) -> None:
    env_dir = tmp_path / "bare"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    sh(python, "-m", "pip", "install", "--quiet", "cookiecutter", cwd=tmp_path)
    out = tmp_path / "o"
    out.mkdir()
    result = sh(
        python,
        "-m",
        "cookiecutter",
        REPO / "template",
        "--no-input",
        "-o",
        out,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode != 0
    assert "This template needs mlproj: install it" in result.stderr + result.stdout
    assert list(out.iterdir()) == []


def test_wheel_ships_the_template(tmp_path: Path) -> None:
    sh(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "-w",
        tmp_path / "dist",
        REPO,
        cwd=tmp_path,
    )
    wheel = next((tmp_path / "dist").glob("mlproj-*.whl"))
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    site = sh(
        python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp_path
    ).stdout.strip()
    # The dependencies come from this environment (no download); mlproj only from the wheel.
    deps = Path(pd.__file__).parents[1]
    (Path(site) / "deps.pth").write_text(f"{deps}\n")
    sh(python, "-m", "pip", "install", "--no-deps", "--no-index", wheel, cwd=tmp_path)
    location = sh(python, "-c", "import mlproj, sys; print(mlproj.__file__)", cwd=tmp_path).stdout
    assert location.startswith(str(env_dir))
    out = tmp_path / "out"
    out.mkdir()
    sh(
        env_dir / "bin" / "mlproj",
        "new",
        "from-wheel",
        "--no-input",
        "--no-run",
        "-o",
        out,
        cwd=out,
        env={"PATH": f"{env_dir / 'bin'}:/usr/bin:/bin"},
    )
    assert (out / "from-wheel" / "from_wheel" / "stages" / "train.py").exists()


def test_new_off_a_terminal_names_each_stage_of_the_first_run_with_its_time(
    penguins: Path,
) -> None:
    """Issue 13: the first `dvc repro` said one line for minutes; now each stage, as it ends."""
    from mlproj.scaffold.new import pipeline_stages

    printed = (penguins.parent / NEW_OUTPUT).read_text()
    ended = [re.fullmatch(r"  ✓ (\S+) +\d+\.\d s", line) for line in printed.splitlines()]
    assert [match[1] for match in ended if match] == list(pipeline_stages(penguins))
    assert {"validate", "split", "train", "evaluate", "explain"} <= set(pipeline_stages(penguins))
    assert "  344 rows × 8 columns\n" in printed
    assert "\x1b" not in printed  # no live line, no colours: a pipe is not a terminal
