"""Draw an explanation as PNG figures a report can show: global bar and beeswarm, local waterfalls.

Figures are drawn in a temporary folder beside their destination and moved in only when all
of them exist, so a failure never leaves half a set.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlproj._core.atomic import writing
from mlproj._core.text import number
from mlproj.explain.shap_values import shap_module

if TYPE_CHECKING:
    import pandas as pd

    from mlproj.explain.shap_values import Explanation

_MAX_BEESWARM_CLASSES = 6
# Longer category values are cut in waterfall labels, which would otherwise crowd the plot.
_LONGEST_VALUE = 24
# Okabe and Ito's palette, told apart with every common colour-vision deficiency.
_PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
_MISSING = object()


@dataclass(frozen=True)
class Figure:
    """A saved PNG and the words a report shows with it; `local` marks a single-row explanation."""

    path: Path
    title: str
    caption: str
    local: bool = False


def write_figures(
    explanation: Explanation,
    out_dir: Path,
    *,
    local_rows: Sequence[Any] = (),
    max_display: int = 12,
    actual: Mapping[Any, Any] | pd.Series | None = None,
) -> list[Figure]:
    """Save bar, beeswarm and per-row waterfall PNGs into `out_dir` and describe them.

    ACTUAL maps each local row's index label to its true target (a pandas Series of the test
    target does), so each waterfall states the prediction beside the truth. Binary models are
    explained for their positive class in every figure; multiclass waterfalls for the row's
    predicted class; every title or caption names the class it explains.
    Everything is drawn in a staging folder beside `out_dir` and moved in only once all figures
    exist, so a failure never leaves a half-written PNG; other files in `out_dir` are untouched.
    """
    max_display = max(1, min(max_display, len(explanation.feature_names)))
    missing = [label for label in local_rows if label not in explanation.data.index]
    if missing:
        raise ValueError(f"rows {missing!r} are not among the explained rows")
    with writing(str(out_dir)):  # a full disk or a read-only folder: one line, no PNG left
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        with writing(str(out_dir)):
            figures = _global_figures(explanation, staging, max_display)
            for n, label in enumerate(local_rows, start=1):
                truth = _MISSING if actual is None else actual.get(label, _MISSING)
                path = staging / f"waterfall_{n}.png"
                figures.append(_waterfall(explanation, label, truth, path, max_display))
            out_dir.mkdir(exist_ok=True)
            for figure in figures:
                os.replace(figure.path, out_dir / figure.path.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [replace(figure, path=out_dir / figure.path.name) for figure in figures]


def _global_figures(e: Explanation, folder: Path, max_display: int) -> list[Figure]:
    import numpy as np

    shap, classes = shap_module(), e.class_names or []
    unit = "the target's units" if e.output == "prediction" else e.output
    about = f"{len(e.data)} rows, SHAP values in {unit} ({e.explainer} explainer)"
    if e.values.ndim == 2:
        of = f" for class {classes[1]!r}" if classes else ""
        panels = [(of, "beeswarm.png", _as_shap(e))]
        bars: Any = panels[0][2]
    else:
        strength = np.abs(e.values).mean(axis=(0, 1))
        shown = sorted(np.argsort(-strength, kind="stable")[:_MAX_BEESWARM_CLASSES])
        names = _file_names([classes[k] for k in shown], "beeswarm")
        panels = [
            (f" for class {classes[k]!r}", n, _as_shap(e, k))
            for k, n in zip(shown, names, strict=True)
        ]
        bars, of = {name: _as_shap(e, k) for k, name in enumerate(classes)}, " per class"
    bar = Figure(folder / "bar.png", f"Global importance{of}", f"Mean |SHAP| per feature; {about}.")
    figures = [_draw(bar, shap.plots.bar, bars, max_display, _colour_per_class)]
    caption = f"One dot per row, coloured by its value (grey: categorical); {about}."
    for of, name, panel in panels:
        beeswarm = Figure(folder / name, f"Effect of each feature{of}", caption)
        figures.append(_draw(beeswarm, shap.plots.beeswarm, panel, max_display))
    return figures


def _waterfall(e: Explanation, label: Any, truth: Any, path: Path, max_display: int) -> Figure:
    import numpy as np

    at = int(np.flatnonzero(e.data.index == label)[0])
    values, base, classes = e.values[at], e.base_values[at], e.class_names or []
    if e.values.ndim == 3:
        k = int(np.argmax(base + values.sum(axis=0)))
        values, base = values[:, k], base[k]
        predicted, of = _label(classes[k]), f" of class {classes[k]!r}"
        why = ", the predicted class (the bars show every class)"
    elif classes:
        # The positive class, as in the global figures, whichever class this row is predicted.
        threshold = 0.5 if e.output == "probability" else 0.0
        predicted = _label(classes[int(base + values.sum() > threshold)])
        of = f" of class {classes[1]!r}"
        why = f", as in the global figures (above {number(threshold)}: predicted {classes[1]!r})"
    else:
        predicted, of, why = number(float(base + values.sum())), "", ""
    shown = np.array([_shown(v) for v in e.data.iloc[at]], dtype=object)
    shap = shap_module()
    row = shap.Explanation(values, float(base), data=shown, feature_names=e.feature_names)
    caption = (
        f"Explains the {e.output}{of}{why}: each feature moves it from the average "
        f"({number(float(base), 3)}) to this row's {number(float(base + values.sum()), 3)}; "
        "feature values as in the data."
    )
    title = f"Row {label}: predicted {predicted}"
    if truth is not _MISSING:
        title += f", actual {_label(truth) if classes else number(float(truth))}"
    figure = Figure(path, title, caption, local=True)

    def finish(drawn: Any) -> None:
        _labels_inside(drawn)
        # Below shap's E[f(X)] label, which sits under the axis.
        drawn.axes[0].set_xlabel(f"{e.output}{of}", fontsize=12, labelpad=24)

    return _draw(figure, shap.plots.waterfall, row, max_display, finish)


def _shown(value: Any) -> Any:
    """A feature value as a waterfall labels it: numbers as in the data, long text cut."""
    import numbers

    import pandas as pd

    if pd.isna(value):
        return "missing"
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return number(float(value), grouping=False)
    if isinstance(value, str) and len(value) > _LONGEST_VALUE:
        return value[: _LONGEST_VALUE - 1] + "…"
    return value


def _label(value: Any) -> str:
    """A class label as the titles quote it: 'yes', the same whether it came as text or not."""
    return repr(str(value))


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
    return shap_module().Explanation(
        values, base_values=base, data=colours, feature_names=e.feature_names
    )


def _draw(
    figure: Figure,
    plot: Callable[..., object],
    subject: Any,
    max_display: int,
    finish: Callable[[Any], None] | None = None,
) -> Figure:
    """Draw one shap plot into a fresh figure, save it, and close every figure it opened.

    FINISH adjusts the drawn figure (colours, margins) before it is saved.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    before, state = set(plt.get_fignums()), np.random.get_state()
    try:
        np.random.seed(0)  # beeswarm jitters dots with numpy's global RNG; keep PNGs reproducible
        with warnings.catch_warnings(), _numbers_for_people():
            # beeswarm takes percentiles of the all-NaN colour column of a categorical feature
            warnings.simplefilter("ignore", RuntimeWarning)
            plt.figure()
            plot(subject, max_display=max_display, show=False)
            _plain_numbers(plt.gcf())
            if finish is not None:
                finish(plt.gcf())
            drawn: Any = plt.gcf()  # an Agg figure (shap_module chose the backend)
            drawn.suptitle(figure.title, y=1.0, va="bottom", fontsize="large")
            # The tight box from the laid-out text alone: `bbox_inches="tight"` would draw the
            # whole figure once more just to measure it (the same pixels, twice the drawing).
            box = drawn.get_tightbbox(drawn.canvas.get_renderer()).padded(0.1)
            drawn.savefig(figure.path, dpi=100, bbox_inches=box, metadata={"Software": None})
    finally:
        np.random.set_state(state)
        for number_ in set(plt.get_fignums()) - before:
            plt.close(number_)
    return figure


@contextmanager
def _numbers_for_people() -> Iterator[None]:
    """Have shap's bar and waterfall labels use mlproj's number formatter.

    shap formats with "%0.03f" and strips zeros, so 11176.835 reads "11176.835" and 0.004
    reads "+0"; its `format_value` is the one place its labels go through. Mean |SHAP| bars
    get no sign: they are never negative.
    """
    import sys

    def signed(value: Any, form: str) -> str:
        return value if isinstance(value, str) else number(float(value), 3, sign="+" in form)

    def unsigned(value: Any, form: str) -> str:
        return value if isinstance(value, str) else number(float(value), 3)

    swapped = []
    for name, formatter in (("_waterfall", signed), ("_bar", unsigned)):
        module = sys.modules.get(f"shap.plots.{name}")
        if module is not None and hasattr(module, "format_value"):
            swapped.append((module, module.format_value))
            setattr(module, "format_value", formatter)  # noqa: B010 (a module of shap's)
    try:
        yield
    finally:
        for module, original in swapped:
            setattr(module, "format_value", original)  # noqa: B010


def _plain_numbers(figure: Any) -> None:
    """Tick labels through the same formatter; no mathtext gap after a thousands separator."""
    from matplotlib.ticker import FuncFormatter

    figure.axes[0].xaxis.set_major_formatter(FuncFormatter(lambda x, _: number(float(x))))
    for axes in figure.axes[1:]:  # waterfall's E[f(X)] and f(x) labels are mathtext
        shown = axes.xaxis.get_major_formatter()
        axes.xaxis.set_major_formatter(
            FuncFormatter(lambda x, pos, shown=shown: str(shown(x, pos)).replace(",", "{,}"))
        )


def _colour_per_class(figure: Any) -> None:
    """Per-class bars in distinct colour-blind-safe colours (shap tells them apart by hatching)."""
    axes = figure.axes[0]
    if len(axes.containers) < 2:
        return
    for n, bars in enumerate(axes.containers):
        colour = _PALETTE[n % len(_PALETTE)]
        for patch_ in bars:
            patch_.set_facecolor(colour)
            patch_.set_hatch(None if n < len(_PALETTE) else "//")
    for text in axes.texts:
        text.set_color("#333333")  # shap colours values by sign; some would vanish on white
    axes.legend(fontsize=12)


def _labels_inside(figure: Any) -> None:
    """Widen the x range until every value label clears the feature names and the edge.

    shap puts the label of a short arrow beside it, where it may fall on the names left of
    the axis or past its right end; all axes of the plot share the new range.
    """
    axes = figure.axes
    main = axes[0]
    renderer = figure.canvas.get_renderer()
    box = main.get_window_extent(renderer=renderer)
    texts = [t.get_window_extent(renderer=renderer) for t in main.texts if t.get_visible()]
    pad = 4.0  # pixels between a label and what it must clear
    left = max([box.x0 - t.x0 + pad for t in texts if t.x0 < box.x0 + pad], default=0.0)
    right = max([t.x1 - box.x1 + pad for t in texts if t.x1 > box.x1 - pad], default=0.0)
    if left + right == 0.0 or left + right >= box.width / 2:
        return
    low, high = main.get_xlim()
    scale = (high - low) / (box.width - left - right)
    for each in axes:  # shap's E[f(X)] and f(x) labels sit on twin axes of the same range
        each.set_xlim(low - left * scale, high + right * scale)


def _file_names(classes: list[str], stem: str) -> list[str]:
    names: list[str] = []
    for name in classes:
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.") or "class"
        candidate = f"{stem}_{slug}.png"
        names.append(candidate if candidate not in names else f"{stem}_{slug}-{len(names)}.png")
    return names
