"""A declared hyper-parameter sweep: conf/sweep/default.yaml queued as DVC experiments, tabled."""

from __future__ import annotations

from mlproj.sweep.plan import SWEEP_FILE, SweepPlan, override_value, read_plan
from mlproj.sweep.run import SweepResult, queue_status, run_sweep
from mlproj.sweep.table import SWEEP_CSV, SWEEP_MD, SweepRow, sweep_rows, to_csv, to_markdown

__all__ = [
    "SWEEP_CSV",
    "SWEEP_FILE",
    "SWEEP_MD",
    "SweepPlan",
    "SweepResult",
    "SweepRow",
    "override_value",
    "queue_status",
    "read_plan",
    "run_sweep",
    "sweep_rows",
    "to_csv",
    "to_markdown",
]
