"""Hold out a test set, seeded, and stratified by class for classification.

The rows drawn are exactly those of scikit-learn's `train_test_split` with the same seed
(tests/test_split.py checks it), written with numpy alone: importing scikit-learn would cost
this stage two seconds of its three.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from mlproj.api import DataError
from omegaconf import DictConfig

from {{ cookiecutter.package_name }}.data import pipeline_columns, read_table, write_table
from {{ cookiecutter.package_name }}.stages import main


def run(cfg: DictConfig) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split the labelled rows into train and test; rows without a target cannot be used."""
    # Unnamed, the table read is freed once its labelled rows are taken: two copies at most.
    labelled = read_table(cfg.data.validated, columns=pipeline_columns(cfg)).dropna(
        subset=[cfg.data.target]
    )
    stratify = cfg.data.task == "classification" and cfg.split.stratify
    train_rows, test_rows = split_rows(
        labelled[cfg.data.target] if stratify else len(labelled),
        cfg.split.test_size,
        cfg.split.seed,
    )
    train, test = labelled.iloc[train_rows], labelled.iloc[test_rows]
    write_table(train, cfg.data.train)
    write_table(test, cfg.data.test)
    return train, test


def split_rows(rows: int | pd.Series, test_size: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the train and test rows: shuffled, or stratified when given the labels.

    TEST_SIZE is a fraction of the rows (rounded up) or a number of rows. Stratified, each class
    keeps its share in both sets, as closely as whole rows allow; the rows a class gains or
    loses by rounding are drawn with the seed. The random draws are scikit-learn's, in its
    order (`StratifiedShuffleSplit`, `ShuffleSplit`), so the same seed selects the same rows.
    """
    labels = None if isinstance(rows, int) else np.asarray(rows)
    n = rows if labels is None else len(labels)
    n_test = math.ceil(test_size * n) if isinstance(test_size, float) else int(test_size)
    n_train = n - n_test
    if n_test < 1 or n_train < 1:
        raise DataError(f"split: test_size {test_size} leaves no train or no test row of {n}.")
    rng = np.random.RandomState(seed)  # the legacy generator: scikit-learn's stream of draws
    if labels is None:
        order = rng.permutation(n)
        return order[n_test:], order[:n_test]
    classes, codes, counts = np.unique(labels, return_inverse=True, return_counts=True)
    if counts.min() < 2 or min(n_train, n_test) < len(classes):
        raise DataError(
            f"split: cannot stratify {n} rows of {len(classes)} classes (the rarest has "
            f"{counts.min()} rows) into {n_train} train and {n_test} test rows; "
            "set split.stratify to false in conf/split, or get more rows of the rarest class."
        )
    by_class = np.split(np.argsort(codes, kind="stable"), np.cumsum(counts)[:-1])
    in_train = _share(counts, n_train, rng)
    in_test = _share(counts - in_train, n_test, rng)
    train: list[int] = []
    test: list[int] = []
    for members, k_train, k_test in zip(by_class, in_train, in_test, strict=True):
        members = members[rng.permutation(len(members))]
        train.extend(members[:k_train])
        test.extend(members[k_train : k_train + k_test])
    return rng.permutation(train), rng.permutation(test)


def _share(counts: np.ndarray, draws: int, rng: np.random.RandomState) -> np.ndarray:
    """Rows per class out of DRAWS in proportion to COUNTS; leftover rows go to the classes
    with the largest remainders, ties broken at random (scikit-learn's `_approximate_mode`)."""
    exact = counts / counts.sum() * draws
    share = np.floor(exact)
    missing = int(draws - share.sum())
    remainder = exact - share
    for value in np.sort(np.unique(remainder))[::-1]:
        if missing == 0:
            break
        (tied,) = np.where(remainder == value)
        chosen = rng.choice(tied, size=min(len(tied), missing), replace=False)
        share[chosen] += 1
        missing -= len(chosen)
    return share.astype(int)


if __name__ == "__main__":
    main(run)
