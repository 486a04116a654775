"""Where a stage's parallel work runs: here (`local`) or on an existing Dask cluster (`dask`).

A stage opens `compute(cfg, stage=...)` around its work; inside it, scikit-learn's `n_jobs`
work goes through joblib to the cluster, `Compute.run` and `parallel_map` send the project's
own functions there (its code by value), and the stage's report (reports/compute/STAGE.json)
records the scheduler, the workers and the tasks each ran.
"""

from __future__ import annotations

from mlproj.compute.cluster import Compute, compute, parallel_map
from mlproj.compute.settings import ComputeSettings, compute_settings

__all__ = ["Compute", "ComputeSettings", "compute", "compute_settings", "parallel_map"]
