"""The preprocessing: gaps imputed, categories encoded within caps, unseen ones harmless."""

from __future__ import annotations

import numpy as np
import pandas as pd

from {{ cookiecutter.package_name }}.features import MISSING_CODE, UNKNOWN_CODE, build_preprocessor

FRAME = pd.DataFrame({"size": [1.0, 2.0, np.nan, 4.0], "colour": ["red", "blue", None, "red"]})


def dense(matrix: object) -> np.ndarray:
    return np.asarray(matrix.toarray() if hasattr(matrix, "toarray") else matrix)


def test_gaps_are_imputed_and_categories_one_hot() -> None:
    out = dense(build_preprocessor(["size"], ["colour"], scale=False).fit_transform(FRAME))
    assert out.shape == (4, 3)
    assert not np.isnan(out).any()
    assert out[2, 0] == 2.0  # the median of 1, 2 and 4


def test_unseen_category_is_ignored_not_an_error() -> None:
    pre = build_preprocessor(["size"], ["colour"], scale=False).fit(FRAME)
    out = dense(pre.transform(pd.DataFrame({"size": [1.0], "colour": ["green"]})))
    assert out[0, 1:].tolist() == [0.0, 0.0]


def test_one_hot_columns_are_capped() -> None:
    frame = pd.DataFrame({"code": [f"c{i}" for i in range(500)] + ["c0"] * 500})
    pre = build_preprocessor([], ["code"], scale=True, max_categories=5).fit(frame)
    assert len(pre.get_feature_names_out()) == 5  # four categories and "infrequent"


def test_ordinal_codes_one_column_with_unknown_and_missing_apart() -> None:
    pre = build_preprocessor(["size"], ["colour"], scale=False, encoding="ordinal").fit(FRAME)
    assert list(pre.get_feature_names_out()) == ["size", "colour"]
    out = pre.transform(pd.DataFrame({"size": [1.0, 1.0, 1.0], "colour": ["blue", "green", None]}))
    assert out[:, 1].tolist() == [0.0, UNKNOWN_CODE, MISSING_CODE]


def test_scaling_only_when_asked() -> None:
    scaled = build_preprocessor(["size"], [], scale=True).fit_transform(FRAME)
    raw = build_preprocessor(["size"], [], scale=False).fit_transform(FRAME)
    assert abs(scaled[:, 0].mean()) < 1e-9
    assert raw[:, 0].tolist() == [1.0, 2.0, 2.0, 4.0]
