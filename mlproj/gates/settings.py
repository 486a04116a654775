"""The quality gates a project declares in `conf/gates/` and `conf/inclusion/`, validated once.

Every field is checked where it is read, so a typo or a wrong type is refused with the dotted
key to fix (`gates.min.accuracy: expected a number, got 'high'`) before any gate is judged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mlproj.errors import InvalidGates

MARGIN_METRIC = "metric"
# Not a reference model: how much a margin widens for the noise of a test set of n rows.
MARGIN_NOISE = "noise"


@dataclass(frozen=True)
class GateSettings:
    """What must hold for a model to pass; an empty field is a gate not declared.

    `margins` maps a reference model's section of metrics.json (`baseline`, `simple`) to how
    far the model must beat it on `margin_metric`; a negative margin lets it trail by that much.
    On a test set of n rows each margin is lowered by `margin_noise / sqrt(n)`: a difference
    that size between two models scored on the same few rows is noise, not a verdict.
    `slice_floor` is the least `slice_metric` any slice may score, `slice_max_gap` how far
    below the whole test set it may fall (`gates.slices`; tiny slices are never judged).
    """

    minimum: Mapping[str, float] = field(default_factory=dict)
    maximum: Mapping[str, float] = field(default_factory=dict)
    margin_metric: str | None = None
    margins: Mapping[str, float] = field(default_factory=dict)
    margin_noise: float = 0.0
    max_drop: Mapping[str, float] = field(default_factory=dict)
    lower_is_better: frozenset[str] = frozenset()
    sensitive: tuple[str, ...] = ()
    gap_metric: str | None = None
    max_gap: float | None = None
    slice_metric: str | None = None
    slice_floor: float | None = None
    slice_max_gap: float | None = None
    # Each feature's ablation drop (reports/features.json) must be at least this; None: no gate.
    min_contribution: float | None = None

    def better(self, metric: str, new: float, old: float) -> float:
        """How much better NEW is than OLD on METRIC: positive is better, whatever the direction."""
        return old - new if metric in self.lower_is_better else new - old


def gate_settings(params: Mapping[str, Any]) -> GateSettings:
    """Read `gates` and `inclusion` from composed params; both may be absent (nothing gated)."""
    gates = _mapping(params.get("gates"), "gates")
    inclusion = _mapping(params.get("inclusion"), "inclusion")
    margin = _mapping(gates.get("margin"), "gates.margin")
    margins = {
        str(name): _number(value, f"gates.margin.{name}")
        for name, value in margin.items()
        if name not in (MARGIN_METRIC, MARGIN_NOISE) and value is not None
    }
    noise = margin.get(MARGIN_NOISE)
    margin_metric = _name(margin.get(MARGIN_METRIC), "gates.margin.metric")
    if margins and margin_metric is None:
        raise InvalidGates("gates.margin.metric: name the metric the margins are measured on.")
    sensitive = inclusion.get("sensitive") or []
    if not isinstance(sensitive, list) or not all(isinstance(c, str) for c in sensitive):
        raise InvalidGates(
            f"inclusion.sensitive: expected a list of column names, got {sensitive!r}"
        )
    gap_metric = _name(inclusion.get("metric"), "inclusion.metric")
    if sensitive and gap_metric is None:
        raise InvalidGates("inclusion.metric: name the metric compared across groups.")
    max_gap = inclusion.get("max_gap")
    slices = _mapping(gates.get("slices"), "gates.slices")
    floor, below = slices.get("floor"), slices.get("max_gap_below_whole")
    slice_metric = _name(slices.get("metric"), "gates.slices.metric") or margin_metric
    if (floor is not None or below is not None) and slice_metric is None:
        raise InvalidGates("gates.slices.metric: name the metric slices are judged on.")
    contribution = gates.get("min_contribution")
    return GateSettings(
        minimum=_thresholds(gates.get("min"), "gates.min"),
        maximum=_thresholds(gates.get("max"), "gates.max"),
        margin_metric=margin_metric,
        margins=margins,
        margin_noise=0.0 if noise is None else _positive(noise, "gates.margin.noise"),
        max_drop=_thresholds(gates.get("max_drop"), "gates.max_drop"),
        lower_is_better=frozenset(_names(gates.get("lower_is_better"), "gates.lower_is_better")),
        sensitive=tuple(sensitive),
        gap_metric=gap_metric,
        max_gap=None if max_gap is None else _number(max_gap, "inclusion.max_gap"),
        # The metric slices are judged on defaults to the margins': one number to read.
        slice_metric=slice_metric,
        slice_floor=None if floor is None else _number(floor, "gates.slices.floor"),
        slice_max_gap=None if below is None else _number(below, "gates.slices.max_gap_below_whole"),
        min_contribution=(
            None if contribution is None else _number(contribution, "gates.min_contribution")
        ),
    )


def _mapping(value: Any, key: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidGates(f"{key}: expected a mapping, got {value!r}")
    return value


def _thresholds(value: Any, key: str) -> dict[str, float]:
    return {
        str(metric): _number(threshold, f"{key}.{metric}")
        for metric, threshold in _mapping(value, key).items()
    }


def _number(value: Any, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidGates(f"{key}: expected a number, got {value!r}")
    return float(value)


def _positive(value: Any, key: str) -> float:
    number = _number(value, key)
    if number < 0:
        raise InvalidGates(f"{key}: expected a number of at least 0, got {value!r}")
    return number


def _name(value: Any, key: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise InvalidGates(f"{key}: expected a metric name, got {value!r}")
    return value


def _names(value: Any, key: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidGates(f"{key}: expected a list of metric names, got {value!r}")
    return value
