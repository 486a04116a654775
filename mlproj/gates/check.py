"""Quality gates: the evaluated model must meet what the project declares, or the pipeline stops.

Four kinds, from the ML Test Score: thresholds on the model's own metrics (`gates.min`,
`gates.max`); a margin over the reference models `evaluate` scores beside it (a trivial
baseline, a simple model: "a simpler model is not better"); at most a given drop against the
last released model, whose metrics `last-release.json` records (a declared input of the stage,
so a later tag never changes what a commit gives); and at most a given gap in a metric
between groups of a sensitive column (`inclusion`). A fifth asks each feature to pay for
itself: its ablation drop in reports/features.json at least `gates.min_contribution`. A kind
with nothing declared, or nothing to compare with yet, is skipped and says why, so a skip is
never mistaken for a pass.

`judge` is pure, for tests and other callers; `check_gates` reads the project's files and
returns; given an output it writes the report there (the stage writes `reports/gates.json`,
deterministic: no times, so it is committed and diffed). Without one it writes nothing, so a
check by hand never leaves a DVC output changed behind the pipeline's back.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from mlproj._core.atomic import write_text
from mlproj._core.git import tags
from mlproj._core.text import number
from mlproj.errors import ConfigError, GateFailed, InvalidGates
from mlproj.flow.releases import (
    RECORD_FILE,
    Release,
    parse_metrics,
    parse_release,
    read_record,
    released_metrics,
)
from mlproj.gates.contribution import FEATURES_FILE, Contributions, read_contributions
from mlproj.gates.settings import GateSettings, gate_settings
from mlproj.gates.slices import SLICES_FILE, SliceReport, group_gap, read_slices
from mlproj.project.params import PARAMS_FILE, project_params

GATES_FILE = "gates.json"
Status = Literal["passed", "failed", "skipped"]


@dataclass(frozen=True)
class GateResult:
    """One gate's outcome; `message` names the gate, its threshold and the value it saw."""

    gate: str
    status: Status
    message: str
    threshold: float | None = None
    value: float | None = None

    def to_json(self) -> dict[str, Any]:
        """The gate's entry in `reports/gates.json`."""
        return {
            "gate": self.gate,
            "status": self.status,
            "threshold": self.threshold,
            "value": self.value,
            "message": self.message,
        }


@dataclass(frozen=True)
class GateReport:
    """Every gate's result, in declaration order, and the release the drops were measured on."""

    results: tuple[GateResult, ...]
    release: str | None

    @property
    def failed(self) -> tuple[GateResult, ...]:
        """The gates the model missed."""
        return tuple(r for r in self.results if r.status == "failed")

    def to_json(self) -> dict[str, Any]:
        """`reports/gates.json`."""
        return {
            "passed": not self.failed,
            "release": self.release,
            "gates": [r.to_json() for r in self.results],
        }

    def check(self) -> GateReport:
        """Raise `GateFailed`, naming every gate missed with its threshold and value."""
        if self.failed:
            count = len(self.failed)
            lines = "; ".join(r.message for r in self.failed)
            raise GateFailed(
                f"{count} of {len(self.results)} quality gate(s) failed: {lines}."
                if count > 1
                else f"quality gate failed: {lines}."
            )
        return self


def judge(
    settings: GateSettings,
    metrics: Mapping[str, Any],
    *,
    slices: SliceReport | None = None,
    release: Release | None = None,
    released: Mapping[str, Any] | None = None,
    contributions: Contributions | None = None,
) -> GateReport:
    """Judge METRICS (metrics.json) against SETTINGS; RELEASED holds RELEASE's metrics.json.

    CONTRIBUTIONS (reports/features.json) is needed only when `min_contribution` is set.
    """
    results = [
        *_thresholds(settings, metrics),
        *_margins(settings, metrics),
        *_drops(settings, metrics, release, released),
        *_gaps(settings, slices),
        _contribution(settings, contributions),
    ]
    return GateReport(tuple(results), None if release is None else release.tag)


def check_gates(
    project: Path,
    *,
    output: Path | None = None,
    release: str | None = None,
    old_stage: bool = False,
) -> GateReport:
    """Judge the project's evaluation, writing the report to OUTPUT if given; then call `check`.

    Drops are measured against the release `last-release.json` records, or against RELEASE
    (a `vX.Y.Z` tag) read from git. OLD_STAGE: run as the `gates` stage of a dvc.yaml from
    before `--output`, which expects `reports/gates.json` written. The report is written even
    when gates fail, so the reader can see every result.
    """
    params = project_params(project)
    paths = params.get("paths") or {}
    if "metrics" not in paths or "reports" not in paths:
        raise ConfigError(f"{project / PARAMS_FILE}: missing 'paths.metrics' or 'paths.reports'.")
    settings = gate_settings(params)
    metrics_path = project / str(paths["metrics"])
    reports = project / str(paths["reports"])
    metrics = _read_metrics(metrics_path)
    slices = read_slices(reports / SLICES_FILE) if settings.sensitive else None
    last, released = None, None
    if release is not None:
        last = parse_release(release)
        if last is None:
            raise InvalidGates(f"--release {release!r}: not a release tag such as v1.2.0.")
        if not tags(project, release):
            raise InvalidGates(f"--release {release}: no such tag in this repository.")
        released = released_metrics(project, last, metrics_path)
    elif settings.max_drop:
        record = read_record(project)
        last, released = record.release, record.metrics
    contributions = None
    if settings.min_contribution is not None:
        contributions = read_contributions(reports / FEATURES_FILE)
    report = judge(
        settings,
        metrics,
        slices=slices,
        release=last,
        released=released,
        contributions=contributions,
    )
    if output is None and old_stage:
        output = reports / GATES_FILE
    if output is not None:
        write_text(output, json.dumps(report.to_json(), indent=2) + "\n")
    return report


def _thresholds(settings: GateSettings, metrics: Mapping[str, Any]) -> list[GateResult]:
    if not settings.minimum and not settings.maximum:
        return [_skipped("min/max", "no threshold declared (gates.min, gates.max)")]
    results = []
    for metric, threshold in settings.minimum.items():
        value = _own(metrics, metric, f"gates.min.{metric}")
        results.append(_compare(f"min {metric}", threshold, value, at_least=True))
    for metric, threshold in settings.maximum.items():
        value = _own(metrics, metric, f"gates.max.{metric}")
        results.append(_compare(f"max {metric}", threshold, value, at_least=False))
    return results


def _margins(settings: GateSettings, metrics: Mapping[str, Any]) -> list[GateResult]:
    metric = settings.margin_metric
    if not settings.margins or metric is None:
        return [_skipped("margin", "no reference model declared (gates.margin)")]
    results = []
    model = _own(metrics, metric, "gates.margin.metric")
    for reference, margin in settings.margins.items():
        section = metrics.get(reference)
        if not isinstance(section, Mapping):
            raise InvalidGates(
                f"gates.margin.{reference}: metrics.json has no {reference!r} section "
                "(the reference models are scored by the evaluate stage)."
            )
        other = _number_or_none(section.get(metric))
        name = f"margin over {reference}"
        if model is None or other is None:
            results.append(_undefined(name, margin, f"{metric} undefined"))
            continue
        value = round(settings.better(metric, model, other), 6)
        detail = f"(model {_fmt(model)}, {reference} {_fmt(other)})"
        results.append(
            _compare(name, margin, value, at_least=True, label=f"{name} in {metric}", detail=detail)
        )
    return results


def _drops(
    settings: GateSettings,
    metrics: Mapping[str, Any],
    release: Release | None,
    released: Mapping[str, Any] | None,
) -> list[GateResult]:
    if not settings.max_drop:
        return [_skipped("max drop", "nothing declared (gates.max_drop)")]
    if release is None:
        return [_skipped("max drop", f"no release yet (none recorded in {RECORD_FILE})")]
    if released is None:
        return [_skipped("max drop", f"{release.tag} has no committed metrics file")]
    results = []
    for metric, limit in settings.max_drop.items():
        now = _own(metrics, metric, f"gates.max_drop.{metric}")
        name = f"max drop in {metric}"
        then = _number_or_none(released.get(metric))
        if then is None:
            results.append(_skipped(name, f"{release.tag}'s metrics have no {metric}"))
            continue
        if now is None:
            results.append(_undefined(name, limit, f"{metric} undefined"))
            continue
        drop = round(-settings.better(metric, now, then), 6) + 0.0  # never -0.0
        detail = f"({release.tag} {_fmt(then)}, now {_fmt(now)})"
        label = f"{name} since {release.tag}"
        results.append(_compare(name, limit, drop, at_least=False, label=label, detail=detail))
    return results


def _gaps(settings: GateSettings, slices: SliceReport | None) -> list[GateResult]:
    metric = settings.gap_metric
    if not settings.sensitive or metric is None or slices is None:
        return [_skipped("max gap", "no sensitive column declared (inclusion.sensitive)")]
    results = []
    for column in settings.sensitive:
        gap = group_gap(slices, column, metric)
        name = f"max gap in {metric} across {column}"
        if gap.gap is None:
            reason = f"fewer than two groups of {column} with {slices.min_count}+ rows"
            results.append(_skipped(name, f"{reason} ({gap.describe()})"))
        elif settings.max_gap is None:
            results.append(_skipped(name, f"no limit declared (inclusion.max_gap); gap {gap.gap}"))
        else:
            detail = f"({gap.describe()})"
            results.append(_compare(name, settings.max_gap, gap.gap, at_least=False, detail=detail))
    return results


def _contribution(settings: GateSettings, report: Contributions | None) -> GateResult:
    """Every feature's ablation drop at least `min_contribution`; those below it are named."""
    name, threshold = "feature contribution", settings.min_contribution
    if threshold is None:
        return _skipped(name, "no threshold declared (gates.min_contribution)")
    if report is None or not report.features:
        return _skipped(name, "no features in reports/features.json")
    below = report.below(threshold)
    how = f"ablation drop in {report.metric}"
    if not below:
        least = min(report.features, key=lambda f: f.ablation_drop or 0.0)
        lowest = least.ablation_drop or 0.0
        detail = f"(every feature's {how}; lowest: {least.name})"
        message = f"{name} {_fmt(threshold)} <= value {_fmt(lowest)} {detail}"
        return GateResult(name, "passed", message, threshold, lowest)
    listed = ", ".join(f"{f.name} {_drop(f.ablation_drop)}" for f in below)
    worst = below[0].ablation_drop
    message = f"{name} {_fmt(threshold)} > value {_drop(worst)} ({how} below it: {listed})"
    return GateResult(name, "failed", message, threshold, worst)


def _drop(value: float | None) -> str:
    return "undefined" if value is None else _fmt(value)


def _compare(
    gate: str,
    threshold: float,
    value: float | None,
    *,
    at_least: bool,
    label: str | None = None,
    detail: str = "",
) -> GateResult:
    """VALUE must be at least (or at most) THRESHOLD: `min accuracy 0.9 > value 0.85`."""
    if value is None:
        return _undefined(gate, threshold, "value undefined")
    passed = value >= threshold if at_least else value <= threshold
    operator = ("<=" if passed else ">") if at_least else (">=" if passed else "<")
    message = f"{label or gate} {_fmt(threshold)} {operator} value {_fmt(value)} {detail}".strip()
    return GateResult(gate, "passed" if passed else "failed", message, threshold, value)


def _undefined(gate: str, threshold: float, why: str) -> GateResult:
    # A gate that cannot be measured fails: a skip here would let a broken metric through.
    return GateResult(gate, "failed", f"{gate} {_fmt(threshold)}: {why}", threshold, None)


def _skipped(gate: str, reason: str) -> GateResult:
    return GateResult(gate, "skipped", f"{gate}: skipped, {reason}")


def _own(metrics: Mapping[str, Any], metric: str, key: str) -> float | None:
    """The model's own METRIC; a name metrics.json does not have is a typo in KEY."""
    if metric not in metrics or isinstance(metrics[metric], Mapping):
        known = ", ".join(k for k, v in metrics.items() if not isinstance(v, Mapping))
        raise InvalidGates(f"{key}: metrics.json has no {metric!r} (it has: {known}).")
    return _number_or_none(metrics[metric])


def _number_or_none(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return None
    return float(value)


def _read_metrics(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise InvalidGates(f"{path} not found: the evaluate stage writes it; run `dvc repro`.")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise InvalidGates(f"{path}: cannot be read ({reason}); run `dvc repro`.") from None
    return parse_metrics(text, str(path))


def _fmt(value: float) -> str:
    return number(value)
