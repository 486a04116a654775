"""A sweep on a real Dask cluster: DVC's queue runs the points, their training runs on the workers.

A scheduler and two one-thread workers on loopback (tests/servers.py); four points queued with
`dvc exp run --queue` and Hydra's sweep syntax, run by `dvc queue start -j 2`, compared by
`dvc exp show`, each one's reports/compute/train.json read as its experiment left it. The
experiments run up to `evaluate` (train, then its metrics): the stages after it do not use the
cluster and would only make the test slower.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest

from mlproj.sweep import queue_status
from tests.e2e.conftest import copy_project, sh
from tests.servers import dask_cluster

pytestmark = pytest.mark.e2e

# Time for four penguins experiments, two at a time, on a busy 2-core machine.
TIMEOUT = 600


def test_four_points_train_on_the_cluster_and_dvc_exp_show_compares_them(
    penguins: Path, tmp_path: Path
) -> None:
    project = copy_project(penguins, tmp_path / "demo")
    sh("git", "config", "user.name", "Tester", cwd=project)
    sh("git", "config", "user.email", "tester@example.com", cwd=project)
    with dask_cluster(tmp_path / "cluster") as cluster:
        queued = sh(
            "dvc", "exp", "run", "--queue", "evaluate",
            "-S", "model.learning_rate=0.05,0.2",
            "-S", "model.max_leaf_nodes=choice(15,63)",
            "-S", "compute=dask", "-S", f"compute.address={cluster.address}",
            cwd=project,
        ).stdout  # fmt: skip
        names = re.findall(r"Queued experiment '([^']+)'", queued)
        assert len(names) == 4, queued
        sh("dvc", "queue", "start", "-j", "2", cwd=project)
        statuses = _wait_for(project, names)
        workers = set(cluster.worker_addresses())
    assert statuses == dict.fromkeys(names, "success"), _logs(project, statuses)

    shown = {e["name"]: e for e in _experiments(json.loads(sh(
        "dvc", "exp", "show", "--json", cwd=project).stdout))}  # fmt: skip
    assert set(names) <= set(shown)
    points = set()
    for name in names:
        data = shown[name]["data"]
        params = data["params"]["params.yaml"]["data"]
        points.add((params["model"]["learning_rate"], params["model"]["max_leaf_nodes"]))
        assert params["compute"] == {
            "backend": "dask", "address": cluster.address, "timeout": 10
        }  # fmt: skip
        metrics = data["metrics"]["metrics.json"]["data"]
        assert 0.5 < metrics["balanced_accuracy"] <= 1.0
        record = _train_record(project, shown[name]["rev"])
        assert record["backend"] == "dask" and record["scheduler"] == cluster.address
        assert record["tasks"] > 0 and set(record["workers"]) <= workers
    assert points == {(0.05, 15), (0.05, 63), (0.2, 15), (0.2, 63)}

    table = sh(
        "dvc", "exp", "show", "--no-pager", "--md", "--only-changed",
        "--keep", "model.learning_rate|model.max_leaf_nodes|balanced_accuracy", cwd=project,
    ).stdout  # fmt: skip
    for name in names:
        assert name in table
    assert "model.learning_rate" in table and "balanced_accuracy" in table


def _train_record(project: Path, rev: str) -> dict[str, Any]:
    """reports/compute/train.json as experiment REV wrote it (a DVC output, in the cache)."""
    import dvc.api

    return dict(json.loads(dvc.api.read("reports/compute/train.json", repo=str(project), rev=rev)))


def _wait_for(project: Path, names: list[str]) -> dict[str, str]:
    """Each queued experiment's final status, once none is queued or running."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        statuses = {n: s for n, s in queue_status(project).items() if n in names}
        if all(statuses.get(n) in ("success", "failed") for n in names):
            return statuses
        if time.monotonic() > deadline:
            pytest.fail(f"the queue did not finish within {TIMEOUT} s: {statuses}")
        time.sleep(3)


def _experiments(shown: Any) -> list[dict[str, Any]]:
    """Every named experiment in `dvc exp show --json` (under the baseline's `experiments`)."""
    found = []
    for baseline in shown:
        for experiment in baseline.get("experiments") or []:
            for rev in experiment.get("revs") or []:
                if rev.get("name"):
                    found.append(rev)
    return found


def _logs(project: Path, statuses: dict[str, str]) -> str:
    failed = [n for n, s in statuses.items() if s != "success"]
    return "\n".join(
        sh("dvc", "queue", "logs", name, cwd=project, check=False).stdout for name in failed
    )
