"""Read the parameters the pipeline runs with."""

from __future__ import annotations

from pathlib import Path

from omegaconf import DictConfig, OmegaConf

PARAMS = Path("params.yaml")


def load_params(path: Path = PARAMS) -> DictConfig:
    """The composed parameters DVC tracks; `conf/` is where they are edited."""
    cfg = OmegaConf.load(path)
    assert isinstance(cfg, DictConfig)
    return cfg
