"""Read tables and split them into features and target: the project's view of its data."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd
from mlproj.api import read_frame
from omegaconf import DictConfig


def read_table(path: str | Path, columns: Iterable[str] | None = None) -> pd.DataFrame:
    """Read a CSV or Parquet file, or a folder of Parquet parts; with COLUMNS, only those.

    A stage names the columns it uses, so at a million rows it holds those and no more:
    Parquet reads only them from disk, CSV parses only them. A named column the file lacks
    is left out, for the caller to report (validate's data contract names it). Columns keep
    the file's order. mlproj's `read_frame` does the reading, validate's included.
    """
    return read_frame(path, columns)


def write_table(frame: pd.DataFrame, path: str | Path) -> None:
    """Write a Parquet file, creating its folder: typed, compact and quick to read back."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(path, index=True)


def feature_columns(cfg: DictConfig) -> list[str]:
    """The columns the model sees, in a fixed order: numeric first, then categorical."""
    return [*cfg.data.numeric, *cfg.data.categorical]


def model_columns(cfg: DictConfig) -> list[str]:
    """The feature columns and the target: all that training and explaining read."""
    return [*feature_columns(cfg), cfg.data.target]


def pipeline_columns(cfg: DictConfig) -> list[str]:
    """Every column a stage after validation reads: the model's, the slices' and the time column.

    Evaluate reads the slices, and the time column (conf/data `time_column`, not a feature)
    for its staleness check.
    """
    slices = [*cfg.slices.columns, *cfg.inclusion.sensitive]
    time = [cfg.data.time_column] if cfg.data.get("time_column") else []
    return list(dict.fromkeys([*model_columns(cfg), *slices, *time]))


def features_and_target(frame: pd.DataFrame, cfg: DictConfig) -> tuple[pd.DataFrame, pd.Series]:
    """X and y for the configured feature columns and target."""
    return frame[feature_columns(cfg)], frame[cfg.data.target]
