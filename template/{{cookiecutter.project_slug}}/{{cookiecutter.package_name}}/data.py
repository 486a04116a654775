"""Read tables and split them into features and target: the project's view of its data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from omegaconf import DictConfig


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV or Parquet file by its extension."""
    path = Path(path)
    if path.suffix.lower() in {".parquet", ".pq"}:
        return pd.read_parquet(path)
    return pd.read_csv(path)


def write_table(frame: pd.DataFrame, path: str | Path) -> None:
    """Write a Parquet file, creating its folder: typed, compact and quick to read back."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(path, index=True)


def feature_columns(cfg: DictConfig) -> list[str]:
    """The columns the model sees, in a fixed order: numeric first, then categorical."""
    return [*cfg.data.numeric, *cfg.data.categorical]


def features_and_target(frame: pd.DataFrame, cfg: DictConfig) -> tuple[pd.DataFrame, pd.Series]:
    """X and y for the configured feature columns and target."""
    return frame[feature_columns(cfg)], frame[cfg.data.target]
