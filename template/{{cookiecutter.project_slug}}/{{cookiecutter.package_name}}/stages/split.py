"""Hold out a test set, seeded, and stratified by class for classification."""

from __future__ import annotations

import pandas as pd
from omegaconf import DictConfig
from sklearn.model_selection import train_test_split

from {{ cookiecutter.package_name }}.data import pipeline_columns, read_table, write_table
from {{ cookiecutter.package_name }}.stages import main


def run(cfg: DictConfig) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split the labelled rows into train and test; rows without a target cannot be used."""
    # Unnamed, the table read is freed once its labelled rows are taken: two copies at most.
    labelled = read_table(cfg.data.validated, columns=pipeline_columns(cfg)).dropna(
        subset=[cfg.data.target]
    )
    stratify = cfg.data.task == "classification" and cfg.split.stratify
    train, test = train_test_split(
        labelled,
        test_size=cfg.split.test_size,
        random_state=cfg.split.seed,
        stratify=labelled[cfg.data.target] if stratify else None,
    )
    write_table(train, cfg.data.train)
    write_table(test, cfg.data.test)
    return train, test


if __name__ == "__main__":
    main(run)
