"""The compute context without a cluster: local runs, their record, a scheduler not there."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from mlproj.compute import compute, parallel_map
from mlproj.errors import ComputeUnavailable, UserError


def _square(value: int) -> int:
    return value * value


def test_local_runs_here_and_records_it(tmp_path: Path) -> None:
    with compute(
        {"compute": {"backend": "local", "n_jobs": 1}}, stage="train", reports=tmp_path
    ) as where:
        assert where.client is None and where.n_jobs == 1
        assert where.run(_square, 3) == 9
        assert parallel_map(_square, [(1,), (2,), (3,)]) == [1, 4, 9]
        with where.joblib():
            pass
    record = json.loads((tmp_path / "train.json").read_text())
    assert record == {"stage": "train", "backend": "local", "n_jobs": 1}


def test_parallel_map_outside_a_context_runs_each_call_here() -> None:
    assert parallel_map(_square, [(4,), (5,)]) == [16, 25]


def test_a_failing_block_records_nothing(tmp_path: Path) -> None:
    with pytest.raises(ValueError), compute({}, stage="evaluate", reports=tmp_path):
        raise ValueError("boom")
    assert not (tmp_path / "evaluate.json").exists()


def test_a_scheduler_that_is_not_there_is_named_in_one_line(tmp_path: Path) -> None:
    # A port just released on loopback: nothing listens there.
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    params = {"compute": {"backend": "dask", "address": address, "timeout": 0.2}}
    with (
        pytest.raises(ComputeUnavailable) as caught,
        compute(params, stage="train", reports=tmp_path),
    ):
        pytest.fail("the block must not run")
    assert isinstance(caught.value, UserError) and caught.value.exit_code == 43
    assert str(caught.value) == (
        f"cannot reach the Dask scheduler at {address} (no answer within 0.2 s); start it "
        "(`dask scheduler`), fix compute.address, or run here with -S compute=local"
    )
    assert not list(tmp_path.iterdir())
