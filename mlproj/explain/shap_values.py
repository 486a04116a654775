"""Explain a fitted scikit-learn pipeline with SHAP, in terms of its original input columns.

Reviewers reason about the columns they wrote into the data contract, not about one-hot
columns, so SHAP values of every transformed column are summed back to the input column it
came from. `mlproj.explain.figures` draws what this computes.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd
    from sklearn.compose import ColumnTransformer

    FloatArray = npt.NDArray[np.float64]

Task = Literal["classification", "regression"]

# Antithetic pairs of random feature orders per row for the model-agnostic explainer: enough for
# stable rankings at report sizes while costing 4 x (features + 1) x len(background) predictions.
_PERMUTATION_PAIRS = 2
# Rows the model-agnostic explainer may predict in all. A wide table (many input columns) gets
# fewer background rows, never fewer than _MIN_BACKGROUND, so its cost cannot run away.
_PERMUTATION_BUDGET = 4_000_000
_MIN_BACKGROUND = 10
# Attributes of fitted tree models: sklearn trees and forests, HistGradientBoosting, LightGBM,
# XGBoost. Anything else that TreeExplainer rejects falls through to the next explainer.
_TREE_HINTS = ("tree_", "estimators_", "_predictors", "booster_", "get_booster")


@dataclass(frozen=True, eq=False)
class Explanation:
    """SHAP values per original input column, normalised to one shape whatever the explainer.

    `values` is (rows, features) for regression and binary classification (binary: the positive
    class, `class_names[1]`) and (rows, features, classes) for multiclass; `base_values` drops the
    feature axis. `output` names the units: "probability", "log-odds", "raw margin" or "prediction".
    """

    values: FloatArray
    base_values: FloatArray
    data: pd.DataFrame
    feature_names: list[str]
    class_names: list[str] | None
    explainer: str
    output: str


@dataclass(frozen=True, eq=False)
class _Attempt:
    values: FloatArray
    base: FloatArray
    explainer: str
    output: str


def source_columns(preprocessor: ColumnTransformer, input_columns: Sequence[str]) -> list[str]:
    """Name, for each output column of a fitted ColumnTransformer, the input column behind it.

    Raises ValueError when an output mixes several inputs (PCA, polynomial features): such a
    column has no single source and the caller must explain the model another way.
    """
    width = max((span.stop for span in preprocessor.output_indices_.values()), default=0)
    sources: list[str] = [""] * width
    for name, transformer, spec in preprocessor.transformers_:
        span = preprocessor.output_indices_[name]
        if transformer == "drop" or span.stop == span.start:
            continue
        columns = _selected_columns(spec, input_columns)
        names = columns if transformer == "passthrough" else _output_names(transformer, columns)
        if len(names) != span.stop - span.start:
            raise ValueError(f"transformer {name!r} reports {len(names)} outputs for {span}")
        sources[span] = _attribute(names, columns, name)
    return sources


def _selected_columns(spec: Any, input_columns: Sequence[str]) -> list[str]:
    import numpy as np
    import pandas as pd

    names = pd.Index(list(input_columns))
    if isinstance(spec, str):
        return [spec]
    if isinstance(spec, slice):
        if isinstance(spec.start, str) or isinstance(spec.stop, str):
            spec = names.slice_indexer(spec.start, spec.stop, spec.step)
        return [str(c) for c in names[spec]]
    keys = np.atleast_1d(np.asarray(spec))
    if keys.dtype == bool or keys.dtype.kind in "iu":
        return [str(c) for c in names[keys]]
    return [str(c) for c in keys]


def _output_names(transformer: Any, columns: list[str]) -> list[str]:
    try:
        return [str(n) for n in transformer.get_feature_names_out(columns)]
    except AttributeError:  # no names on offer: only a one-to-one transformer can be attributed
        return columns


def _attribute(names: list[str], columns: list[str], transformer: str) -> list[str]:
    """Match each output name to the input column it is named after, the longest name first.

    Transformers emit outputs grouped by input column in input order (OneHotEncoder does);
    walking backwards under that order settles names that fit two columns, such as "a_b" from
    column "a" (category "b") next to a column "a_b". Without that order, longest match wins.
    """
    fits = [[i for i, c in enumerate(columns) if n == c or n.startswith(f"{c}_")] for n in names]
    if len(columns) == 1:
        fits = [[0]] * len(names)
    if not all(fits):
        unmatched = names[fits.index([])]
        raise ValueError(
            f"output {unmatched!r} of transformer {transformer!r} has no single source"
        )
    longest = [max(options, key=lambda i: len(columns[i])) for options in fits]
    chosen, bound = [], len(columns)
    for options in reversed(fits):
        allowed = [i for i in options if i <= bound]
        if not allowed:
            return [columns[i] for i in longest]
        bound = max(allowed, key=lambda i: len(columns[i]))
        chosen.append(bound)
    return [columns[i] for i in reversed(chosen)]


def explain_pipeline(
    pipeline: Any, background: pd.DataFrame, rows: pd.DataFrame, *, task: Task, seed: int
) -> Explanation:
    """Explain `rows` with the SHAP explainer that suits the fitted final estimator.

    Trees get TreeExplainer (path-dependent: exact and independent of `background`; its cost
    per row is set by the number of trees and leaves), sklearn linear models get
    LinearExplainer over the transformed background, anything else (or a tree TreeExplainer
    rejects) gets a seeded permutation explainer over the whole pipeline, permuting input
    columns, not transformed ones; its background is cut so that it predicts at most
    _PERMUTATION_BUDGET rows in all, with a warning. Cost never depends on the data's size.
    """
    if rows.empty or background.empty:
        raise ValueError("explain_pipeline needs at least one row and one background row")
    shap = shap_module()
    inputs = [str(c) for c in getattr(pipeline, "feature_names_in_", rows.columns)]
    background, rows = background[inputs], rows[inputs]
    mapped = _attributable(pipeline, inputs)
    features = inputs if mapped is None else [c for c in inputs if c in set(mapped[1])]
    attempt = None
    if mapped is not None:
        attempt = _explain_model(shap, pipeline, *mapped, features, background, rows)
    if attempt is None:
        attempt = _explain_permutation(pipeline, background, rows, features, task=task, seed=seed)
    classes = [str(c) for c in pipeline.classes_] if task == "classification" else None
    values, base = _normalise(attempt.values, attempt.base, binary=len(classes or ()) == 2)
    output = "prediction" if task == "regression" else attempt.output
    return Explanation(
        values, base, rows[features].copy(), features, classes, attempt.explainer, output
    )


def shap_module() -> Any:
    """Import shap headless and quietly: a pipeline stage must never need a GUI."""
    import matplotlib

    matplotlib.use("Agg")  # shap imports pyplot; a headless pipeline stage must never need a GUI
    with warnings.catch_warnings():  # shap 0.51 warns about its own colormap calls on import
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        import shap

    return shap


def _attributable(pipeline: Any, inputs: list[str]) -> tuple[ColumnTransformer, list[str]] | None:
    """The pipeline's ColumnTransformer and output sources, when each output has one source."""
    from sklearn.compose import ColumnTransformer

    steps = getattr(pipeline, "steps", [])
    if len(steps) != 2 or not isinstance(steps[0][1], ColumnTransformer):
        return None
    try:
        return steps[0][1], source_columns(steps[0][1], inputs)
    except ValueError:
        return None


def _explain_model(
    shap: Any,
    pipeline: Any,
    preprocessor: ColumnTransformer,
    sources: list[str],
    features: list[str],
    background: pd.DataFrame,
    rows: pd.DataFrame,
) -> _Attempt | None:
    import numpy as np

    model = pipeline.steps[-1][1]
    x = _dense(preprocessor.transform(rows))
    attempt = None
    if any(hasattr(model, hint) for hint in _TREE_HINTS) and not _native_categorical(model):
        attempt = _run(lambda: shap.TreeExplainer(model), x, "tree", model)
    if attempt is None and type(model).__module__.startswith("sklearn.linear_model"):
        masker = shap.maskers.Independent(
            _dense(preprocessor.transform(background)), len(background)
        )
        attempt = _run(lambda: shap.LinearExplainer(model, masker), x, "linear", model)
    if attempt is None:
        return None
    group = np.array([[s == f for f in features] for s in sources], dtype=float)
    return replace(attempt, values=np.einsum("ro...,of->rf...", attempt.values, group))


def _native_categorical(model: Any) -> bool:
    """Whether a HistGradientBoosting model splits on category sets (`categorical_features`).

    TreeExplainer reads such splits as thresholds and returns values that do not add up to
    the model's output, without an error (shap 0.51): those models go to the permutation path.
    """
    import numpy as np

    flags = getattr(model, "is_categorical_", None)
    return flags is not None and bool(np.any(flags))


def _run(build: Callable[[], Any], x: FloatArray, kind: str, model: Any) -> _Attempt | None:
    try:
        explainer = build()
        result = explainer(x)
    except Exception:  # shap rejects unsupported models with many exception types; fall back
        return None
    binary = len(getattr(model, "classes_", ())) == 2
    kind_of_output = getattr(getattr(explainer, "model", None), "tree_output", None)
    if kind == "tree" and kind_of_output == "probability":
        output = "probability"
    elif binary and (kind_of_output == "log_odds" or hasattr(model, "predict_proba")):
        output = "log-odds"
    else:
        output = "raw margin"
    return _Attempt(result.values, result.base_values, kind, output)


def _dense(x: Any) -> FloatArray:
    import numpy as np

    return np.asarray(x.toarray() if hasattr(x, "toarray") else x, dtype=float)


def _explain_permutation(
    pipeline: Any,
    background: pd.DataFrame,
    rows: pd.DataFrame,
    features: list[str],
    *,
    task: Task,
    seed: int,
) -> _Attempt:
    """Shapley values by antithetic permutation sampling over an independent masker.

    The algorithm of shap's PermutationExplainer, done here because that one compiles numba
    kernels on first use (8+ s per process) and its masker rejects string columns.
    """
    import numpy as np
    import pandas as pd

    per_background_row = len(rows) * 2 * _PERMUTATION_PAIRS * (len(features) + 1)
    fits = max(_MIN_BACKGROUND, _PERMUTATION_BUDGET // per_background_row)
    if len(background) > fits:
        warnings.warn(
            f"SHAP permutation explainer: {len(rows)} rows x {len(features)} columns; using "
            f"{fits} of {len(background)} background rows to bound its cost",
            stacklevel=3,
        )
        background = background.iloc[:fits]
    predict, output = _prediction_function(pipeline, task)
    pool = pd.concat([background, rows], ignore_index=True)  # one dtype per column for .take
    n_bg, n_feat = len(background), len(features)
    blocks = np.repeat(np.arange(n_feat + 1), n_bg)
    bg_index = np.tile(np.arange(n_bg), n_feat + 1)
    rng = np.random.default_rng(seed)
    values = []
    for row in range(n_bg, n_bg + len(rows)):
        orders = [rng.permutation(n_feat) for _ in range(_PERMUTATION_PAIRS)]
        orders += [order[::-1] for order in orders]
        positions = [np.argsort(order) for order in orders]
        take = {c: np.tile(bg_index, len(orders)) for c in pool.columns}
        for f, feature in enumerate(features):
            # Block k of an order holds the row's values for the first k features of that order.
            take[feature] = np.concatenate(
                [np.where(blocks > position[f], row, bg_index) for position in positions]
            )
        frame = pd.DataFrame({c: pool[c].take(i).reset_index(drop=True) for c, i in take.items()})
        out = predict(frame)
        means = out.reshape(len(orders), n_feat + 1, n_bg, *out.shape[1:]).mean(axis=2)
        phi = np.zeros((n_feat, *out.shape[1:]))
        for order, delta in zip(orders, np.diff(means, axis=1), strict=True):
            phi[order] += delta
        values.append(phi / len(orders))
    base = predict(background).mean(axis=0)
    return _Attempt(np.stack(values), base, "permutation", output)


def _prediction_function(
    pipeline: Any, task: Task
) -> tuple[Callable[[pd.DataFrame], FloatArray], str]:
    import numpy as np

    if task == "regression":
        method, output = pipeline.predict, "prediction"
    elif hasattr(pipeline, "predict_proba"):
        method, output = pipeline.predict_proba, "probability"
    else:
        method, output = pipeline.decision_function, "raw margin"
    return (lambda frame: np.asarray(method(frame), dtype=float)), output


def _normalise(values: Any, base: Any, *, binary: bool) -> tuple[FloatArray, FloatArray]:
    import numpy as np

    values = np.asarray(values, dtype=float)
    rows, width = values.shape[0], values.shape[2] if values.ndim == 3 else 1
    flat = np.asarray(base, dtype=float).reshape(-1)
    if flat.size == rows * width:
        per_row = flat.reshape(rows, width)
    else:
        per_row = np.broadcast_to(flat, (rows, width)).copy()
    if values.ndim == 3 and binary:
        return values[..., 1].copy(), per_row[:, 1].copy()
    return values, per_row if values.ndim == 3 else per_row[:, 0]


def mean_abs_importance(explanation: Explanation) -> dict[str, float]:
    """Mean |SHAP| per input column (averaged over classes), largest first, rounded for diffs."""
    import numpy as np

    mean = np.abs(explanation.values).mean(axis=0)
    if mean.ndim == 2:
        mean = mean.mean(axis=1)
    pairs = [
        (name, round(float(v), 6)) for name, v in zip(explanation.feature_names, mean, strict=True)
    ]
    return dict(sorted(pairs, key=lambda pair: -pair[1]))


def worst_rows(pipeline: Any, X: pd.DataFrame, y: pd.Series, *, task: Task, k: int) -> list[Any]:
    """Index labels of the k worst-predicted rows, earliest first among ties.

    Classification ranks by the predicted probability of the true class (lowest first),
    regression by absolute error (largest first).
    """
    import numpy as np

    truth = np.asarray(y)
    if task == "regression":
        badness = np.abs(np.asarray(pipeline.predict(X), dtype=float) - truth.astype(float))
    elif hasattr(pipeline, "predict_proba"):
        hit = truth[:, None] == np.asarray(pipeline.classes_)[None, :]
        badness = -(np.asarray(pipeline.predict_proba(X), dtype=float) * hit).sum(axis=1)
    else:
        badness = (np.asarray(pipeline.predict(X)) != truth).astype(float)
    order = np.argsort(-badness, kind="stable")
    return list(X.index[order[:k]].tolist())
