"""What `mlproj monitor` reads from `params.yaml`: the `monitor` group and a few `serve` keys.

Projects made before `mlproj serve` have no `monitor:` or `serve:` block, and projects made
before a key was added lack that key: every missing one takes the template's default (the
values of conf/monitor/default.yaml and conf/serve/default.yaml), so an older project is
monitored the same way a new one is. A key that is present is checked where it is read.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlproj.errors import ConfigError
from mlproj.predictionlog.feedback import DEFAULT_FEEDBACK, DEFAULT_LOG
from mlproj.serve.settings import settings_from

SHARES = (
    "max_refused_share",
    "max_nan_share",
    "max_missing_increase",
    "max_quality_drop",
    "max_skew_share",
)
COUNTS = ("window_days", "min_labelled", "max_age_days", "review_sample", "seed", "min_requests")


@dataclass(frozen=True)
class MonitorSettings:
    """The thresholds and paths one monitor run holds the log to (template defaults)."""

    window_days: int = 7
    max_refused_share: float = 0.01
    max_nan_share: float = 0.0
    max_missing_increase: float = 0.05
    max_quality_drop: float = 0.05
    min_labelled: int = 30
    max_age_days: int = 180
    max_skew_share: float = 0.0
    review_sample: int = 50
    seed: int = 0
    # A scheduled check of a service that received nothing is worth an alert: it is down, or
    # its traffic went elsewhere. 0 makes an empty window a pass (a service used now and then).
    min_requests: int = 1
    log: str = DEFAULT_LOG
    feedback: str = DEFAULT_FEEDBACK
    latency_p95_ms: float = 200.0

    def to_json(self) -> dict[str, Any]:
        """The settings as `monitor.json` records them."""
        return dataclasses.asdict(self)


def monitor_settings(params: Mapping[str, Any], *, source: str) -> MonitorSettings:
    """Read `monitor` and `serve` from composed PARAMS; SOURCE names the file in messages."""
    monitor = _mapping(params.get("monitor"), f"{source}: monitor")
    known = {f.name for f in dataclasses.fields(MonitorSettings)} - {"log", "feedback"}
    known -= {"latency_p95_ms"}
    for key in monitor:
        if key not in known:
            raise ConfigError(
                f"{source}: monitor: unknown key {key!r} (expected {', '.join(sorted(known))})"
            )
    values: dict[str, Any] = {}
    if "seed" not in monitor and isinstance(params.get("seed"), int):
        values["seed"] = params["seed"]
    for name in SHARES:
        if name in monitor:
            values[name] = _share(monitor[name], f"{source}: monitor.{name}")
    for name in COUNTS:
        if name in monitor:
            values[name] = _count(monitor[name], f"{source}: monitor.{name}")
    if values.get("window_days", 1) < 1:
        raise ConfigError(f"{source}: monitor.window_days: 0 is below 1 (one day at least)")
    # The log's folders and the latency budget are `mlproj serve`'s: read as it reads them.
    serve = settings_from(dict(_mapping(params.get("serve"), f"{source}: serve")), Path())
    values["log"] = serve.log.path.as_posix()
    values["feedback"] = serve.log.feedback.as_posix()
    values["latency_p95_ms"] = serve.latency.p95_ms
    return MonitorSettings(**values)


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}: expected a mapping, got {type(value).__name__}")
    return value


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{where}: {value!r} is not a number")
    return float(value)


def _share(value: Any, where: str) -> float:
    number = _number(value, where)
    if not 0 <= number <= 1:
        raise ConfigError(f"{where}: {value!r} is not between 0 and 1")
    return number


def _count(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{where}: {value!r} is not a whole number")
    if value < 0:
        raise ConfigError(f"{where}: {value!r} is negative")
    return value
