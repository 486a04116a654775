"""Fit the configured model, with its preprocessing, on the training set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlproj.api import compute, save_model
from omegaconf import DictConfig
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from {{ cookiecutter.package_name }}.data import features_and_target, model_columns, read_table
from {{ cookiecutter.package_name }}.models import build_pipeline, fit_built, parallel_jobs
from {{ cookiecutter.package_name }}.stages import main


def run(cfg: DictConfig) -> Pipeline:
    """Train and save the pipeline with skops (never pickle), where conf/compute says.

    A model that builds its parts in parallel (a forest's trees) fits here and sends them
    through joblib: to compute.n_jobs processes, or to the Dask cluster. Any other model is
    fitted whole, as one task on the cluster when there is one. Either way the model is the
    same, and so is its file (reports/compute/train.json says what ran where).
    """
    features, target = features_and_target(read_table(cfg.data.train, model_columns(cfg)), cfg)
    reports = Path(cfg.paths.reports) / "compute"
    package = ["{{ cookiecutter.package_name }}"]  # its code goes to the workers, by value
    with compute(cfg, stage="train", reports=reports, ship=package) as where:
        jobs = parallel_jobs(cfg, where.n_jobs)
        if jobs is not None:
            with where.joblib():
                pipeline = fit(build_pipeline(jobs), features, target)
            # The file keeps the configured n_jobs: the same model file wherever it was fitted.
            pipeline[-1].set_params(n_jobs=cfg.model.get("n_jobs"))
        else:
            pipeline = where.run(fit, build_pipeline(cfg), features, target)
    save_model(pipeline, Path(cfg.paths.model))
    return pipeline


def fit(pipeline: Pipeline, features: Any, target: Any) -> Pipeline:
    """PIPELINE fitted (`models.fit_built`) on one OpenMP thread, wherever it runs.

    Gradient boosting sums gradients in thread order, so two threads and four give models that
    differ in their last bits, and scikit-learn lowers any count to the cores the process may
    use, so no count above one is the same on every machine. One is, and does not stall when
    other processes hold the cores. A forest's trees each draw from their own seed: they are
    the same on any number of processes or workers.
    """
    with threadpool_limits(limits=1, user_api="openmp"):
        return fit_built(pipeline, features, target)


if __name__ == "__main__":
    main(run)
