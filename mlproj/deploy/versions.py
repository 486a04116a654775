"""`mlproj compare-versions`: whether the shadow or canary version may replace the primary.

Over a window of the prediction log, the candidate (the latest shadow or canary version
logged) is held against the primary that served beside it: how often both give the same answer
on the same rows (shadow only: a canary request is answered by one version), the metric on
rows whose labels came back (`mlproj feedback`), and p95 latency. The gates are
`serve.shadow` in conf; with fewer compared rows than `min_rows` there is no verdict at all.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from mlproj._core.text import number
from mlproj.errors import NotEnoughEvidence, VersionsDisagree
from mlproj.predictionlog.schema import (
    LATENCY_MS,
    MODEL_VERSION,
    PREDICTION,
    REQUEST_ID,
    ROLE,
    ROW,
    TIME,
)

if TYPE_CHECKING:
    import pandas as pd

    from mlproj.data.dataset import Task
    from mlproj.serve.settings import ShadowGates

REPORT = "compare-versions.json"
METRICS: dict[str, str] = {"classification": "balanced_accuracy", "regression": "r2"}
# A metric on fewer labelled rows than this is not computed (R² needs two).
MIN_LABELLED = 2
Verdict = Literal["pass", "fail", "not enough evidence"]


@dataclass(frozen=True)
class Side:
    """One version over the window: rows it scored, labelled rows, metric, latency (ms)."""

    version: str
    rows: int
    labelled: int
    metric: float | None
    p50_ms: float | None
    p95_ms: float | None


@dataclass(frozen=True)
class Rule:
    """One gate: its value, threshold, and whether it passed (None: not judged, and why)."""

    name: str
    value: float | None
    threshold: float
    passed: bool | None
    detail: str


@dataclass(frozen=True)
class Comparison:
    """The primary against the candidate over the window, and the verdict."""

    since: date | None
    until: date | None
    mode: str
    metric: str
    primary: Side | None
    candidate: Side | None
    compared_rows: int
    agreement: float | None
    rules: tuple[Rule, ...]
    gates: ShadowGates
    verdict: Verdict
    report: Path

    def to_json(self) -> dict[str, Any]:
        """The content of reports/compare-versions.json."""
        return {
            "window": {
                "since": self.since.isoformat() if self.since else None,
                "until": self.until.isoformat() if self.until else None,
            },
            "mode": self.mode,
            "metric": self.metric,
            "primary": asdict(self.primary) if self.primary else None,
            "candidate": asdict(self.candidate) if self.candidate else None,
            "compared_rows": self.compared_rows,
            "agreement": self.agreement,
            "gates": asdict(self.gates),
            "rules": [asdict(rule) for rule in self.rules],
            "verdict": self.verdict,
        }

    def check(self) -> Comparison:
        """Return self when the candidate passes; else `NotEnoughEvidence` or `VersionsDisagree`."""
        if self.primary is None or self.candidate is None:
            raise NotEnoughEvidence(
                f"no {'primary' if self.candidate else 'shadow or canary'} rows in the "
                f"prediction log{_window(self.since, self.until)}: serve with --shadow VERSION "
                "or --canary VERSION, then compare."
            )
        pair = f"{self.candidate.version} ({self.mode}) against {self.primary.version}"
        if self.verdict == "not enough evidence":
            raise NotEnoughEvidence(
                f"{pair}: {self.compared_rows} compared row(s){_window(self.since, self.until)}, "
                f"fewer than serve.shadow.min_rows = {self.gates.min_rows}; no verdict yet."
            )
        failed = [rule.detail for rule in self.rules if rule.passed is False]
        if failed:
            raise VersionsDisagree(f"{pair} fails: {'; '.join(failed)}.")
        return self


def compare_versions(
    project_root: Path, *, since: date | None = None, until: date | None = None
) -> Comparison:
    """Compare the primary with the shadow or canary version over the log from SINCE to UNTIL.

    Writes reports/compare-versions.json (whatever the verdict) and returns the comparison;
    `Comparison.check` says whether the candidate may replace the primary.
    """
    from mlproj._core.atomic import write_text
    from mlproj.predictionlog.feedback import latest_labels
    from mlproj.predictionlog.schema import read_log, without_smoke
    from mlproj.project.project import open_project
    from mlproj.serve.settings import serve_settings

    project = open_project(project_root)
    settings = serve_settings(project)
    columns = [REQUEST_ID, ROW, TIME, MODEL_VERSION, ROLE, PREDICTION, LATENCY_MS]
    log, _ = without_smoke(read_log(settings.log.path, since=since, until=until, columns=columns))
    # Labels are read only when there is a pair of versions to score them on.
    labels = partial(latest_labels, settings.log.feedback)
    comparison = _compare(log, labels, project.task, settings.shadow)
    result = Comparison(since=since, until=until, report=project.reports / REPORT, **comparison)
    text = json.dumps(result.to_json(), indent=2, ensure_ascii=False, allow_nan=False)
    write_text(result.report, text + "\n")
    return result


def _compare(log: pd.DataFrame, labels: Any, task: Task, gates: ShadowGates) -> dict[str, Any]:
    """Every field of a `Comparison` but the window and the report's path."""
    empty: dict[str, Any] = {
        "mode": "none",
        "metric": METRICS[task],
        "primary": None,
        "candidate": None,
        "compared_rows": 0,
        "agreement": None,
        "rules": (),
        "gates": gates,
        "verdict": "not enough evidence",
    }
    trying = log[log[ROLE].isin(["shadow", "canary"])].sort_values(TIME, kind="stable")
    if trying.empty:
        return empty
    candidate_version = str(trying[MODEL_VERSION].iloc[-1])
    candidate = trying[trying[MODEL_VERSION] == candidate_version]
    primary = _primary(log[log[ROLE] == "primary"], candidate)
    roles = sorted(set(candidate[ROLE]))
    mode = " and ".join(roles)
    if primary is None:
        return {**empty, "mode": mode, "candidate": _side(candidate, None, task)}
    pairs = _pairs(primary, candidate[candidate[ROLE] == "shadow"])
    compared = len(pairs) if "shadow" in roles else min(len(primary), len(candidate))
    agreement = _agreement(pairs, task, gates.tolerance) if len(pairs) else None
    known = labels()
    sides = _side(primary, known, task), _side(candidate, known, task)
    rules = (
        _agreement_rule(agreement, gates),
        _metric_rule(*sides, gates, task),
        _latency_rule(*sides, gates),
    )
    verdict: Verdict = "pass"
    if compared < gates.min_rows:
        verdict = "not enough evidence"
    elif any(rule.passed is False for rule in rules):
        verdict = "fail"
    return {
        **empty,
        "mode": mode,
        "primary": sides[0],
        "candidate": sides[1],
        "compared_rows": compared,
        "agreement": agreement,
        "rules": rules,
        "verdict": verdict,
    }


def _primary(primary: pd.DataFrame, candidate: pd.DataFrame) -> pd.DataFrame | None:
    """The primary's rows of the version that served while the candidate was tried."""
    if primary.empty:
        return None
    start, end = candidate[TIME].min(), candidate[TIME].max()
    during = primary[(primary[TIME] >= start) & (primary[TIME] <= end)]
    if during.empty:  # a canary's few requests may fall between the primary's
        version = str(primary.sort_values(TIME, kind="stable")[MODEL_VERSION].iloc[-1])
    else:
        version = str(during[MODEL_VERSION].value_counts().index[0])
    return primary[primary[MODEL_VERSION] == version]


def _pairs(primary: pd.DataFrame, shadow: pd.DataFrame) -> pd.DataFrame:
    """Rows both versions scored: the primary's and the shadow's prediction side by side."""
    keys = [REQUEST_ID, ROW]
    left = primary[[*keys, PREDICTION]].dropna(subset=[PREDICTION])
    right = shadow[[*keys, PREDICTION]].dropna(subset=[PREDICTION])
    return left.merge(right, on=keys, suffixes=("_primary", "_candidate"))


def _agreement(pairs: pd.DataFrame, task: Task, tolerance: float) -> float:
    import numpy as np

    a, b = pairs[f"{PREDICTION}_primary"], pairs[f"{PREDICTION}_candidate"]
    if task == "regression":
        return float(np.mean(np.abs(a.astype(float) - b.astype(float)) <= tolerance))
    return float(np.mean(a.astype(str) == b.astype(str)))


def _side(rows: pd.DataFrame, labels: pd.DataFrame | None, task: Task) -> Side:
    import numpy as np

    per_request = rows.drop_duplicates(REQUEST_ID)[LATENCY_MS].dropna().astype(float)
    p50, p95 = (
        (float(np.percentile(per_request, 50)), float(np.percentile(per_request, 95)))
        if len(per_request)
        else (None, None)
    )
    labelled, metric = 0, None
    if labels is not None and not labels.empty:
        joined = rows.dropna(subset=[PREDICTION]).merge(labels, on=[REQUEST_ID, ROW])
        labelled = len(joined)
        if labelled >= MIN_LABELLED:
            metric = _metric(joined, task)
    return Side(str(rows[MODEL_VERSION].iloc[0]), len(rows), labelled, metric, p50, p95)


def _metric(joined: pd.DataFrame, task: Task) -> float | None:
    """Balanced accuracy (the mean recall over the true classes) or R², as scikit-learn has them.

    Computed here: importing scikit-learn's metrics costs seconds for two lines of arithmetic.
    """
    from mlproj.predictionlog.feedback import LABEL

    if task == "regression":
        truth, predicted = joined[LABEL].astype(float), joined[PREDICTION].astype(float)
        total = float(((truth - truth.mean()) ** 2).sum())
        residual = float(((truth - predicted) ** 2).sum())
        value = 1 - residual / total if total > 0 else math.nan
    else:
        hits = joined[LABEL].astype(str) == joined[PREDICTION].astype(str)
        value = float(hits.groupby(joined[LABEL].astype(str)).mean().mean())
    return value if math.isfinite(value) else None


def _agreement_rule(agreement: float | None, gates: ShadowGates) -> Rule:
    threshold = gates.min_agreement
    if agreement is None:
        why = "not judged: no row scored by both (a canary request is answered by one version)"
        return Rule("agreement", None, threshold, None, why)
    passed = agreement >= threshold
    relation = "at least" if passed else "below"
    detail = f"agreement {number(agreement)} {relation} serve.shadow.min_agreement {threshold:g}"
    return Rule("agreement", agreement, threshold, passed, detail)


def _metric_rule(primary: Side, candidate: Side, gates: ShadowGates, task: Task) -> Rule:
    name, threshold = f"{METRICS[task]} drop", gates.max_metric_drop
    if primary.metric is None or candidate.metric is None:
        counts = f"{primary.labelled} and {candidate.labelled}"
        why = f"not judged: {counts} labelled rows (at least {MIN_LABELLED} each; mlproj feedback)"
        return Rule(name, None, threshold, None, why)
    drop = primary.metric - candidate.metric
    passed = drop <= threshold + 1e-12
    relation = "within" if passed else "above"
    detail = (
        f"{METRICS[task]} {number(candidate.metric)} against {number(primary.metric)}: a drop of "
        f"{number(drop)}, {relation} serve.shadow.max_metric_drop {threshold:g}"
    )
    return Rule(name, drop, threshold, passed, detail)


def _latency_rule(primary: Side, candidate: Side, gates: ShadowGates) -> Rule:
    threshold = gates.max_latency_ratio
    if primary.p95_ms is None or candidate.p95_ms is None:
        return Rule("latency ratio", None, threshold, None, "not judged: no latency logged")
    if primary.p95_ms > 0:
        ratio = candidate.p95_ms / primary.p95_ms
    else:
        ratio = 1.0 if candidate.p95_ms == 0 else math.inf
    passed = ratio <= threshold
    relation = "within" if passed else "above"
    detail = (
        f"p95 {number(candidate.p95_ms)} ms against {number(primary.p95_ms)} ms: ratio "
        f"{number(ratio)}, {relation} serve.shadow.max_latency_ratio {threshold:g}"
    )
    return Rule("latency ratio", ratio if math.isfinite(ratio) else None, threshold, passed, detail)


def _window(since: date | None, until: date | None) -> str:
    if since and until:
        return f" from {since} to {until}"
    if since:
        return f" since {since}"
    return f" until {until}" if until else ""
