"""Where a stage's parallel work runs: here (`local`) or on an existing Dask cluster (`dask`).

A stage opens `compute(cfg, stage=...)` around its work; inside it, scikit-learn's `n_jobs`
work goes through joblib to the cluster, `Compute.run` and `parallel_map` send the project's
own functions there (its code by value), and the stage's report (reports/compute/STAGE.json)
records the scheduler, the workers and the tasks each ran. `validate_table` checks a table
against the data contract in parts (a partitioned Parquet folder, a CSV in blocks), on the
cluster's workers when there is one, with the same report and result as a check of the whole.
"""

from __future__ import annotations

from mlproj.compute.cluster import Compute, compute, parallel_map
from mlproj.compute.frames import dask_frame, validate_table
from mlproj.compute.settings import ComputeSettings, compute_settings

__all__ = [
    "Compute",
    "ComputeSettings",
    "compute",
    "compute_settings",
    "dask_frame",
    "parallel_map",
    "validate_table",
]
