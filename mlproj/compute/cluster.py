"""The `compute` context a stage runs its parallel work in, and the record of what ran where.

Local runs pass `n_jobs` to scikit-learn. Dask runs connect to the scheduler at
`compute.address`, route joblib (scikit-learn's `n_jobs` work) to the cluster through joblib's
Dask backend with every core it has, and watch the scheduler's task stream, so the stage's
report names the workers that did the work and how many tasks each ran.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from mlproj._core.atomic import write_text
from mlproj.compute.settings import ComputeSettings, compute_settings
from mlproj.errors import ComputeFailed, ComputeUnavailable

REPORTS = Path("reports") / "compute"
T = TypeVar("T")


@dataclass
class Compute:
    """Where a stage's parallel work runs; pass `n_jobs` to scikit-learn, `run` for one task."""

    settings: ComputeSettings
    stage: str
    n_jobs: int
    client: Any | None = None
    tasks: Counter[str] = field(default_factory=Counter)

    def run(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """FUNCTION(*ARGS) as one task on the cluster, or here when running locally."""
        if self.client is None:
            return function(*args, **kwargs)
        future = self.client.submit(function, *args, pure=False, **kwargs)
        result: T = future.result()
        return result

    def record(self) -> dict[str, Any]:
        """What ran where: the backend, and for Dask the scheduler and each worker's tasks."""
        if self.client is None:
            return {"stage": self.stage, "backend": "local", "n_jobs": self.n_jobs}
        return {
            "stage": self.stage,
            "backend": "dask",
            "scheduler": self.settings.address,
            "workers": dict(sorted(self.tasks.items())),
            "tasks": sum(self.tasks.values()),
        }


@contextmanager
def compute(
    params: Mapping[str, Any], *, stage: str, reports: Path | None = REPORTS
) -> Iterator[Compute]:
    """Run the block with PARAMS' `compute` group; write reports/compute/STAGE.json after it.

    `ComputeUnavailable` when the scheduler cannot be reached or has no workers, naming its
    address; `ComputeFailed` when the cluster loses the work (a worker dying on every retry).
    """
    settings = compute_settings(params)
    if settings.backend == "local":
        where = Compute(settings, stage, n_jobs=settings.n_jobs)
        yield where
    else:
        with _on_cluster(settings, stage) as where:
            yield where
    if reports is not None:
        write_text(reports / f"{stage}.json", json.dumps(where.record(), indent=2) + "\n")


@contextmanager
def _on_cluster(settings: ComputeSettings, stage: str) -> Iterator[Compute]:
    import joblib
    from distributed import Client, KilledWorker, get_task_stream
    from distributed.comm.core import CommClosedError

    address = str(settings.address)
    try:
        client = Client(address, timeout=settings.timeout)  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError) as exc:
        raise ComputeUnavailable(
            f"cannot reach the Dask scheduler at {address} within {settings.timeout:g} s "
            f"({_reason(exc)}); start it (`dask scheduler`), fix compute.address, "
            "or run here with -S compute=local"
        ) from None
    with ExitStack() as stack:
        stack.callback(client.close)
        try:
            client.wait_for_workers(1, timeout=settings.timeout)
        except (OSError, TimeoutError):
            raise ComputeUnavailable(
                f"the Dask scheduler at {address} has no workers after {settings.timeout:g} s; "
                f"start some with `dask worker {address}`"
            ) from None
        where = Compute(settings, stage, n_jobs=-1, client=client)
        try:
            # The stream is read when its block ends, so it closes before the tasks are counted.
            with get_task_stream(client) as stream, joblib.parallel_config(backend="dask"):
                yield where
        except (KilledWorker, CommClosedError) as exc:
            raise ComputeFailed(
                f"the Dask cluster at {address} lost the work of stage {stage!r} ({_reason(exc)}); "
                "nothing was written: run `dvc repro` again once the cluster is healthy"
            ) from None
        where.tasks.update(task.get("worker", "?") for task in stream.data)


def _reason(exc: BaseException) -> str:
    """The first line of EXC's message, or its type's name when it has none."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
