"""Fit the configured model, with its preprocessing, on the training set."""

from __future__ import annotations

from pathlib import Path

from mlproj.api import save_model
from omegaconf import DictConfig
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from {{ cookiecutter.package_name }}.data import features_and_target, model_columns, read_table
from {{ cookiecutter.package_name }}.models import fit_pipeline
from {{ cookiecutter.package_name }}.stages import main


def run(cfg: DictConfig) -> Pipeline:
    """Train and save the pipeline with skops (never pickle).

    On one OpenMP thread: gradient boosting sums gradients in thread order, so two threads and
    four give models that differ in their last bits, and scikit-learn lowers any count to the
    cores the process may use, so no count above one is the same on every machine. One is,
    and does not stall when other processes hold the cores.
    """
    features, target = features_and_target(read_table(cfg.data.train, model_columns(cfg)), cfg)
    with threadpool_limits(limits=1, user_api="openmp"):
        pipeline = fit_pipeline(cfg, features, target)
    save_model(pipeline, Path(cfg.paths.model))
    return pipeline


if __name__ == "__main__":
    main(run)
