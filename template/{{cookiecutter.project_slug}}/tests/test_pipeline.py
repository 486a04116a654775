"""The stages, run in order on a small sample: what `dvc repro` does, in seconds."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from omegaconf import DictConfig

from {{ cookiecutter.package_name }}.stages import evaluate, explain, split, train, validate

CLASSIFICATION = {"accuracy", "balanced_accuracy", "f1_macro", "roc_auc"}
REGRESSION = {"rmse", "mae", "r2"}


def write_raw(frame: pd.DataFrame, path: Path) -> None:
    """Put the sample where the pipeline reads its raw data, in the same format."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path)


def test_stages_run_end_to_end(cfg: DictConfig, sample: pd.DataFrame) -> None:
    write_raw(sample, Path(cfg.data.raw))

    assert len(validate.run(cfg)) == len(sample)
    train_rows, test_rows = split.run(cfg)
    assert len(train_rows) + len(test_rows) == len(sample.dropna(subset=[cfg.data.target]))
    train.run(cfg)
    scores = evaluate.run(cfg)

    expected = CLASSIFICATION if cfg.data.task == "classification" else REGRESSION
    per_class = {"per_class"} if cfg.data.task == "classification" else set()
    assert set(scores) == expected | {"baseline", "simple"} | per_class
    assert set(scores["baseline"]) == set(scores["simple"]) == expected
    assert Path(cfg.paths.plots, "learning_curve.csv").read_text().startswith("train_rows,")
    staleness = json.loads(Path(cfg.paths.reports, "staleness.json").read_text())
    assert ("points" in staleness) == bool(cfg.data.time_column)  # else it says why it skipped
    assert json.loads(Path(cfg.paths.metrics).read_text()) == scores
    slices = json.loads(Path(cfg.paths.reports, "slices.json").read_text())
    declared = {*cfg.slices.columns, *cfg.inclusion.sensitive}
    assert set(slices["columns"]) == declared
    for rows in slices["columns"].values():
        assert sum(row["count"] for row in rows) == len(test_rows)
    explain.run(cfg)
    importance = json.loads(Path(cfg.paths.reports, "importance.json").read_text())
    assert set(importance["features"]) <= {*cfg.data.numeric, *cfg.data.categorical}
    report = Path(cfg.paths.reports, "explain.html").read_text()
    assert "data:image/png;base64," in report
    assert "Model, baseline and simple model" in report and "Inclusion" in report
