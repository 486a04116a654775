"""Quality gates: the evaluated model must meet what the project declares, or the pipeline stops.

Four kinds, from the ML Test Score: thresholds on the model's own metrics (`gates.min`,
`gates.max`); a margin over the reference models `evaluate` scores beside it (a trivial
baseline, a simple model: "a simpler model is not better"); at most a given drop against the
last released model, whose metrics `last-release.json` records (a declared input of the stage,
so a later tag never changes what a commit gives); at most a given gap in a metric between
groups of a sensitive column (`inclusion`); for every sliced column, no slice below a floor
or too far below the whole test set (`gates.slices`); and each feature paying for itself:
its ablation drop in reports/features.json at least `gates.min_contribution`. A kind with
nothing declared, or nothing to compare with yet, is skipped and says why, so a skip is
never mistaken for a pass; a report where every gate was skipped has the status "nothing
checked", never "passed".

`judge` is pure, for tests and other callers; `check_gates` reads the project's files and
returns; given an output it writes the report there (the stage writes `reports/gates.json`,
deterministic: no times, so it is committed and diffed). Without one it writes nothing, so a
check by hand never leaves a DVC output changed behind the pipeline's back.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
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
from mlproj.gates.slices import SLICES_FILE, Slice, SliceReport, group_gap, read_slices
from mlproj.project.params import PARAMS_FILE, project_params

GATES_FILE = "gates.json"
Status = Literal["passed", "failed", "skipped"]
# What a whole report says; "nothing checked" when every gate was skipped.
Verdict = Literal["passed", "failed", "nothing checked"]


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

    @property
    def status(self) -> Verdict:
        """Failed if any gate failed; "nothing checked" if every gate was skipped; else passed."""
        return report_status(r.status for r in self.results)

    def to_json(self) -> dict[str, Any]:
        """`reports/gates.json`; `passed` (for older readers) is false when nothing was checked."""
        checked = sum(r.status != "skipped" for r in self.results)
        return {
            "status": self.status,
            "passed": self.status == "passed",
            "checked": checked,
            "skipped": len(self.results) - checked,
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


def report_status(statuses: Iterable[str]) -> Verdict:
    """What a report of gates with STATUSES says as a whole."""
    seen = set(statuses)
    if "failed" in seen:
        return "failed"
    return "passed" if "passed" in seen else "nothing checked"


def verdict(statuses: Iterable[str]) -> str:
    """The line a reader sees: `passed (3 checked, 2 skipped)`, `nothing checked (4 skipped)`."""
    listed = list(statuses)
    skipped = listed.count("skipped")
    checked = len(listed) - skipped
    status = report_status(listed)
    if status == "nothing checked":
        return f"nothing checked ({skipped} skipped)"
    if status == "failed":
        return f"failed ({listed.count('failed')} of {checked} checked, {skipped} skipped)"
    return f"passed ({checked} checked, {skipped} skipped)"


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
        *_margins(settings, metrics, None if slices is None else slices.rows),
        *_drops(settings, metrics, release, released),
        *_gaps(settings, slices),
        *_slice_gates(settings, metrics, slices),
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
    judged = settings.sensitive or _slice_limits(settings)
    # Margins only need the test set's size, which a report from an older evaluate lacks.
    sized = settings.margin_noise and (reports / SLICES_FILE).is_file()
    slices = read_slices(reports / SLICES_FILE) if judged or sized else None
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


def _margins(
    settings: GateSettings, metrics: Mapping[str, Any], rows: int | None
) -> list[GateResult]:
    metric = settings.margin_metric
    if not settings.margins or metric is None:
        return [_skipped("margin", "no reference model declared (gates.margin)")]
    slack = 0.0
    if rows and settings.margin_noise:
        # Two models scored on the same n rows differ by about noise/sqrt(n) by chance alone.
        slack = round(settings.margin_noise / math.sqrt(rows), 4)
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
        detail = f"model {_fmt(model)}, {reference} {_fmt(other)}"
        threshold = round(margin - slack, 6)
        if slack:
            detail += f"; {_fmt(margin)} less {_fmt(slack)} for noise on {rows} test rows"
        if margin >= 0 > threshold:
            # Noise may excuse a missing lead, never a loss: the model must at least match.
            threshold = 0.0
            detail += ", not below 0"
        label = f"{name} in {metric}"
        results.append(
            _compare(name, threshold, value, at_least=True, label=label, detail=f"({detail})")
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


def failed_gates(report: Path) -> tuple[str, ...]:
    """The messages of the gates REPORT (a `gates.json`) says failed; () if none or unreadable.

    For a caller that ran the pipeline and must tell a missed gate from another failure.
    """
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
        return tuple(str(g["message"]) for g in data["gates"] if g["status"] == "failed")
    except (OSError, ValueError, KeyError, TypeError):
        return ()


def _slice_limits(settings: GateSettings) -> list[tuple[str, float]]:
    limits = [("slice floor", settings.slice_floor), ("slice gap", settings.slice_max_gap)]
    return [(gate, limit) for gate, limit in limits if limit is not None]


def _slice_gates(
    settings: GateSettings, metrics: Mapping[str, Any], slices: SliceReport | None
) -> list[GateResult]:
    """No slice below the floor, none further below the whole test set than the gap.

    Tiny slices (conf/slices `min_count`) and slices where the metric is undefined are left
    out and named: a score on a handful of rows is noise, so it is shown, never gated.
    """
    metric = settings.slice_metric
    limits = _slice_limits(settings)
    if not limits or metric is None:
        return [_skipped("slice floor/gap", "nothing declared (gates.slices)")]
    columns = slices.columns if slices is not None else {}
    if not columns:
        return [
            _skipped(gate, "no slice column declared (conf/slices columns)") for gate, _ in limits
        ]
    assert slices is not None
    whole = _own(metrics, metric, "gates.slices.metric")
    results = []
    for column, items in columns.items():
        judged = [s for s in items if not s.tiny and s.score(metric) is not None]
        left_out = [
            f"{s.value} ({'tiny' if s.tiny else 'undefined'})" for s in items if s not in judged
        ]
        if not judged:
            why = f"no slice of {column} with {slices.min_count}+ rows and {metric} defined"
            results += [_skipped(f"{gate} across {column}", why) for gate, _ in limits]
            continue
        worst = min(judged, key=lambda s: settings.better(metric, _slice_score(s, metric), 0.0))
        low = _slice_score(worst, metric)
        shown = f"{worst.value} {_fmt(low)}, the worst of {len(judged)}"
        if left_out:
            shown += f"; left out: {', '.join(left_out)}"
        for gate, limit in limits:
            label = f"{gate} in {metric} across {column}"
            if gate == "slice floor":
                at_least = metric not in settings.lower_is_better
                results.append(
                    _compare(gate, limit, low, at_least=at_least, label=label, detail=f"({shown})")
                )
            elif whole is None:
                results.append(_undefined(gate, limit, f"{metric} undefined on the whole test set"))
            else:
                results.append(_slice_gap(settings, metric, column, limit, whole, judged, left_out))
    return results


def _slice_gap(
    settings: GateSettings,
    metric: str,
    column: str,
    limit: float,
    whole: float,
    judged: list[Slice],
    left_out: list[str],
) -> GateResult:
    """The slice furthest below the whole, each allowed the noise of its own row count."""

    def slack(item: Slice) -> float:
        return round(settings.margin_noise / math.sqrt(item.count), 4)

    def below(item: Slice) -> float:
        return round(settings.better(metric, whole, _slice_score(item, metric)), 6) + 0.0

    worst = max(judged, key=lambda item: below(item) - slack(item))
    extra = slack(worst)
    score = _fmt(_slice_score(worst, metric))
    detail = f"whole {_fmt(whole)}, {worst.value} {score}, the worst of {len(judged)}"
    if extra:
        detail += f"; {_fmt(limit)} plus {_fmt(extra)} for noise on {worst.count} rows"
    if left_out:
        detail += f"; left out: {', '.join(left_out)}"
    label = f"slice gap in {metric} across {column}"
    threshold = round(limit + extra, 6)
    return _compare(
        "slice gap", threshold, below(worst), at_least=False, label=label, detail=f"({detail})"
    )


def _slice_score(item: Slice, metric: str) -> float:
    value = item.score(metric)
    assert value is not None  # only slices with a score are judged
    return value


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
