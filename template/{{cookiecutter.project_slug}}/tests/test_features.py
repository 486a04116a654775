"""The preprocessing: gaps imputed, categories one-hot encoded, unseen ones ignored."""

from __future__ import annotations

import numpy as np
import pandas as pd

from {{ cookiecutter.package_name }}.features import build_preprocessor

FRAME = pd.DataFrame({"size": [1.0, 2.0, np.nan, 4.0], "colour": ["red", "blue", None, "red"]})


def test_gaps_are_imputed_and_categories_one_hot() -> None:
    out = build_preprocessor(["size"], ["colour"], scale=False).fit_transform(FRAME)
    assert out.shape == (4, 3)
    assert not np.isnan(out).any()
    assert out[2, 0] == 2.0  # the median of 1, 2 and 4


def test_unseen_category_is_ignored_not_an_error() -> None:
    pre = build_preprocessor(["size"], ["colour"], scale=False).fit(FRAME)
    out = pre.transform(pd.DataFrame({"size": [1.0], "colour": ["green"]}))
    assert out[0, 1:].tolist() == [0.0, 0.0]


def test_scaling_only_when_asked() -> None:
    scaled = build_preprocessor(["size"], [], scale=True).fit_transform(FRAME)
    raw = build_preprocessor(["size"], [], scale=False).fit_transform(FRAME)
    assert abs(scaled[:, 0].mean()) < 1e-9
    assert raw[:, 0].tolist() == [1.0, 2.0, 2.0, 4.0]
