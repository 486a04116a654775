"""The `compute` context a stage runs its parallel work in, and the record of what ran where.

Local runs give scikit-learn `compute.n_jobs` processes. Dask runs connect to the scheduler at
`compute.address`, send joblib's work (scikit-learn's `n_jobs`) within `Compute.joblib()` to
the cluster through joblib's Dask backend with every core it has, send the project's own
package to the workers by value (`byvalue`), and watch the scheduler's task stream, so the
stage's report names the workers that did the work and how many tasks each ran.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from mlproj._core.atomic import write_text
from mlproj._core.text import first_line
from mlproj.compute.byvalue import call_packed, pack, shipped, unpack
from mlproj.compute.settings import ComputeSettings, compute_settings
from mlproj.errors import ComputeFailed, ComputeUnavailable

REPORTS = Path("reports") / "compute"
T = TypeVar("T")
# The context open in this thread, for `parallel_map` called by code that was not handed it.
_ACTIVE: ContextVar[Compute | None] = ContextVar("mlproj_compute", default=None)


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
        result: T = unpack(self._submit(function, args, kwargs).result())
        return result

    def map(self, function: Callable[..., T], calls: Iterable[Sequence[Any]]) -> list[T]:
        """FUNCTION(*ARGS) for each ARGS in CALLS, in parallel where the work runs; in order.

        Locally on `n_jobs` processes (joblib; 1 runs them here, one after another); on Dask,
        one task each.
        """
        if self.client is None:
            import joblib

            jobs = joblib.Parallel(n_jobs=self.n_jobs)
            return list(jobs(joblib.delayed(function)(*args) for args in calls))
        futures = [self._submit(function, args, {}) for args in calls]
        return [unpack(result) for result in self.client.gather(futures)]

    def _submit(
        self, function: Callable[..., Any], args: Sequence[Any], kwargs: dict[str, Any]
    ) -> Any:
        """One packed call as a task on the cluster: its future (the result packed too)."""
        assert self.client is not None
        return self.client.submit(call_packed, pack(function, args, kwargs), pure=False)

    @contextmanager
    def joblib(self) -> Iterator[None]:
        """Within the block, joblib's work (scikit-learn's `n_jobs`) goes to the cluster.

        Only there: joblib's Dask backend takes every call, whatever its `n_jobs`, so left on
        for a whole stage it would send each of scikit-learn's internal calls (a column
        transformer's columns, at every prediction) to the cluster as tasks. Locally, nothing
        changes: pass `n_jobs` to scikit-learn.
        """
        if self.client is None:
            yield
            return
        import joblib

        with joblib.parallel_config(backend="dask"):
            yield

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


def parallel_map(function: Callable[..., T], calls: Iterable[Sequence[Any]]) -> list[T]:
    """`Compute.map` of the open `compute` context; one call after another outside one.

    For a project's helpers that a stage calls inside its context without handing it down
    (and that its tests call with no context at all).
    """
    where = _ACTIVE.get()
    if where is None:
        return [function(*args) for args in calls]
    return where.map(function, calls)


@contextmanager
def compute(
    params: Mapping[str, Any],
    *,
    stage: str,
    reports: Path | None = REPORTS,
    ship: Sequence[str] = (),
) -> Iterator[Compute]:
    """Run the block with PARAMS' `compute` group; write reports/compute/STAGE.json after it.

    SHIP names the project's own packages: on Dask their code goes to the workers by value,
    so the workers need the project's environment but not its checkout.
    `ComputeUnavailable` when the scheduler cannot be reached or has no workers, naming its
    address; `ComputeFailed` when the cluster loses the work (a worker dying on every retry).
    Nothing is recorded when the block fails.
    """
    settings = compute_settings(params)
    with ExitStack() as stack:
        if settings.backend == "local":
            where = Compute(settings, stage, n_jobs=settings.n_jobs)
        else:
            where = stack.enter_context(_on_cluster(settings, stage))
            stack.enter_context(shipped(ship))
        token = _ACTIVE.set(where)
        stack.callback(_ACTIVE.reset, token)
        yield where
    if reports is not None:
        write_text(reports / f"{stage}.json", json.dumps(where.record(), indent=2) + "\n")


@contextmanager
def _on_cluster(settings: ComputeSettings, stage: str) -> Iterator[Compute]:
    from distributed import Client, KilledWorker, get_task_stream
    from distributed.comm.core import CommClosedError

    address = str(settings.address)
    try:
        client = Client(address, timeout=settings.timeout)  # type: ignore[no-untyped-call]
    except Exception as exc:  # whatever answers there, it is no scheduler this stage can use
        raise ComputeUnavailable(
            f"cannot reach the Dask scheduler at {address} ({_unreachable(exc, settings)}); "
            "start it (`dask scheduler`), fix compute.address, or run here with -S compute=local"
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
            with get_task_stream(client) as stream:
                yield where
        except (KilledWorker, CommClosedError) as exc:
            raise ComputeFailed(
                f"the Dask cluster at {address} lost the work of stage {stage!r} "
                f"({first_line(exc)}); nothing was written: run `dvc repro` again once the "
                "cluster is healthy"
            ) from None
        where.tasks.update(task.get("worker", "?") for task in stream.data)


def _unreachable(exc: BaseException, settings: ComputeSettings) -> str:
    """Why the scheduler could not be reached, in words, without repeating its address."""
    reason = first_line(exc)
    if isinstance(exc, TimeoutError) or "timed out" in reason.lower():
        return f"no answer within {settings.timeout:g} s"
    if isinstance(exc, OSError):
        return reason
    return f"what answers there is not a Dask scheduler: {type(exc).__name__}"
