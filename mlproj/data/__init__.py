"""The user's table: reading it, profiling it, and the data contract it must keep."""

from __future__ import annotations

from mlproj.data.contract import (
    ColumnRule,
    Contract,
    infer_contract,
    load_contract,
    save_contract,
    validate_frame,
)
from mlproj.data.dataset import DataProfile, profile, read_table
from mlproj.data.parts import read_frame, table_files
from mlproj.data.synthetic import synthesize

__all__ = [
    "ColumnRule",
    "Contract",
    "DataProfile",
    "infer_contract",
    "load_contract",
    "profile",
    "read_frame",
    "read_table",
    "save_contract",
    "synthesize",
    "table_files",
    "validate_frame",
]
