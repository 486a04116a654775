"""Shared fixtures: the composed config, shrunk for speed, and a small table to train on."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from hydra import compose, initialize_config_dir
from mlproj.api import load_contract, synthesize
from omegaconf import DictConfig, OmegaConf
from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_ROWS = 120


def compose_config(*overrides: str) -> DictConfig:
    """conf/ composed as `dvc exp run` would, with OVERRIDES."""
    with initialize_config_dir(str(ROOT / "conf"), version_base=None):
        cfg = compose(config_name="config", overrides=list(overrides))
    OmegaConf.resolve(cfg)
    return cfg


@pytest.fixture(autouse=True)
def one_openmp_thread() -> Iterator[None]:
    """One OpenMP thread, as the train stage fits: the same models, and no stall on busy cores."""
    with threadpool_limits(limits=1, user_api="openmp"):
        yield


@pytest.fixture
def cfg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DictConfig:
    """The project's config with small explanations, run from an empty folder."""
    config = compose_config(
        "explain.sample_size=30", "explain.background_size=20", "explain.local_explanations=2"
    )
    monkeypatch.chdir(tmp_path)
    contract = Path(config.data.contract)
    contract.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ROOT / contract, contract)
    return config


@pytest.fixture
def sample(cfg: DictConfig) -> pd.DataFrame:
    """A slice of the real data when it is here, else rows made up within the data contract."""
    raw = ROOT / cfg.data.raw
    if raw.exists():
        frame = pd.read_parquet(raw) if raw.suffix == ".parquet" else pd.read_csv(raw)
        return frame.dropna(subset=[cfg.data.target]).sample(
            n=min(SAMPLE_ROWS, len(frame)), random_state=0
        )
    return synthesize(load_contract(Path(cfg.data.contract)), SAMPLE_ROWS, seed=0)
