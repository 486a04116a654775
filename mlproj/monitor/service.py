"""Checks on the service itself: traffic, requests the contract refused, latency.

Counted per request, as a client sees them: a request is refused when its rows were (the
contract refuses a whole request with 422), and its latency is the one its rows share.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlproj._core.text import number, percent
from mlproj.monitor.check import Check, alert, judged, ok, skipped
from mlproj.monitor.window import REFUSED
from mlproj.predictionlog.schema import LATENCY_MS, REQUEST_ID, ROLE

if TYPE_CHECKING:
    from mlproj.monitor.settings import MonitorSettings
    from mlproj.monitor.window import LogWindow

TRAFFIC, REFUSED_CHECK, LATENCY = "traffic", "refused", "latency"


def traffic(window: LogWindow, settings: MonitorSettings) -> Check:
    """Alert when fewer than `min_requests` requests reached the log in the window."""
    count, least = window.request_count, settings.min_requests
    days = f"{window.since} to {window.until}"
    if count < least:
        return alert(
            TRAFFIC,
            f"{count} request(s) logged from {days}, fewer than min_requests {least}: "
            "the service is down, its log is not reaching this job, or its traffic went elsewhere",
            count,
            least,
        )
    if count == 0:
        return ok(TRAFFIC, f"no request logged from {days}; min_requests is 0", 0, 0)
    return ok(TRAFFIC, f"{number(count)} request(s) logged from {days}", count, least)


def refused(window: LogWindow, settings: MonitorSettings) -> Check:
    """Alert when the share of requests the data contract refused passes `max_refused_share`."""
    total = window.request_count
    if total == 0:
        return skipped(REFUSED_CHECK, "no request in the window")
    rows = window.requests
    bad = rows[rows[ROLE] == REFUSED][REQUEST_ID].nunique()
    share = bad / total
    return judged(
        REFUSED_CHECK,
        share,
        settings.max_refused_share,
        f"{bad} of {total} request(s) refused by the data contract ({percent(share)}; "
        f"limit {percent(settings.max_refused_share)})",
    )


def latency(window: LogWindow, settings: MonitorSettings) -> Check:
    """Alert when the answered requests' p95 latency passes `serve.latency.p95_ms`."""
    answered = window.answered
    if answered.empty:
        return skipped(LATENCY, "no answered request in the window")
    per_request = answered.groupby(REQUEST_ID)[LATENCY_MS].max().dropna()
    if per_request.empty:
        return skipped(LATENCY, "the log holds no latency")
    p95 = float(per_request.quantile(0.95))
    budget = settings.latency_p95_ms
    return judged(
        LATENCY,
        p95,
        budget,
        f"p95 {number(p95)} ms over {len(per_request)} answered request(s) "
        f"(budget {number(budget)} ms)",
    )
