"""The service's Prometheus metrics, in a registry of its own per app.

A registry per app (not prometheus-client's global one) lets tests build many apps in one
process, and keeps a host application's own metrics apart. The log writer's counters are read
when `/metrics` is scraped, so the writer knows nothing of Prometheus.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mlproj.predictionlog.writer import LogWriter
    from mlproj.serve.model import Scored, ServedModel

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Metrics:
    """The counters and histograms `/predict` updates, and their text for `/metrics`."""

    def __init__(self, primary: ServedModel, writer: LogWriter | None) -> None:
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "mlproj_requests", "POST /predict requests, by HTTP status.", ["status"],
            registry=self.registry,
        )  # fmt: skip
        self.errors = Counter(
            "mlproj_request_errors",
            "POST /predict requests not answered, by reason (contract, missing_feature, "
            "malformed_json, bad_body, empty, too_many_rows, model_error, shadow_error).",
            ["reason"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "mlproj_request_latency_seconds", "Time to answer a POST /predict request.",
            registry=self.registry,
        )  # fmt: skip
        self.classification = primary.task == "classification"
        if self.classification:
            self.predictions: Any = Counter(
                "mlproj_predictions", "Rows scored, by model version and predicted class.",
                ["model_version", "prediction"], registry=self.registry,
            )  # fmt: skip
        else:
            self.predictions = Histogram(
                "mlproj_prediction_value", "Predicted values, by model version.",
                ["model_version"], registry=self.registry,
            )  # fmt: skip
        info = Gauge(
            "mlproj_model_info", "The primary model: its version and commit (always 1).",
            ["model_version", "commit"], registry=self.registry,
        )  # fmt: skip
        info.labels(primary.version, primary.commit or "").set(1)
        if writer is not None:
            self.registry.register(_WriterCollector(writer))

    def answered(self, status: int, seconds: float) -> None:
        """Count a /predict request and its time."""
        self.requests.labels(str(status)).inc()
        self.latency.observe(seconds)

    def refused(self, reason: str) -> None:
        """Count a /predict request that got no predictions, by why."""
        self.errors.labels(reason).inc()

    def scored(self, scored: Scored) -> None:
        """Count each row a model scored (shadows included, under their own version)."""
        for value in scored.predictions:
            if value is None:
                continue
            if self.classification:
                self.predictions.labels(scored.version, str(value)).inc()
            else:
                self.predictions.labels(scored.version).observe(float(value))

    def text(self) -> bytes:
        """The registry in Prometheus' text format."""
        from prometheus_client import generate_latest

        return generate_latest(self.registry)


class _WriterCollector:
    """The log writer's row counters, read at scrape time."""

    def __init__(self, writer: LogWriter) -> None:
        self.writer = writer

    def describe(self) -> list[Any]:
        return []  # nothing to check at registration; names are fixed below

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import CounterMetricFamily

        yield CounterMetricFamily(
            "mlproj_log_rows_written", "Rows written to the prediction log.",
            value=self.writer.written,
        )  # fmt: skip
        yield CounterMetricFamily(
            "mlproj_log_rows_dropped",
            "Rows the prediction log dropped: its queue was full (serve.log.queue_rows).",
            value=self.writer.dropped,
        )
        yield CounterMetricFamily(
            "mlproj_log_rows_failed", "Rows lost because a write to the prediction log failed.",
            value=self.writer.failed,
        )  # fmt: skip
