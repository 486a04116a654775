"""Each configured model trains inside the pipeline and predicts every row."""

from __future__ import annotations

import pandas as pd
import pytest
from omegaconf import DictConfig

from {{ cookiecutter.package_name }}.data import features_and_target
from {{ cookiecutter.package_name }}.models import SCALE_FREE, build_pipeline

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
