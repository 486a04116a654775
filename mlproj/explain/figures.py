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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlproj._core.atomic import writing
from mlproj.explain.shap_values import shap_module

if TYPE_CHECKING:
    from mlproj.explain.shap_values import Explanation

_MAX_BEESWARM_CLASSES = 6


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
) -> list[Figure]:
    """Save bar, beeswarm and per-row waterfall PNGs into `out_dir` and describe them.

    Everything is drawn in a staging folder beside `out_dir` and moved in only once all figures
    exist, so a failure never leaves a half-written PNG; other files in `out_dir` are untouched.
    """
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

    shap, classes = shap_module(), e.class_names or []
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
    if e.values.ndim == 3:
        k = int(np.argmax(base + values.sum(axis=0)))
        values, base, why = values[:, k], base[k], f"predicted class is {classes[k]!r}"
    elif classes:
        probability = e.output == "probability"
        positive = base + values.sum() > (0.5 if probability else 0.0)
        if not positive:  # the negative class's output mirrors the positive class's
            values, base = -values, (1.0 - base if probability else -base)
        why = f"predicted class is {classes[int(positive)]!r}"
    else:
        why = f"prediction is {float(base + values.sum()):.4g}"
    shown = np.array(["missing" if pd.isna(v) else v for v in e.data.iloc[at]], dtype=object)
    shap = shap_module()
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
    return shap_module().Explanation(
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
