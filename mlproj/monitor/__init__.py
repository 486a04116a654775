"""`mlproj monitor`: watch a served model through its prediction log, and alert.

`settings` reads conf/monitor, `window` reads the log's days and joins the labels, `service`
checks traffic, refusals and latency, `inputs` NaN/inf, missing values and input drift (with
`mlproj.drift`), `model` the served version's age, prediction drift and train/serve skew,
`quality` labelled rows against the release's metrics; `sample` exports rows for people to
read, `report` renders the page, `run` does it all.
"""

from __future__ import annotations

from mlproj.monitor.check import Check, MonitorResult
from mlproj.monitor.run import monitor
from mlproj.monitor.settings import MonitorSettings, monitor_settings

__all__ = ["Check", "MonitorResult", "MonitorSettings", "monitor", "monitor_settings"]
