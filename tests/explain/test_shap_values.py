from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from palmerpenguins import load_penguins
from sklearn.compose import ColumnTransformer
from sklearn.decomposition import PCA
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from mlproj.explain.figures import write_figures
from mlproj.explain.shap_values import (
    Explanation,
    explain_pipeline,
    mean_abs_importance,
    source_columns,
    worst_rows,
)

NUMERIC = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "year"]
CATEGORICAL = ["island", "sex"]
FEATURES = NUMERIC + CATEGORICAL


def build(estimator: Any, *, scale: bool = True) -> Pipeline:
    """The train stage's pipeline, as generated projects build it."""
    numeric = [("impute", SimpleImputer(strategy="median"))]
    if scale:
        numeric.append(("scale", StandardScaler()))
    categorical = Pipeline(
        [
            ("impute", SimpleImputer(strategy="most_frequent")),
            ("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False)),
        ]
    )
    preprocess = ColumnTransformer(
        [("numeric", Pipeline(numeric), NUMERIC), ("categorical", categorical, CATEGORICAL)],
        verbose_feature_names_out=False,
    )
    return Pipeline([("preprocess", preprocess), ("model", estimator)])


@pytest.fixture(scope="module")
def penguins() -> pd.DataFrame:
    # 100 rows with missing values in numeric and categorical columns; a shifted index so
    # that index labels and positions differ.
    frame = load_penguins().dropna(subset=["body_mass_g"]).sample(100, random_state=0)
    frame.index = frame.index + 1000
    assert frame[FEATURES].isna().any().any()
    return frame


def additive_total(explanation: Explanation) -> np.ndarray:
    return np.asarray(explanation.base_values + explanation.values.sum(axis=1))


def test_source_columns_maps_outputs_back_to_input_columns() -> None:
    frame = pd.DataFrame(
        {
            "a": ["x", "y", "x", "b"],
            "a_b": ["u", "v", "u", "v"],
            "n": [1.0, 2.0, 3.0, 4.0],
            "d": [0, 0, 1, 1],
            "e": [5, 6, 7, 8],
        }
    )
    preprocessor = ColumnTransformer(
        [
            ("onehot", OneHotEncoder(sparse_output=False), ["a", "a_b"]),
            ("number", "passthrough", [2]),
            ("gone", "drop", ["d"]),
        ],
        remainder="passthrough",
        verbose_feature_names_out=False,
    ).fit(frame)

    sources = source_columns(preprocessor, list(frame.columns))

    assert list(preprocessor.get_feature_names_out()) == [
        "a_b", "a_x", "a_y", "a_b_u", "a_b_v", "n", "e",
    ]  # fmt: skip
    # "a_b" is category "b" of column "a" and "a_b_u" belongs to column "a_b": exact names of
    # one column and prefixes of another must not be confused.
    assert sources == ["a", "a", "a", "a_b", "a_b", "n", "e"]


def test_source_columns_rejects_outputs_mixing_several_inputs() -> None:
    frame = pd.DataFrame({"p": [1.0, 2.0, 3.0, 5.0], "q": [2.0, 1.0, 4.0, 3.0]})
    preprocessor = ColumnTransformer([("pca", PCA(n_components=1), ["p", "q"])]).fit(frame)

    with pytest.raises(ValueError, match="no single source"):
        source_columns(preprocessor, ["p", "q"])


@pytest.mark.slow
def test_binary_logistic_regression_uses_the_linear_explainer(penguins: pd.DataFrame) -> None:
    X, y = penguins[FEATURES], penguins["species"] == "Gentoo"
    pipeline = build(LogisticRegression(max_iter=500)).fit(X, y)

    explanation = explain_pipeline(
        pipeline, X.iloc[:40], X.iloc[40:], task="classification", seed=0
    )

    assert (explanation.explainer, explanation.output) == ("linear", "log-odds")
    assert explanation.class_names == ["False", "True"]
    assert explanation.feature_names == FEATURES
    assert explanation.values.shape == (60, len(FEATURES))
    assert explanation.base_values.shape == (60,)
    np.testing.assert_allclose(additive_total(explanation), pipeline.decision_function(X[40:]))
    pd.testing.assert_frame_equal(explanation.data, X.iloc[40:])


@pytest.mark.slow
def test_multiclass_forest_sums_one_hot_columns_per_class(penguins: pd.DataFrame) -> None:
    import shap

    X, y = penguins[FEATURES], penguins["species"]
    pipeline = build(RandomForestClassifier(n_estimators=15, random_state=0), scale=False)
    pipeline.fit(X, y)

    explanation = explain_pipeline(
        pipeline, X.iloc[:30], X.iloc[30:], task="classification", seed=0
    )

    assert (explanation.explainer, explanation.output) == ("tree", "probability")
    assert explanation.class_names == ["Adelie", "Chinstrap", "Gentoo"]
    assert explanation.values.shape == (70, len(FEATURES), 3)
    assert explanation.base_values.shape == (70, 3)
    np.testing.assert_allclose(
        additive_total(explanation), pipeline.predict_proba(X[30:]), atol=1e-12
    )
    transformed = pipeline["preprocess"].transform(X[30:])
    raw = shap.TreeExplainer(pipeline["model"])(transformed).values
    names = list(pipeline["preprocess"].get_feature_names_out())
    island = [i for i, name in enumerate(names) if name.startswith("island_")]
    assert len(island) == 3
    np.testing.assert_allclose(
        explanation.values[:, FEATURES.index("island"), :], raw[:, island, :].sum(axis=1)
    )


def test_histogram_gradient_boosting_explains_the_raw_margin(penguins: pd.DataFrame) -> None:
    X, y = penguins[FEATURES], penguins["species"]
    pipeline = build(HistGradientBoostingClassifier(max_iter=15), scale=False).fit(X, y)

    explanation = explain_pipeline(
        pipeline, X.iloc[:30], X.iloc[30:], task="classification", seed=0
    )

    assert (explanation.explainer, explanation.output) == ("tree", "raw margin")
    assert explanation.values.shape == (70, len(FEATURES), 3)
    np.testing.assert_allclose(
        additive_total(explanation), pipeline.decision_function(X[30:]), atol=1e-8
    )


@pytest.mark.parametrize(
    ("estimator", "explainer"),
    [(Ridge(), "linear"), (RandomForestRegressor(n_estimators=10, random_state=0), "tree")],
    ids=["ridge", "random-forest"],
)
def test_regression_explains_the_prediction(
    penguins: pd.DataFrame, estimator: Any, explainer: str
) -> None:
    X, y = penguins[FEATURES], penguins["body_mass_g"]
    pipeline = build(estimator).fit(X, y)

    explanation = explain_pipeline(pipeline, X.iloc[:30], X.iloc[30:], task="regression", seed=0)

    assert (explanation.explainer, explanation.output) == (explainer, "prediction")
    assert explanation.class_names is None
    assert explanation.values.shape == (70, len(FEATURES))
    np.testing.assert_allclose(additive_total(explanation), pipeline.predict(X[30:]), rtol=1e-9)


def test_unknown_model_falls_back_to_a_seeded_permutation_explainer(
    penguins: pd.DataFrame,
) -> None:
    X, y = penguins[FEATURES], penguins["species"]
    pipeline = build(KNeighborsClassifier()).fit(X, y)
    background, rows = X.iloc[:20], X.iloc[20:35]

    first = explain_pipeline(pipeline, background, rows, task="classification", seed=7)
    again = explain_pipeline(pipeline, background, rows, task="classification", seed=7)

    assert (first.explainer, first.output) == ("permutation", "probability")
    assert first.values.shape == (15, len(FEATURES), 3)
    np.testing.assert_array_equal(first.values, again.values)
    np.testing.assert_allclose(first.base_values[0], pipeline.predict_proba(background).mean(0))
    np.testing.assert_allclose(additive_total(first), pipeline.predict_proba(rows), atol=1e-12)


def test_mean_abs_importance_is_sorted_rounded_and_json_ready() -> None:
    values = np.array(
        [[[0.1, -0.3], [2.0, 0.0], [0.0, 0.0]], [[-0.1, 0.3], [-2.0, 0.0], [0.0, 0.0]]]
    )
    values[:, 2, 0] = 1 / 3
    explanation = Explanation(
        values=values,
        base_values=np.zeros((2, 2)),
        data=pd.DataFrame({"a": [1, 2], "b": [3, 4], "c": ["x", "y"]}),
        feature_names=["a", "b", "c"],
        class_names=["no", "yes"],
        explainer="tree",
        output="probability",
    )

    importance = mean_abs_importance(explanation)

    assert importance == {"b": 1.0, "a": 0.2, "c": 0.166667}
    assert list(importance) == ["b", "a", "c"]
    assert json.loads(json.dumps(importance)) == importance


def test_worst_rows_finds_the_planted_regression_outlier(penguins: pd.DataFrame) -> None:
    X, y = penguins[FEATURES], penguins["body_mass_g"].copy()
    pipeline = build(Ridge()).fit(X, y)
    planted = X.index[17]
    y[planted] += 5000

    assert worst_rows(pipeline, X, y, task="regression", k=1) == [planted]
    assert worst_rows(pipeline, X, y, task="regression", k=3)[0] == planted


def test_worst_rows_finds_the_planted_mislabelled_row(penguins: pd.DataFrame) -> None:
    X, y = penguins[FEATURES], penguins["species"]
    pipeline = build(LogisticRegression(max_iter=500)).fit(X, y)
    planted = y[(y == "Gentoo") & (pipeline.predict_proba(X)[:, 2] > 0.99)].index[0]
    y = y.copy()
    y[planted] = "Chinstrap"

    assert worst_rows(pipeline, X, y, task="classification", k=2)[0] == planted
    assert worst_rows(pipeline, X, y, task="classification", k=2) == worst_rows(
        pipeline, X, y, task="classification", k=2
    )


def png(path: Path) -> bytes:
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    return data


@pytest.mark.slow
def test_write_figures_for_multiclass(penguins: pd.DataFrame, tmp_path: Path) -> None:
    X, y = penguins[FEATURES], penguins["species"]
    pipeline = build(RandomForestClassifier(n_estimators=10, random_state=0)).fit(X, y)
    explanation = explain_pipeline(pipeline, X[:20], X[20:60], task="classification", seed=0)
    row = X.index[25]
    predicted = pipeline.predict(X.loc[[row]])[0]

    figures = write_figures(explanation, tmp_path / "figures", local_rows=[row], actual=y)

    assert [f.path.name for f in figures] == [
        "bar.png",
        "beeswarm_Adelie.png",
        "beeswarm_Chinstrap.png",
        "beeswarm_Gentoo.png",
        "waterfall_1.png",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["figures"]  # no staging left
    assert all(f.path.parent == tmp_path / "figures" and png(f.path) for f in figures)
    assert [f.local for f in figures] == [False] * 4 + [True]
    assert figures[-1].title == f"Row {row}: predicted '{predicted}', actual '{y[row]}'"
    assert figures[-1].caption.startswith(
        f"Explains the probability of class '{predicted}', the predicted class"
    )
    assert [f.title for f in figures[1:4]] == [
        f"Effect of each feature for class '{name}'" for name in ("Adelie", "Chinstrap", "Gentoo")
    ]


@pytest.mark.slow
def test_write_figures_for_binary_is_reproducible(penguins: pd.DataFrame, tmp_path: Path) -> None:
    X, y = penguins[FEATURES], penguins["species"] == "Adelie"
    pipeline = build(LogisticRegression(max_iter=500)).fit(X, y)
    explanation = explain_pipeline(pipeline, X[:20], X[20:60], task="classification", seed=0)
    negative = X[20:60].index[~pipeline.predict(X[20:60])][0]

    first = write_figures(explanation, tmp_path / "one", local_rows=[negative])
    second = write_figures(explanation, tmp_path / "two")

    assert [f.path.name for f in first] == ["bar.png", "beeswarm.png", "waterfall_1.png"]
    assert "class 'True'" in first[0].title
    # Without the truth, the title gives the prediction only; the positive class is explained
    # in every figure, so a negative row's waterfall reads on the same scale as the global ones.
    assert first[2].title == f"Row {negative}: predicted 'False'"
    assert first[2].caption.startswith(
        "Explains the log-odds of class 'True', as in the global figures (above 0: predicted 'True')"
    )
    # beeswarm jitters its dots at random: reviewers must not see PNG diffs on a rerun
    assert [png(f.path) for f in first[:2]] == [png(f.path) for f in second]


def test_write_figures_leaves_nothing_behind_on_failure(
    penguins: pd.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shap

    X, y = penguins[FEATURES], penguins["body_mass_g"]
    pipeline = build(Ridge()).fit(X, y)
    explanation = explain_pipeline(pipeline, X[:10], X[10:20], task="regression", seed=0)
    out_dir = tmp_path / "figures"
    out_dir.mkdir()
    (out_dir / "bar.png").write_bytes(b"previous run")

    with pytest.raises(ValueError, match="not among the explained rows"):
        write_figures(explanation, out_dir, local_rows=[X.index[50]])

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(shap.plots, "beeswarm", broken)  # after bar.png was drawn
    with pytest.raises(RuntimeError, match="disk full"):
        write_figures(explanation, out_dir)

    assert sorted(p.name for p in tmp_path.iterdir()) == ["figures"]
    assert [p.name for p in out_dir.iterdir()] == ["bar.png"]
    assert (out_dir / "bar.png").read_bytes() == b"previous run"


@pytest.mark.slow
def test_the_report_names_the_explained_class_and_the_truth_of_each_row(
    penguins: pd.DataFrame, tmp_path: Path
) -> None:
    from mlproj.explain.report import render_report

    X, y = penguins[FEATURES], (penguins["species"] == "Adelie").map({True: "yes", False: "no"})
    pipeline = build(LogisticRegression(max_iter=500)).fit(X, y)
    explanation = explain_pipeline(pipeline, X[:10], X[10:20], task="classification", seed=0)
    rows = X.index[10:12]

    figures = write_figures(explanation, tmp_path, local_rows=rows, actual=y, max_display=4)
    page = render_report(title="t", metrics={}, figures=figures, importance={})

    assert "Global importance for class &#x27;yes&#x27;" in page
    for row, predicted in zip(rows, pipeline.predict(X.loc[rows]), strict=True):
        assert f"Row {row}: predicted &#x27;{predicted}&#x27;, actual &#x27;{y[row]}&#x27;" in page
    assert page.count("Explains the log-odds of class &#x27;yes&#x27;, as in the global") == 2


@pytest.mark.slow
def test_a_regression_waterfall_gives_prediction_and_truth_for_people(
    penguins: pd.DataFrame, tmp_path: Path
) -> None:
    X, y = penguins[FEATURES], penguins["body_mass_g"]
    pipeline = build(Ridge()).fit(X, y)
    explanation = explain_pipeline(pipeline, X[:10], X[10:12], task="regression", seed=0)
    row = X.index[10]

    (figure,) = write_figures(explanation, tmp_path, local_rows=[row], actual=y)[-1:]

    predicted = float(pipeline.predict(X.loc[[row]])[0])
    assert figure.title == f"Row {row}: predicted {predicted:,.0f}, actual {y[row]:,.0f}"
    assert figure.caption.startswith("Explains the prediction: each feature moves it from")


def build_ordinal(estimator: Any) -> Pipeline:
    """The train stage's pipeline for tree models: one ordinal code per categorical column."""
    from sklearn.preprocessing import OrdinalEncoder

    ordinal = OrdinalEncoder(
        handle_unknown="use_encoded_value",
        unknown_value=-1,
        encoded_missing_value=-2,
        max_categories=255,
        min_frequency=0.001,
    )
    preprocess = ColumnTransformer(
        [
            ("numeric", SimpleImputer(strategy="median"), NUMERIC),
            ("categorical", ordinal, CATEGORICAL),
        ],
        verbose_feature_names_out=False,
    )
    return Pipeline([("preprocess", preprocess), ("model", estimator)])


@pytest.mark.parametrize(
    ("target", "task", "output"),
    [
        ("binary", "classification", "log-odds"),
        ("species", "classification", "raw margin"),
        ("body_mass_g", "regression", "prediction"),
    ],
)
def test_boosting_on_ordinal_categoricals_adds_up_per_input_column(
    penguins: pd.DataFrame, target: str, task: Any, output: str
) -> None:
    from sklearn.ensemble import HistGradientBoostingRegressor

    X = penguins[FEATURES]
    y = penguins["species"] == "Gentoo" if target == "binary" else penguins[target]
    kind = (
        HistGradientBoostingClassifier
        if task == "classification"
        else HistGradientBoostingRegressor
    )
    pipeline = build_ordinal(kind(max_iter=10, random_state=0)).fit(X, y)
    rows = X.iloc[30:].copy()
    rows.iloc[0, FEATURES.index("island")] = "Atlantis"  # unseen in training: code -1

    explanation = explain_pipeline(pipeline, X.iloc[:30], rows, task=task, seed=0)

    # "tree" means shap's own additivity check passed; the sums confirm it per input column.
    assert (explanation.explainer, explanation.output) == ("tree", output)
    assert explanation.feature_names == FEATURES
    expected = pipeline.predict(rows) if task == "regression" else pipeline.decision_function(rows)
    np.testing.assert_allclose(additive_total(explanation), expected, atol=1e-8)


def test_native_categorical_splits_are_not_given_to_the_tree_explainer(
    penguins: pd.DataFrame,
) -> None:
    X, y = penguins[FEATURES], penguins["species"] == "Adelie"
    model = HistGradientBoostingClassifier(max_iter=10, categorical_features=[4, 5], random_state=0)
    pipeline = build_ordinal(model).fit(X, y)

    explanation = explain_pipeline(
        pipeline, X.iloc[:10], X.iloc[10:14], task="classification", seed=0
    )

    # TreeExplainer would return values that do not add up, silently; permutation is exact.
    assert explanation.explainer == "permutation"
    np.testing.assert_allclose(
        additive_total(explanation), pipeline.predict_proba(X.iloc[10:14])[:, 1], atol=1e-12
    )


def test_the_permutation_explainer_cuts_its_background_to_a_bounded_cost(
    penguins: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlproj.explain import shap_values

    monkeypatch.setattr(shap_values, "_PERMUTATION_BUDGET", 5 * 4 * 7 * 12)
    X, y = penguins[FEATURES], penguins["species"]
    pipeline = build(KNeighborsClassifier()).fit(X, y)

    with pytest.warns(UserWarning, match="using 12 of 40 background rows"):
        explanation = explain_pipeline(pipeline, X[:40], X[40:45], task="classification", seed=0)

    np.testing.assert_allclose(explanation.base_values[0], pipeline.predict_proba(X[:12]).mean(0))
