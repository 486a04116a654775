"""Check the raw data against the data contract (data/contract.yaml) before anything uses it.

A broken rule stops the pipeline with a report of which column and rows broke which rule.
The contract was inferred from the data when the project was made; edit it to widen a range
or allow a new category, and the change shows in review like any other. Before any row is
read, every feature must have a contract rule (`mlproj contract add COLUMN` infers one) and
none may be forbidden (conf/data `forbidden`) or sensitive without being allowed (conf/inclusion
`sensitive` and `allow_as_feature`).

data.raw may be one CSV or Parquet file, or a folder of Parquet files (`part-*.parquet`, or
hive-style `key=value/` folders), one table with its rows numbered across the files. With
`-S compute=dask`, each partition is checked on the Dask cluster (reports/compute/validate.json
says where); the report and the validated table are the same as a check here.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from mlproj.api import check_features, compute, load_contract, validate_table
from omegaconf import DictConfig

from {{ cookiecutter.package_name }}.data import (
    feature_columns,
    pipeline_columns,
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
    columns = [*contract.names, *pipeline_columns(cfg)]
    reports = Path(cfg.paths.reports) / "compute"
    with compute(cfg, stage="validate", reports=reports) as where:
        valid = validate_table(cfg.data.raw, contract, columns=columns, client=where.client)
    write_table(valid, cfg.data.validated)
    return valid


if __name__ == "__main__":
    main(run)
