"""Check the raw data against the data contract (data/contract.yaml) before anything uses it.

A broken rule stops the pipeline with a report of which column and rows broke which rule.
The contract was inferred from the data when the project was made; edit it to widen a range
or allow a new category, and the change shows in review like any other. Before any row is
read, every feature must have a contract rule (`mlproj contract add COLUMN` infers one) and
none may be forbidden (conf/data `forbidden`) or sensitive without being allowed (conf/inclusion
`sensitive` and `allow_as_feature`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from mlproj.api import check_features, load_contract, validate_frame
from omegaconf import DictConfig

from {{ cookiecutter.package_name }}.data import (
    feature_columns,
    pipeline_columns,
    read_table,
    write_table,
)
from {{ cookiecutter.package_name }}.stages import main


def run(cfg: DictConfig) -> pd.DataFrame:
    """Validate the raw table and write it, with the contract's types, for the next stage.

    Only the columns the contract checks or a later stage reads are read and passed on.
    """
    contract = load_contract(Path(cfg.data.contract))
    check_features(
        feature_columns(cfg),
        contract,
        forbidden=cfg.data.get("forbidden") or [],
        sensitive=cfg.inclusion.sensitive,
        allow_as_feature=cfg.inclusion.get("allow_as_feature") or [],
        contract_path=str(cfg.data.contract),
    )
    raw = read_table(cfg.data.raw, columns=[*contract.names, *pipeline_columns(cfg)])
    valid = validate_frame(raw, contract, source=cfg.data.raw)
    del raw  # the validated table replaces it: at most two copies in memory
    write_table(valid, cfg.data.validated)
    return valid


if __name__ == "__main__":
    main(run)
