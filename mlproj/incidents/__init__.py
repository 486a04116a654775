"""Production incidents kept as regression tests: recorded, judged, and marked fixed.

`commands` holds what `mlproj add-regression` and `mlproj regression ...` do; `suite` judges a
model against every incident; `store` reads and writes the incident folders; `fromlog` makes
logged requests an incident (`add-regression --from-log`).
"""

from __future__ import annotations

from mlproj.incidents.commands import (
    add_regression,
    check_suite,
    fix_incident,
    list_incidents,
    run_suite,
)
from mlproj.incidents.expectations import Expectation
from mlproj.incidents.fromlog import add_regression_from_log
from mlproj.incidents.incident import Incident
from mlproj.incidents.suite import SuiteResult, evaluate

__all__ = [
    "Expectation",
    "Incident",
    "SuiteResult",
    "add_regression",
    "add_regression_from_log",
    "check_suite",
    "evaluate",
    "fix_incident",
    "list_incidents",
    "run_suite",
]
