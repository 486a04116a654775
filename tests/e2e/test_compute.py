"""The pipeline on a real Dask cluster on loopback: a scheduler and two one-thread workers.

The workers run away from the project, with this Python environment only: the project's own
code reaches them by value. Training there gives the model and the metrics of a local run.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.e2e.conftest import BIN, copy_project, sh
from tests.servers import DaskCluster, dask_cluster

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaskCluster]:
    with dask_cluster(tmp_path_factory.mktemp("dask")) as running:
        yield running


def on_cluster(cluster: DaskCluster, *overrides: str) -> list[str]:
    """`dvc exp run` arguments for the stages up to evaluate, trained on CLUSTER."""
    sets = ["compute=dask", f"compute.address={cluster.address}", *overrides]
    return ["dvc", "exp", "run", *[a for s in sets for a in ("-S", s)]]


def copy(penguins: Path, tmp_path: Path) -> Path:
    project = copy_project(penguins, tmp_path / "demo")
    sh("git", "config", "user.name", "Tester", cwd=project)  # `dvc exp run` commits
    sh("git", "config", "user.email", "tester@example.com", cwd=project)
    return project


def model_hash(project: Path) -> str:
    lock = yaml.safe_load((project / "dvc.lock").read_text())
    (out,) = [o for o in lock["stages"]["train"]["outs"] if o["path"].endswith(".skops")]
    return str(out["md5"])


def record(project: Path, stage: str) -> dict[str, object]:
    record: dict[str, object] = json.loads(
        (project / "reports" / "compute" / f"{stage}.json").read_text()
    )
    return record


def test_the_default_model_trains_and_evaluates_on_the_cluster_as_it_does_here(
    penguins: Path, tmp_path: Path, cluster: DaskCluster
) -> None:
    project = copy(penguins, tmp_path)
    local_metrics, local_model = (project / "metrics.json").read_text(), model_hash(project)
    assert record(project, "train") == {"stage": "train", "backend": "local", "n_jobs": 1}

    sh(*on_cluster(cluster), "evaluate", cwd=project)

    assert (project / "metrics.json").read_text() == local_metrics
    assert model_hash(project) == local_model  # the same bytes
    workers = set(cluster.worker_addresses())
    train = record(project, "train")
    # Boosting fits its rounds one after another: the whole fit is one task, on one worker.
    assert train["scheduler"] == cluster.address and train["tasks"] == 1
    assert set(train["workers"]) <= workers  # type: ignore[arg-type]
    evaluate = record(project, "evaluate")  # the refits, spread over both
    assert evaluate["workers"].keys() == workers  # type: ignore[attr-defined]
    assert all(tasks > 0 for tasks in evaluate["workers"].values())  # type: ignore[attr-defined]


def test_a_forest_sends_its_trees_to_both_workers(
    penguins: Path, tmp_path: Path, cluster: DaskCluster
) -> None:
    project = copy(penguins, tmp_path)
    forest = ["model=random_forest", "model.n_estimators=8"]
    sh("dvc", "exp", "run", "-S", forest[0], "-S", forest[1], "train", cwd=project)
    local_model = model_hash(project)

    sh(*on_cluster(cluster, *forest), "train", cwd=project)

    assert model_hash(project) == local_model
    train = record(project, "train")
    assert train["workers"].keys() == set(cluster.worker_addresses())  # type: ignore[attr-defined]
    assert all(tasks > 0 for tasks in train["workers"].values())  # type: ignore[attr-defined]


def test_a_scheduler_that_is_down_stops_the_stage_in_one_line(
    penguins: Path, tmp_path: Path
) -> None:
    project = copy(penguins, tmp_path)
    model = (project / "models" / "model.skops").read_bytes()
    before = (project / "reports" / "compute" / "train.json").read_text()
    with socket.socket() as free:  # a port just released: nothing listens there
        free.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{free.getsockname()[1]}"
    sets = ["compute=dask", f"compute.address={address}", "compute.timeout=1"]
    done = sh(
        "dvc",
        "exp",
        "run",
        *[a for s in sets for a in ("-S", s)],
        "train",
        cwd=project,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert (
        f"cannot reach the Dask scheduler at {address} (no answer within 1 s); start it "
        "(`dask scheduler`), fix compute.address, or run here with -S compute=local\n"
    ) in output
    assert "Traceback" not in output
    # The stage that stopped first (validate: its partitions are checked on the cluster too)
    # or train: either way, the record of the last run that worked is as it was, or gone.
    record = project / "reports" / "compute" / "train.json"
    assert not record.exists() or record.read_text() == before
    kept = project / "models" / "model.skops"
    assert not kept.exists() or kept.read_bytes() == model  # never half written


SLOW_MODEL = '''
import time

from sklearn.ensemble import HistGradientBoostingClassifier


class SlowBoosting(HistGradientBoostingClassifier):
    """Boosting that takes its time: long enough to lose a worker in the middle of it."""

    def fit(self, X, y, **kwargs):
        time.sleep(3)
        return super().fit(X, y, **kwargs)
'''


def test_a_worker_killed_mid_fit_is_retried_to_the_same_model(
    penguins: Path, tmp_path: Path, cluster: DaskCluster
) -> None:
    project = copy(penguins, tmp_path)
    package = next(p.parent for p in project.glob("*/models.py"))
    # The project's own model class, which the workers can only get by value.
    (package / "slow.py").write_text(SLOW_MODEL)
    (project / "conf" / "model" / "slow.yaml").write_text(
        f"_target_: {package.name}.slow.SlowBoosting\nearly_stopping: false\n"
        "max_iter: 20\nrandom_state: ${seed}\n"
    )
    sh("git", "add", ".", cwd=project)  # an experiment sees committed files only
    sh("git", "commit", "-qm", "A slow model", "--no-verify", cwd=project)
    sh("dvc", "exp", "run", "-S", "model=slow", "train", cwd=project)
    local_model = model_hash(project)

    from distributed import Client

    pids = cluster.worker_addresses()
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    with Client(cluster.address, timeout=10) as client:
        run = subprocess.Popen(
            [*on_cluster(cluster, "model=slow"), "train"],
            cwd=project,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        busy = _first_busy_worker(client, run)
        os.kill(pids[busy], signal.SIGKILL)  # its nanny starts a new one; the task moves
        output = run.communicate(timeout=120)[0]
    assert run.returncode == 0, output
    assert model_hash(project) == local_model
    assert busy not in record(project, "train")["workers"]  # type: ignore[operator]


def _first_busy_worker(client: object, run: subprocess.Popen[str]) -> str:
    """The worker that holds the stage's fit, once it has it."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and run.poll() is None:
        processing = client.processing()  # type: ignore[attr-defined]
        busy = [worker for worker, keys in processing.items() if keys]
        if busy:
            return str(busy[0])
        time.sleep(0.05)
    raise AssertionError(f"no worker got the fit: {run.communicate()[0]}")
