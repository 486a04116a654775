"""The `compute` group of params.yaml, read and checked once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from mlproj.errors import ConfigError

BACKENDS = ("local", "dask")


@dataclass(frozen=True)
class ComputeSettings:
    """Where parallel work runs: `local` on `n_jobs` processes, or `dask` at `address`."""

    backend: Literal["local", "dask"] = "local"
    n_jobs: int = 1
    address: str | None = None
    timeout: float = 10.0


def compute_settings(params: Mapping[str, Any]) -> ComputeSettings:
    """The `compute` group of PARAMS (local if absent: projects older than the group)."""
    group = params.get("compute") or {}
    backend = group.get("backend", "local")
    if backend not in BACKENDS:
        raise ConfigError(
            f"compute.backend is {backend!r}; it must be one of {', '.join(BACKENDS)} "
            "(conf/compute/local.yaml or dask.yaml)"
        )
    n_jobs = group.get("n_jobs", 1)
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs == 0:
        raise ConfigError(f"compute.n_jobs is {n_jobs!r}; it must be a whole number, not 0")
    timeout = group.get("timeout", 10)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise ConfigError(f"compute.timeout is {timeout!r}; it must be a number of seconds > 0")
    address = group.get("address")
    if backend == "dask" and not (isinstance(address, str) and address.strip()):
        raise ConfigError(
            "compute.address is empty; set the scheduler's address: "
            "-S compute.address=tcp://HOST:8786"
        )
    return ComputeSettings(
        backend=backend,
        n_jobs=n_jobs,
        address=str(address).strip() if backend == "dask" else None,
        timeout=float(timeout),
    )
