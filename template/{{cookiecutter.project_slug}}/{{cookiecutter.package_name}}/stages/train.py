"""Fit the configured model, with its preprocessing, on the training set."""

from __future__ import annotations

from pathlib import Path

from mlproj.api import save_model
from omegaconf import DictConfig
from sklearn.pipeline import Pipeline

from {{ cookiecutter.package_name }}.data import features_and_target, model_columns, read_table
from {{ cookiecutter.package_name }}.models import build_pipeline
from {{ cookiecutter.package_name }}.stages import main


def run(cfg: DictConfig) -> Pipeline:
    """Train and save the pipeline with skops (never pickle)."""
    features, target = features_and_target(read_table(cfg.data.train, model_columns(cfg)), cfg)
    pipeline = build_pipeline(cfg).fit(features, target)
    save_model(pipeline, Path(cfg.paths.model))
    return pipeline


if __name__ == "__main__":
    main(run)
