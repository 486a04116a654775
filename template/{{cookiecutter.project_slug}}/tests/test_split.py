"""The split stage draws the same rows as scikit-learn's `train_test_split` with the same seed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from mlproj.api import DataError
from sklearn.model_selection import train_test_split

from {{ cookiecutter.package_name }}.stages.split import split_rows


@pytest.mark.parametrize("test_size", [0.2, 0.33, 7])
@pytest.mark.parametrize("stratify", [True, False], ids=["stratified", "shuffled"])
def test_split_draws_scikit_learns_rows(test_size: float, stratify: bool) -> None:
    labels = pd.Series(np.random.default_rng(0).choice(["a", "b", "c"], 101, p=[0.6, 0.3, 0.1]))
    positions = np.arange(len(labels))
    expected = train_test_split(
        positions, test_size=test_size, random_state=42, stratify=labels if stratify else None
    )
    got = split_rows(labels if stratify else len(labels), test_size, 42)
    assert [a.tolist() for a in got] == [b.tolist() for b in expected]


def test_a_class_of_one_row_cannot_be_stratified() -> None:
    with pytest.raises(DataError, match="the rarest has 1 rows"):
        split_rows(pd.Series(["a"] * 9 + ["b"]), 0.2, 0)
