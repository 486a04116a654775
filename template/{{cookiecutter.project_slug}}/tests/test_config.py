"""Every config choice composes, and params.yaml is what conf/ composes to."""

from __future__ import annotations

from pathlib import Path

import pytest
from mlproj.api import check_params

from {{ cookiecutter.package_name }}.models import build_model

from tests.conftest import ROOT, compose_config

MODELS = sorted(path.stem for path in (ROOT / "conf" / "model").glob("*.yaml"))


@pytest.mark.parametrize("model", MODELS)
def test_every_model_config_composes_and_builds(model: str) -> None:
    cfg = compose_config(f"model={model}")
    estimator = build_model(cfg.model)
    assert hasattr(estimator, "fit")
    assert estimator.get_params()["random_state"] == cfg.seed


@pytest.mark.parametrize(
    "group",
    [
        "data",
        "split",
        "encoding",
        "explain",
        "drift",
        "slices",
        "inclusion",
        "gates",
        "contribution",
        "evidence",
    ],
)
def test_every_option_of_each_group_composes(group: str) -> None:
    for option in sorted((ROOT / "conf" / group).glob("*.yaml")):
        cfg = compose_config(f"{group}={option.stem}")
        assert cfg[group]


def test_params_yaml_matches_conf() -> None:
    check_params(Path(ROOT))
