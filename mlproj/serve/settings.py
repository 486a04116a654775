"""The `serve:` block of params.yaml, read once and checked, with the template's defaults.

A project made before `mlproj serve` existed has no `serve:` block, or only some of its keys:
every key missing from params.yaml takes the value `conf/serve/default.yaml` ships with, so an
older project serves without editing anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlproj.errors import ConfigError
from mlproj.predictionlog.feedback import DEFAULT_FEEDBACK, DEFAULT_LOG

if TYPE_CHECKING:
    from mlproj.project.project import Project

# The template's conf/serve/default.yaml, for keys params.yaml does not have.
DEFAULTS: dict[str, Any] = {
    "host": "127.0.0.1",
    "port": 8000,
    "max_rows": 1000,
    "log": {
        "path": DEFAULT_LOG,
        "feedback": DEFAULT_FEEDBACK,
        "flush_rows": 1000,
        "flush_seconds": 5,
        "queue_rows": 100_000,
    },
    "latency": {"p50_ms": 50, "p95_ms": 200},
    "canary": {"share": 0.1, "seed": 0},
    "shadow": {
        "min_agreement": 0.9,
        "tolerance": 0.0,
        "max_metric_drop": 0.02,
        "max_latency_ratio": 2.0,
        "min_rows": 100,
    },
}


@dataclass(frozen=True)
class LogSettings:
    """Where the prediction log and the feedback go, and how the writer batches rows."""

    path: Path
    feedback: Path
    flush_rows: int
    flush_seconds: float
    queue_rows: int


@dataclass(frozen=True)
class LatencyBudget:
    """Per-request latency budgets `mlproj smoke` and `mlproj monitor` hold a service to."""

    p50_ms: float
    p95_ms: float


@dataclass(frozen=True)
class CanarySettings:
    """The share of requests a canary answers, and the seed that picks them."""

    share: float
    seed: int


@dataclass(frozen=True)
class ShadowGates:
    """When a candidate may replace the primary (`mlproj compare-versions`)."""

    min_agreement: float
    tolerance: float
    max_metric_drop: float
    max_latency_ratio: float
    min_rows: int


@dataclass(frozen=True)
class ServeSettings:
    """The whole `serve:` block, paths resolved against the project's root."""

    host: str
    port: int
    max_rows: int
    log: LogSettings
    latency: LatencyBudget
    canary: CanarySettings
    shadow: ShadowGates


def serve_settings(project: Project) -> ServeSettings:
    """PROJECT's `serve:` settings, the template's defaults filling what params.yaml lacks."""
    params = project.params
    block = params.get("serve")
    seed = params.get("seed", 0)
    return settings_from(block if isinstance(block, dict) else {}, project.root, seed=seed)


def settings_from(block: dict[str, Any], root: Path, *, seed: Any = 0) -> ServeSettings:
    """Settings from a `serve:` mapping BLOCK (missing keys defaulted); `ConfigError` names a key.

    SEED is the project's `seed`, the canary's when `serve.canary.seed` is absent.
    """
    read = _Reader(block)
    return ServeSettings(
        host=read.text("host"),
        port=read.integer("port", low=0, high=65535),
        max_rows=read.integer("max_rows", low=1),
        log=LogSettings(
            path=root / read.text("log.path"),
            feedback=root / read.text("log.feedback"),
            flush_rows=read.integer("log.flush_rows", low=1),
            flush_seconds=read.number("log.flush_seconds", above=0),
            queue_rows=read.integer("log.queue_rows", low=1),
        ),
        latency=LatencyBudget(
            p50_ms=read.number("latency.p50_ms", above=0),
            p95_ms=read.number("latency.p95_ms", above=0),
        ),
        canary=CanarySettings(
            share=read.number("canary.share", above=0, most=1),
            seed=read.integer("canary.seed", fallback=seed),
        ),
        shadow=ShadowGates(
            min_agreement=read.number("shadow.min_agreement", low=0, most=1),
            tolerance=read.number("shadow.tolerance", low=0),
            max_metric_drop=read.number("shadow.max_metric_drop", low=0),
            max_latency_ratio=read.number("shadow.max_latency_ratio", above=0),
            min_rows=read.integer("shadow.min_rows", low=1),
        ),
    )


class _Reader:
    """Reads dotted keys from the block, falling back to DEFAULTS, checking each value."""

    def __init__(self, block: dict[str, Any]) -> None:
        self.block = block

    def value(self, dotted: str, fallback: Any = None) -> Any:
        node: Any = self.block
        for key in dotted.split("."):
            if not isinstance(node, dict) or key not in node:
                return fallback if fallback is not None else _default(dotted)
            node = node[key]
        return node

    def text(self, dotted: str) -> str:
        value = self.value(dotted)
        if not isinstance(value, str) or not value:
            raise _bad(dotted, value, "a non-empty text")
        return value

    def integer(
        self, dotted: str, *, low: int | None = None, high: int | None = None, fallback: Any = None
    ) -> int:
        value = self.value(dotted, fallback)
        if isinstance(value, bool) or not isinstance(value, int):
            raise _bad(dotted, value, "a whole number")
        if (low is not None and value < low) or (high is not None and value > high):
            raise _bad(dotted, value, _range(low, high))
        return value

    def number(
        self,
        dotted: str,
        *,
        low: float | None = None,
        above: float | None = None,
        most: float | None = None,
    ) -> float:
        value = self.value(dotted)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _bad(dotted, value, "a number")
        if low is not None and value < low:
            raise _bad(dotted, value, f"at least {low}")
        if above is not None and value <= above:
            raise _bad(dotted, value, f"above {above}")
        if most is not None and value > most:
            raise _bad(dotted, value, f"at most {most}")
        return float(value)


def _default(dotted: str) -> Any:
    node: Any = DEFAULTS
    for key in dotted.split("."):
        node = node[key]
    return node


def _range(low: int | None, high: int | None) -> str:
    if high is None:
        return f"at least {low}"
    return f"from {low} to {high}"


def _bad(dotted: str, value: Any, expected: str) -> ConfigError:
    return ConfigError(f"params.yaml: 'serve.{dotted}' must be {expected}, not {value!r}.")
