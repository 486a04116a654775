"""Explain a fitted scikit-learn pipeline with SHAP, in terms of its original input columns.

Reviewers reason about the columns they wrote into the data contract, not about one-hot
columns, so SHAP values of every transformed column are summed back to the input column it
came from. The figures drawn from an explanation live here too: they share its shapes.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
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
_MAX_BEESWARM_CLASSES = 6


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


@dataclass(frozen=True)
class Figure:
    """A saved PNG and the words a report shows with it; `local` marks a single-row explanation."""

    path: Path
    title: str
    caption: str
    local: bool = False


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
    """Explain `rows` with the fastest exact SHAP explainer the final estimator allows.

    Trees get TreeExplainer (path-dependent: exact and independent of `background`), sklearn
    linear models get LinearExplainer over the transformed background, anything else gets a
    seeded permutation explainer over the whole pipeline; cost is bounded by rows x background.
    """
    if rows.empty or background.empty:
        raise ValueError("explain_pipeline needs at least one row and one background row")
    shap = _shap()
    inputs = [str(c) for c in getattr(pipeline, "feature_names_in_", rows.columns)]
    preprocessor = _column_transformer(pipeline)
    sources = None
    if preprocessor is not None:
        try:
            sources = source_columns(preprocessor, inputs)
        except ValueError:
            sources = None
    features = inputs if sources is None else [c for c in inputs if c in set(sources)]
    attempt = None
    if preprocessor is not None and sources is not None:
        attempt = _explain_model(shap, pipeline, preprocessor, sources, features, background, rows)
    if attempt is None:
        attempt = _explain_permutation(
            pipeline, background[inputs], rows[inputs], features, task=task, seed=seed
        )
    classes = [str(c) for c in pipeline.classes_] if task == "classification" else None
    values, base = _normalise(attempt.values, attempt.base, binary=len(classes or ()) == 2)
    output = "prediction" if task == "regression" else attempt.output
    return Explanation(
        values, base, rows[features].copy(), features, classes, attempt.explainer, output
    )


def _shap() -> Any:
    import matplotlib

    matplotlib.use("Agg")  # shap imports pyplot; a headless pipeline stage must never need a GUI
    with warnings.catch_warnings():  # shap 0.51 warns about its own colormap calls on import
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        import shap

    return shap


def _column_transformer(pipeline: Any) -> ColumnTransformer | None:
    from sklearn.compose import ColumnTransformer

    steps = getattr(pipeline, "steps", [])
    if len(steps) == 2 and isinstance(steps[0][1], ColumnTransformer):
        return steps[0][1]
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
    if any(hasattr(model, a) for a in ("tree_", "estimators_", "_predictors")):
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
    import numpy as np
    import pandas as pd

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


def write_figures(
    explanation: Explanation,
    out_dir: Path,
    *,
    local_rows: Sequence[Any] = (),
    max_display: int = 12,
) -> list[Figure]:
    """Save bar, beeswarm and per-row waterfall PNGs into `out_dir` and describe them.

    Everything is drawn in a staging folder beside `out_dir` and moved in only once all figures
    exist, so a failure never leaves a half-written PNG; other files in `out_dir` are untouched.
    """
    missing = [label for label in local_rows if label not in explanation.data.index]
    if missing:
        raise ValueError(f"rows {missing!r} are not among the explained rows")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        figures = _global_figures(explanation, staging, max_display)
        for n, label in enumerate(local_rows, start=1):
            figures.append(
                _waterfall(explanation, label, staging / f"waterfall_{n}.png", max_display)
            )
        out_dir.mkdir(exist_ok=True)
        for figure in figures:
            os.replace(figure.path, out_dir / figure.path.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [replace(figure, path=out_dir / figure.path.name) for figure in figures]


def _global_figures(e: Explanation, folder: Path, max_display: int) -> list[Figure]:
    import numpy as np

    shap, classes = _shap(), e.class_names or []
    about = f"{len(e.data)} rows, SHAP values in {e.output} ({e.explainer} explainer)"
    if e.values.ndim == 2:
        of = f" for class {classes[1]!r}" if classes else ""
        panels = [(of, "beeswarm.png", _as_shap(e))]
        bars: Any = panels[0][2]
    else:
        strength = np.abs(e.values).mean(axis=(0, 1))
        shown = sorted(np.argsort(-strength, kind="stable")[:_MAX_BEESWARM_CLASSES])
        names = _file_names([classes[k] for k in shown], "beeswarm")
        panels = [
            (f" on class {classes[k]!r}", n, _as_shap(e, k))
            for k, n in zip(shown, names, strict=True)
        ]
        bars, of = {name: _as_shap(e, k) for k, name in enumerate(classes)}, " per class"
    bar = Figure(folder / "bar.png", f"Global importance{of}", f"Mean |SHAP| per feature; {about}.")
    figures = [_draw(bar, shap.plots.bar, bars, max_display)]
    caption = f"One dot per row, coloured by its value (grey: categorical); {about}."
    for of, name, panel in panels:
        beeswarm = Figure(folder / name, f"Effect of each feature{of}", caption)
        figures.append(_draw(beeswarm, shap.plots.beeswarm, panel, max_display))
    return figures


def _waterfall(e: Explanation, label: Any, path: Path, max_display: int) -> Figure:
    import numpy as np
    import pandas as pd

    at = int(np.flatnonzero(e.data.index == label)[0])
    values, base, classes = e.values[at], e.base_values[at], e.class_names or []
    why = "prediction"
    if e.values.ndim == 3:
        k = int(np.argmax(base + values.sum(axis=0)))
        values, base, why = values[:, k], base[k], f"predicted class {classes[k]!r}"
    elif classes:
        probability = e.output == "probability"
        positive = base + values.sum() > (0.5 if probability else 0.0)
        if not positive:  # the negative class's output mirrors the positive class's
            values, base = -values, (1.0 - base if probability else -base)
        why = f"predicted class {classes[int(positive)]!r}"
    shown = np.array(["missing" if pd.isna(v) else v for v in e.data.iloc[at]], dtype=object)
    shap = _shap()
    row = shap.Explanation(values, float(base), data=shown, feature_names=e.feature_names)
    caption = (
        f"How each feature moves the {e.output} from the average ({float(base):.3g}) to this "
        f"row's {float(base + values.sum()):.3g}; feature values as in the data."
    )
    figure = Figure(path, f"Row {label}: why the {why}", caption, local=True)
    return _draw(figure, shap.plots.waterfall, row, max_display)


def _as_shap(e: Explanation, k: int | None = None) -> Any:
    """Build shap's Explanation; categorical columns become NaN so shap greys their dots."""
    import numpy as np
    import pandas as pd

    colours = np.column_stack(
        [
            e.data[c].astype(float)
            if pd.api.types.is_numeric_dtype(e.data[c])
            else np.full(len(e.data), np.nan)
            for c in e.feature_names
        ]
    )
    values = e.values if k is None else e.values[..., k]
    base = e.base_values if k is None else e.base_values[:, k]
    return _shap().Explanation(
        values, base_values=base, data=colours, feature_names=e.feature_names
    )


def _draw(figure: Figure, plot: Callable[..., object], subject: Any, max_display: int) -> Figure:
    """Draw one shap plot into a fresh figure, save it, and close every figure it opened."""
    import matplotlib.pyplot as plt
    import numpy as np

    before, state = set(plt.get_fignums()), np.random.get_state()
    try:
        np.random.seed(0)  # beeswarm jitters dots with numpy's global RNG; keep PNGs reproducible
        with warnings.catch_warnings():
            # beeswarm takes percentiles of the all-NaN colour column of a categorical feature
            warnings.simplefilter("ignore", RuntimeWarning)
            plt.figure()
            plot(subject, max_display=max_display, show=False)
            plt.gcf().suptitle(figure.title, y=1.0, va="bottom", fontsize="large")
            plt.gcf().savefig(
                figure.path, dpi=100, bbox_inches="tight", metadata={"Software": None}
            )
    finally:
        np.random.set_state(state)
        for number in set(plt.get_fignums()) - before:
            plt.close(number)
    return figure


def _file_names(classes: list[str], stem: str) -> list[str]:
    names: list[str] = []
    for name in classes:
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.") or "class"
        candidate = f"{stem}_{slug}.png"
        names.append(candidate if candidate not in names else f"{stem}_{slug}-{len(names)}.png")
    return names
