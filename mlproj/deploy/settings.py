"""What `conf/serve` holds a deployment to: the latency budget and the shadow/canary gates.

Read from the composed `params.yaml` (`serve:`), each key falling back to the template's
default when it is missing, so a project made before `conf/serve` existed still works. A value
of the wrong type is refused with the dotted key to fix.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mlproj.errors import ConfigError

# The template's conf/serve/default.yaml: what an older project, without that file, gets.
DEFAULT_P50_MS = 50.0
DEFAULT_P95_MS = 200.0
DEFAULT_MAX_ROWS = 1000
DEFAULT_SHADOW: dict[str, float] = {
    "min_agreement": 0.9,
    "tolerance": 0.0,
    "max_metric_drop": 0.02,
    "max_latency_ratio": 2.0,
    "min_rows": 100,
}


@dataclass(frozen=True)
class LatencyBudget:
    """Milliseconds a request may take, at the median and the 95th percentile."""

    p50_ms: float = DEFAULT_P50_MS
    p95_ms: float = DEFAULT_P95_MS


@dataclass(frozen=True)
class ShadowGates:
    """When a shadow or canary version may replace the primary (`serve.shadow`)."""

    min_agreement: float = DEFAULT_SHADOW["min_agreement"]
    tolerance: float = DEFAULT_SHADOW["tolerance"]
    max_metric_drop: float = DEFAULT_SHADOW["max_metric_drop"]
    max_latency_ratio: float = DEFAULT_SHADOW["max_latency_ratio"]
    min_rows: int = int(DEFAULT_SHADOW["min_rows"])


def latency_budget(params: Mapping[str, Any]) -> LatencyBudget:
    """`serve.latency` from composed params; absent keys take the template's defaults."""
    latency = _block(params, "latency")
    return LatencyBudget(
        p50_ms=_number(latency, "p50_ms", "serve.latency", DEFAULT_P50_MS, positive=True),
        p95_ms=_number(latency, "p95_ms", "serve.latency", DEFAULT_P95_MS, positive=True),
    )


def max_rows(params: Mapping[str, Any]) -> int:
    """`serve.max_rows`: the most rows the service takes in one request."""
    value = _number(_serve(params), "max_rows", "serve", DEFAULT_MAX_ROWS, positive=True)
    return max(int(value), 1)


def shadow_gates(params: Mapping[str, Any]) -> ShadowGates:
    """`serve.shadow` from composed params; absent keys take the template's defaults."""
    block = _block(params, "shadow")
    values = {
        key: _number(block, key, "serve.shadow", default) for key, default in DEFAULT_SHADOW.items()
    }
    if values["min_agreement"] > 1:
        raise ConfigError(
            f"serve.shadow.min_agreement: a share between 0 and 1, not {values['min_agreement']:g}."
        )
    return ShadowGates(
        min_agreement=values["min_agreement"],
        tolerance=values["tolerance"],
        max_metric_drop=values["max_metric_drop"],
        max_latency_ratio=values["max_latency_ratio"],
        min_rows=max(int(values["min_rows"]), 1),
    )


def _serve(params: Mapping[str, Any]) -> Mapping[str, Any]:
    serve = params.get("serve")
    if serve is None:
        return {}
    if not isinstance(serve, Mapping):
        raise ConfigError(f"serve: expected a mapping, got {type(serve).__name__}.")
    return serve


def _block(params: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    block = _serve(params).get(name)
    if block is None:
        return {}
    if not isinstance(block, Mapping):
        raise ConfigError(f"serve.{name}: expected a mapping, got {type(block).__name__}.")
    return block


def _number(
    block: Mapping[str, Any], key: str, where: str, default: float, *, positive: bool = False
) -> float:
    value = block.get(key, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(f"{where}.{key}: expected a number, got {value!r}.")
    if value < 0 or (positive and value == 0):
        bound = "above 0" if positive else "0 or more"
        raise ConfigError(f"{where}.{key}: expected a number {bound}, got {value!r}.")
    return float(value)
