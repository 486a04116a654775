"""A project whose raw data is partitioned Parquet validates on a real Dask cluster as it does here.

The cluster is a `dask scheduler` and two `dask worker` processes on loopback, started by the
fixture; the stage runs as DVC runs it (`python -m <package>.stages.validate` with params.yaml).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import yaml

from tests.e2e.conftest import copy_project, sh

BIN = Path(sys.executable).parent


def _start(*args: str, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [str(BIN / "dask"), *args], stdout=out, stderr=subprocess.STDOUT, cwd=log.parent
        )


@pytest.fixture
def dask_cluster(tmp_path: Path) -> Iterator[str]:
    """The address of a loopback scheduler with two one-thread workers, stopped afterwards."""
    from distributed import Client

    where = tmp_path / "cluster"
    where.mkdir()
    file = where / "scheduler.json"
    common = ["--no-dashboard", "--host", "127.0.0.1"]
    processes = [
        _start("scheduler", "--port", "0", *common, "--scheduler-file", str(file), log=where / "s")
    ]
    try:
        deadline = time.monotonic() + 60
        while not file.is_file() and time.monotonic() < deadline:
            time.sleep(0.1)
        address = json.loads(file.read_text())["address"]
        for n in range(2):
            worker = ["worker", "--scheduler-file", str(file), "--nthreads", "1", *common]
            processes.append(_start(*worker, log=where / f"w{n}"))
        with Client(address, timeout=30) as client:  # type: ignore[no-untyped-call]
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in reversed(processes):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def _validate(project: Path) -> subprocess.CompletedProcess[str]:
    package = next(project.glob("*/stages/validate.py")).parent.parent.name
    pythonpath = os.pathsep.join(filter(None, [str(project), os.environ.get("PYTHONPATH")]))
    return sh(
        sys.executable,
        "-m",
        f"{package}.stages.validate",
        cwd=project,
        check=False,
        env={"PYTHONPATH": pythonpath},
    )


def _set(project: Path, raw: str, compute: dict[str, object]) -> None:
    params = yaml.safe_load((project / "params.yaml").read_text())
    params["data"]["raw"] = raw
    params["compute"] = compute
    (project / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))


@pytest.mark.e2e
def test_partitioned_raw_data_validates_on_the_cluster_as_here(
    penguins: Path, tmp_path: Path, dask_cluster: str
) -> None:
    project = copy_project(penguins, tmp_path / "demo")
    params = yaml.safe_load((project / "params.yaml").read_text())
    validated = project / params["data"]["validated"]
    here = pd.read_parquet(validated)  # written by the local run that made the project
    raw = pd.read_csv(project / params["data"]["raw"])
    folder = project / "data" / "raw" / "parts"
    folder.mkdir()
    half = len(raw) // 2
    raw.iloc[:half].to_parquet(folder / "part-0.parquet", index=False)
    raw.iloc[half:].to_parquet(folder / "part-1.parquet", index=False)
    on_cluster = {"backend": "dask", "address": dask_cluster, "timeout": 30}
    _set(project, "data/raw/parts", on_cluster)
    validated.unlink()

    result = _validate(project)

    assert result.returncode == 0, result.stderr
    pd.testing.assert_frame_equal(pd.read_parquet(validated), here)
    record = json.loads((project / "reports" / "compute" / "validate.json").read_text())
    assert record["backend"] == "dask"
    assert record["scheduler"] == dask_cluster
    assert record["tasks"] >= 2  # one check per partition at least

    # A broken row in the second partition: the same report as here, its row counted from the top.
    island = str(raw.columns[raw.dtypes == "str"][0])
    broken = raw.iloc[half:].copy()
    broken.loc[broken.index[3], island] = "Atlantis"
    broken.to_parquet(folder / "part-1.parquet", index=False)
    before = validated.read_bytes()

    refused = _validate(project)
    _set(project, "data/raw/parts", {"backend": "local", "n_jobs": 1})
    local = _validate(project)

    assert refused.returncode == local.returncode == 1
    assert refused.stderr == local.stderr
    assert f"rows {half + 3} (values 'Atlantis')" in refused.stderr
    assert validated.read_bytes() == before
