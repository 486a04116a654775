"""Turn raw feature columns into the numbers a model fits on."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

# Codes for categories a tree model never saw in training, and for missing values: kept apart
# from the categories' own codes (0, 1, ...) so a tree can split them off.
UNKNOWN_CODE = -1
MISSING_CODE = -2


def build_preprocessor(
    numeric: Sequence[str],
    categorical: Sequence[str],
    *,
    scale: bool,
    encoding: Literal["onehot", "ordinal"] = "onehot",
    max_categories: int | None = None,
    min_frequency: float | None = None,
) -> ColumnTransformer:
    """Impute numeric gaps, encode categoricals, and standardise numbers if asked.

    `ordinal` (tree models) gives one column per categorical, whatever its number of
    categories: memory stays that of the table at any size. `onehot` (linear models) gives one
    sparse column per category. Both group categories rarer than `min_frequency` (a fraction
    of training rows) or beyond the `max_categories` most frequent into one "infrequent"
    category (conf/encoding), so a near-unique column cannot become thousands of columns.
    Unseen categories count as infrequent (one-hot) or get UNKNOWN_CODE (ordinal).
    """
    numeric_steps: list[tuple[str, object]] = [("impute", SimpleImputer(strategy="median"))]
    if scale:
        numeric_steps.append(("scale", StandardScaler()))
    transformers = []
    if numeric:
        transformers.append(("numeric", Pipeline(numeric_steps), list(numeric)))
    if categorical and encoding == "ordinal":
        ordinal = OrdinalEncoder(
            handle_unknown="use_encoded_value",
            unknown_value=UNKNOWN_CODE,
            encoded_missing_value=MISSING_CODE,
            max_categories=max_categories,
            min_frequency=min_frequency,
        )
        transformers.append(("categorical", ordinal, list(categorical)))
    elif categorical:
        categorical_steps = Pipeline(
            [
                ("impute", SimpleImputer(strategy="most_frequent")),
                (
                    "onehot",
                    OneHotEncoder(
                        handle_unknown="infrequent_if_exist",
                        max_categories=max_categories,
                        min_frequency=min_frequency,
                    ),
                ),
            ]
        )
        transformers.append(("categorical", categorical_steps, list(categorical)))
    return ColumnTransformer(transformers, verbose_feature_names_out=False)
