"""Quality on labelled rows against the metrics the served version was released with.

The labels that came back (`mlproj feedback`) are scored with the evaluate stage's metric names
and compared with that version's committed `metrics.json` (at its `model@vX.Y.Z` tag, else
`last-release.json` when it records that version; a workspace model: the workspace's file).
The metrics judged are those `gates.max_drop` names, so production is held to the same line
as a new model; the limit is `monitor.max_quality_drop`. A batch whose labels are all wrong
scores 0 and alerts. Below `min_labelled` rows nothing is judged, and the check says so.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from mlproj._core.text import listing, number, path_in
from mlproj.flow.releases import committed_metrics, read_record
from mlproj.monitor.check import Check, alert, ok, skipped
from mlproj.monitor.model import RELEASE, release_tags
from mlproj.predictionlog.feedback import LABEL
from mlproj.predictionlog.schema import PREDICTION

if TYPE_CHECKING:
    import pandas as pd

    from mlproj.monitor.settings import MonitorSettings
    from mlproj.project.project import Project

QUALITY = "quality"
DEFAULT_METRIC = {"classification": "balanced_accuracy", "regression": "r2"}
LOWER_IS_BETTER = frozenset({"rmse", "mae"})


def quality(
    project: Project, version: str, labelled: pd.DataFrame, settings: MonitorSettings
) -> Check:
    """Alert when a metric on the labelled rows fell more than `max_quality_drop` below release."""
    if len(labelled) < settings.min_labelled:
        return skipped(
            QUALITY,
            f"{len(labelled)} labelled row(s) answered by {version}, fewer than min_labelled "
            f"{settings.min_labelled}: quality not judged",
        )
    released, source = release_metrics(project, version)
    if released is None:
        return skipped(QUALITY, f"no metrics to compare with: {source}")
    names = _judged_metrics(project)
    scores = score(project.task, labelled[LABEL], labelled[PREDICTION])
    lower = LOWER_IS_BETTER | set(_gates(project).get("lower_is_better") or [])
    drops, lines, worst = [], [], 0.0
    for name in names:
        now, then = scores.get(name), released.get(name)
        if not isinstance(then, int | float) or now is None:
            continue
        drop = (now - then) if name in lower else (then - now)
        worst = max(worst, drop)
        line = f"{name} {number(now)} against {number(float(then))} at {source}"
        lines.append(line)
        if drop > settings.max_quality_drop:
            drops.append(f"{line}, down {number(drop)}")
    if not lines:
        return skipped(QUALITY, f"{source} has none of {', '.join(names)}")
    limit = settings.max_quality_drop
    rows = f"on {len(labelled)} labelled row(s)"
    if drops:
        return alert(
            QUALITY, f"{listing(drops, 3, sep='; ')} {rows} (limit {number(limit)})", worst, limit
        )
    return ok(QUALITY, f"{listing(lines, 3, sep='; ')} {rows}", worst, limit)


def score(task: str, truth: pd.Series, answers: pd.Series) -> dict[str, float]:
    """The evaluate stage's metrics of ANSWERS against TRUTH (text classes, or numbers)."""
    import warnings

    import numpy as np
    import pandas as pd
    from sklearn import metrics

    if task == "classification":
        # Classes as integer codes: scikit-learn sorts text labels in Python, 20 s for a million.
        both = np.concatenate([truth.astype(str).to_numpy(), answers.astype(str).to_numpy()])
        codes = pd.factorize(both)[0]
        y, p = codes[: len(truth)], codes[len(truth) :]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a window may hold one class only
            return {
                "accuracy": float(metrics.accuracy_score(y, p)),
                "balanced_accuracy": float(metrics.balanced_accuracy_score(y, p)),
                "f1_macro": float(metrics.f1_score(y, p, average="macro")),
            }
    y_num = pd.to_numeric(truth, errors="coerce").to_numpy(dtype=np.float64)
    p_num = pd.to_numeric(answers, errors="coerce").to_numpy(dtype=np.float64)
    scores = {
        "rmse": float(np.sqrt(metrics.mean_squared_error(y_num, p_num))),
        "mae": float(metrics.mean_absolute_error(y_num, p_num)),
    }
    if len(y_num) > 1:
        scores["r2"] = float(metrics.r2_score(y_num, p_num))
    return scores


def release_metrics(project: Project, version: str) -> tuple[Mapping[str, Any] | None, str]:
    """VERSION's metrics as released, and where they come from (or why there are none)."""
    metrics_path = project.root / str(
        project.params.get("paths", {}).get("metrics", "metrics.json")
    )
    if RELEASE.fullmatch(version):
        for tag in release_tags(version):
            found = committed_metrics(project.root, tag, metrics_path)
            if found is not None:
                return found, tag
        record = read_record(project.root)
        if record.release is not None and record.release.tag == version and record.metrics:
            return record.metrics, f"last-release.json ({version})"
        return None, f"neither model@{version} nor last-release.json holds {version}'s metrics"
    try:
        return json.loads(metrics_path.read_text(encoding="utf-8")), path_in(
            metrics_path, project.root
        )
    except (OSError, ValueError):
        return None, f"{path_in(metrics_path, project.root)} cannot be read (run `dvc repro`)"


def _judged_metrics(project: Project) -> list[str]:
    declared = _gates(project).get("max_drop")
    names = [str(n) for n in declared] if isinstance(declared, Mapping) else []
    return names or [DEFAULT_METRIC[project.task]]


def _gates(project: Project) -> Mapping[str, Any]:
    gates = project.params.get("gates")
    return gates if isinstance(gates, Mapping) else {}
