"""Explain the model with SHAP: global and local plots, importances, one offline HTML report.

SHAP runs on a bounded sample of test rows against a bounded background of training rows
(conf/explain), so its cost does not grow with the data. The report also shows what `evaluate`
measured: the model beside its reference models, the slices, and the inclusion gaps.
"""

from __future__ import annotations

import json
from pathlib import Path

from mlproj.api import (
    explain_pipeline,
    load_model,
    quality_sections,
    read_slices,
    render_report,
    worst_rows,
    write_figures,
    write_importance,
    write_report,
)
from omegaconf import DictConfig

from {{ cookiecutter.package_name }}.data import features_and_target, model_columns, read_table
from {{ cookiecutter.package_name }}.models import TRUSTED_TYPES
from {{ cookiecutter.package_name }}.stages import main


def run(cfg: DictConfig) -> dict[str, float]:
    """Write reports/explain.html, reports/figures/ and reports/importance.json."""
    model = load_model(Path(cfg.paths.model), TRUSTED_TYPES)
    train_features, _ = features_and_target(read_table(cfg.data.train, model_columns(cfg)), cfg)
    test = read_table(cfg.data.test, model_columns(cfg))
    test_features, test_target = features_and_target(test, cfg)
    settings, task = cfg.explain, cfg.data.task
    background = train_features.sample(
        n=min(settings.background_size, len(train_features)), random_state=settings.seed
    )
    sample = test_features.sample(
        n=min(settings.sample_size, len(test_features)), random_state=settings.seed
    )
    worst = worst_rows(model, test_features, test_target, task=task, k=settings.local_explanations)
    rows = sample.index.union(worst, sort=False)
    explanation = explain_pipeline(
        model, background, test_features.loc[rows], task=task, seed=settings.seed
    )
    reports = Path(cfg.paths.reports)
    figures = write_figures(explanation, reports / "figures", local_rows=worst, actual=test_target)
    record = write_importance(reports / "importance.json", explanation, target=str(cfg.data.target))
    importance: dict[str, float] = record["features"]
    metrics = json.loads(Path(cfg.paths.metrics).read_text())
    sections = quality_sections(
        metrics,
        read_slices(reports / "slices.json"),
        sensitive=list(cfg.inclusion.sensitive),
        metric=cfg.inclusion.metric,
        max_gap=cfg.inclusion.max_gap,
    )
    html = render_report(
        title={{ (cookiecutter.project_name ~ ": what the model learned") | py }},
        # The model's own metrics; the reference models' are in the comparison section.
        metrics={name: value for name, value in metrics.items() if not isinstance(value, dict)},
        figures=figures,
        importance=importance,
        unit=record["unit"],
        notes=[
            f"SHAP {explanation.explainer} explainer; values are in {record['unit']}.",
            f"{len(rows)} test rows explained against {len(background)} training rows.",
            f"Local explanations: the {len(worst)} worst-predicted test rows.",
        ],
        sections=sections,
    )
    write_report(reports / "explain.html", html)
    return importance


if __name__ == "__main__":
    main(run)
