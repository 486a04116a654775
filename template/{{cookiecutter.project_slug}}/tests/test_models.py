"""Each configured model trains inside the pipeline, predicts every row, and stays small."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from mlproj.api import load_contract, save_model, synthesize
from omegaconf import DictConfig

from {{ cookiecutter.package_name }}.data import features_and_target
from {{ cookiecutter.package_name }}.models import (
    EARLY_STOPPING_ROWS,
    SCALE_FREE,
    as_trained,
    build_model,
    build_pipeline,
    build_references,
    fit_pipeline,
    parallel_jobs,
)

from tests.conftest import compose_config
from tests.test_config import MODELS


@pytest.mark.parametrize("model", MODELS)
def test_model_fits_and_predicts(model: str, sample: pd.DataFrame, cfg: DictConfig) -> None:
    config = compose_config(f"model={model}")
    features, target = features_and_target(sample, config)
    pipeline = build_pipeline(config).fit(features, target)
    assert len(pipeline.predict(features)) == len(sample)
    scaled = "scale" in dict(pipeline.named_steps["preprocess"].transformers[0][1].steps)
    if config.data.numeric:
        assert scaled != isinstance(pipeline.named_steps["model"], SCALE_FREE)


@pytest.mark.parametrize("model", MODELS)
def test_every_model_has_bounded_size(model: str, cfg: DictConfig, tmp_path: Path) -> None:
    """Tree counts and sizes are capped in conf/model, so the file does not grow with rows."""
    config = compose_config(f"model={model}")
    params = build_model(config.model).get_params()
    if "n_estimators" in params:  # forests
        assert params["n_estimators"] is not None
        assert params["max_leaf_nodes"] is not None or params["max_depth"] is not None
    if "max_iter" in params and "max_leaf_nodes" in params:  # gradient boosting
        assert params["max_iter"] is not None and params["max_leaf_nodes"] is not None
    table = synthesize(load_contract(Path(config.data.contract)), 500, seed=0)
    table = table.dropna(subset=[config.data.target])  # as the split stage does
    features, target = features_and_target(table, config)
    save_model(build_pipeline(config).fit(features, target), tmp_path / "model.skops")
    assert (tmp_path / "model.skops").stat().st_size < 5_000_000


def test_early_stopping_holds_out_the_same_rows_every_run(cfg: DictConfig) -> None:
    """Gradient boosting's early-stopping split is drawn from random_state: reruns match."""
    config = compose_config("model=hist_gradient_boosting")
    table = synthesize(load_contract(Path(config.data.contract)), 300, seed=0)
    table = table.dropna(subset=[config.data.target])  # as the split stage does
    features, target = features_and_target(table, config)
    runs = []
    for _ in range(2):
        pipeline = build_pipeline(config).set_params(model__early_stopping=True, model__max_iter=20)
        runs.append(pipeline.fit(features, target).predict(features))
    np.testing.assert_array_equal(runs[0], runs[1])


def test_simple_reference_is_fitted_on_a_seeded_bounded_sample(
    sample: pd.DataFrame, cfg: DictConfig
) -> None:
    features, target = features_and_target(sample, cfg)
    fits = []
    for _ in range(2):
        simple = build_references(cfg)["simple"].set_params(max_rows=len(sample) // 2)
        fits.append(simple.fit(features, target).predict(features))
    np.testing.assert_array_equal(fits[0], fits[1])
    assert len(fits[0]) == len(sample)


def test_refits_run_the_rounds_the_trained_boosting_model_ran(sample: pd.DataFrame) -> None:
    """Early stopping ended the model early: a refit on a sample stops where it did."""
    config = compose_config(
        "model=hist_gradient_boosting", "model.early_stopping=true", "model.n_iter_no_change=1"
    )
    features, target = features_and_target(sample, config)
    trained = build_pipeline(config).fit(features, target)
    rounds = trained[-1].n_iter_
    assert rounds < config.model.max_iter
    refit = as_trained(config, trained)
    assert (refit.model.max_iter, refit.model.early_stopping) == (rounds, False)
    forest = compose_config("model=random_forest")  # no rounds to match: as configured
    assert as_trained(forest, build_pipeline(forest).fit(features, target)) is forest


def test_a_small_table_trains_the_rounds_held_out_rows_ask_for_on_every_row(
    sample: pd.DataFrame,
) -> None:
    """Below 10,000 rows, early stopping picks the rounds; the model then sees every row."""
    config = compose_config("model=hist_gradient_boosting", "model.n_iter_no_change=1")
    features, target = features_and_target(sample, config)
    if len(sample) > EARLY_STOPPING_ROWS or (
        config.data.task == "classification" and target.value_counts().min() < 10
    ):
        pytest.skip("the sample is too large, or a class too rare, to hold rows out")
    stopped = build_pipeline(config).set_params(model__early_stopping=True)
    rounds = stopped.fit(features, target)[-1].n_iter_
    assert rounds < config.model.max_iter
    runs = [fit_pipeline(config, features, target) for _ in range(2)]
    assert (runs[0][-1].n_iter_, runs[0][-1].early_stopping) == (rounds, False)
    np.testing.assert_array_equal(runs[0].predict(features), runs[1].predict(features))
    configured = compose_config("model=hist_gradient_boosting", "model.early_stopping=false")
    assert fit_pipeline(configured, features, target)[-1].n_iter_ == configured.model.max_iter


def test_conf_compute_sets_a_forests_jobs_and_leaves_other_models_whole() -> None:
    """A forest's trees go where conf/compute says; the composed config itself is unchanged."""
    forest = compose_config("model=random_forest")
    assert parallel_jobs(forest, 2).model.n_jobs == 2
    assert "n_jobs" not in forest.model
    assert parallel_jobs(compose_config("model=hist_gradient_boosting"), 2) is None
