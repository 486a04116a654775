"""Fit the configured model, with its preprocessing, on the training set."""

from __future__ import annotations

from pathlib import Path

from mlproj.api import compute, save_model
from omegaconf import DictConfig
from sklearn.pipeline import Pipeline

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
                pipeline = fit_built(build_pipeline(jobs), features, target)
            # The file keeps the configured n_jobs: the same model file wherever it was fitted.
            pipeline[-1].set_params(n_jobs=cfg.model.get("n_jobs"))
        else:
            pipeline = where.run(fit_built, build_pipeline(cfg), features, target)
    save_model(pipeline, Path(cfg.paths.model))
    return pipeline


if __name__ == "__main__":
    main(run)
