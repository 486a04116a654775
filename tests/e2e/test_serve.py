"""`mlproj serve` in a generated project, as a process: answers, refusals, load, a clean stop.

What a kill loses is not tested: a SIGKILL loses the rows the writer had not yet written (at
most one batch, `serve.log.flush_rows` rows or `flush_seconds` of traffic), which depends on
timing; the writer's docstring and the Dockerfile say so.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pandas as pd
import pytest

from mlproj.flow.registry import assign, register
from mlproj.predictionlog.schema import read_log
from tests.e2e.conftest import BIN, copy_project, sh

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(project: Path, *args: str) -> Iterator[tuple[httpx.Client, subprocess.Popen[bytes]]]:
    """`mlproj serve ARGS` on a free loopback port, up once /health answers; killed at the end."""
    port = free_port()
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    errors = (project / "serve.err").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "mlproj", "serve", *args, "--port", str(port)],
        cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=errors,
    )  # fmt: skip
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, (project / "serve.err").read_text()
            try:
                if client.get("/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the service did not start in 60 s"
            time.sleep(0.2)
        yield client, server
    finally:
        client.close()
        if server.poll() is None:
            server.kill()
            server.wait()
        errors.close()


def stop(server: subprocess.Popen[bytes]) -> int:
    server.send_signal(signal.SIGTERM)
    return server.wait(timeout=30)


def test_the_workspace_model_answers_refuses_and_logs_every_answered_row(
    penguins: Path, tmp_path: Path
) -> None:
    project = copy_project(penguins, tmp_path / "demo")
    test = pd.read_parquet(project / "data" / "processed" / "test.parquet").drop(columns="species")
    # JSON has no NaN: a missing measurement is null.
    records = json.loads(test.to_json(orient="records"))
    short = sh("git", "rev-parse", "--short", "HEAD", cwd=project).stdout.strip()
    commit = sh("git", "rev-parse", "HEAD", cwd=project).stdout.strip()
    with serving(project, "--model", "models/model.skops") as (client, server):
        first = client.post("/predict", json={"rows": records[:2]}, headers={"X-Request-ID": "one"})
        assert first.status_code == 200, first.text
        assert first.json()["model_version"] == f"workspace@{short}"
        assert first.headers["X-Model-Version"] == f"workspace@{short}"
        assert len(first.json()["predictions"]) == 2
        assert set(first.json()["probabilities"][0]) == {"Adelie", "Chinstrap", "Gentoo"}

        bad = client.post(
            "/predict", json={"rows": [records[0], {**records[1], "bill_length_mm": 500}]}
        )
        assert bad.status_code == 422
        assert bad.json()["detail"] == "row 2: column 'bill_length_mm' is 500, above max 59.6"
        assert bad.json()["errors"][0] | {"message": ""} == {
            "row": 1, "column": "bill_length_mm", "rule": "max", "message": ""
        }  # fmt: skip

        assert client.get("/version").json() == {
            "model_version": f"workspace@{short}",
            "commit": commit,
            "contract_sha256": hashlib.sha256(
                (project / "data" / "contract.yaml").read_bytes()
            ).hexdigest(),
            "task": "classification",
            "shadow": None,
            "canary": None,
        }

        # 8 clients at once, 25 requests each; every fifth is malformed JSON or breaks the contract.
        def client_run(worker: int) -> tuple[set[tuple[str, int]], int]:
            answered, failures = set(), 0
            for n in range(25):
                rid = f"w{worker}-{n}"
                rows = records[(worker * 25 + n) % len(records) :][: 1 + n % 3]
                if n % 5 == 4:
                    content = b'{"rows": [' if worker % 2 else json.dumps(
                        {"rows": [{**rows[0], "island": "Atlantis"}]}
                    ).encode()  # fmt: skip
                    response = client.post(
                        "/predict", content=content, headers={"X-Request-ID": rid}
                    )
                    failures += response.status_code != 422
                    continue
                response = client.post(
                    "/predict", json={"rows": rows}, headers={"X-Request-ID": rid}
                )
                if response.status_code == 200 and len(response.json()["predictions"]) == len(rows):
                    answered |= {(rid, row) for row in range(len(rows))}
                else:
                    failures += 1
            return answered, failures

        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(client_run, range(8)))
        assert sum(failures for _, failures in results) == 0
        good = {("one", 0), ("one", 1)}.union(*(answered for answered, _ in results))

        metrics = client.get("/metrics").text.splitlines()
        assert 'mlproj_request_errors_total{reason="malformed_json"} 20.0' in metrics
        assert 'mlproj_request_errors_total{reason="contract"} 21.0' in metrics
        assert stop(server) == 0

    log = read_log(project / "logs" / "predictions")
    primary = log[log["_role"] == "primary"]
    assert len(primary) == len(good)  # every answered row, once
    assert set(zip(primary["_request_id"], primary["_row"], strict=True)) == good
    assert set(primary["_model_version"]) == {f"workspace@{short}"}
    refused = log[log["_role"] == "refused"]
    assert len(refused) == 21  # the bill of 500 and 20 islands that are not one
    assert refused["_error"].str.contains("'island' is 'Atlantis'").sum() == 20


def test_the_prod_version_with_a_shadow(penguins: Path, tmp_path: Path) -> None:
    project = copy_project(penguins, tmp_path / "demo")
    sh("git", "config", "user.name", "Tester", cwd=project)
    sh("git", "config", "user.email", "tester@example.com", cwd=project)
    register(project, "v1.0.0", "HEAD")
    sh("git", "commit", "--allow-empty", "--no-verify", "--quiet", "-m", "next", cwd=project)
    register(project, "v1.1.0", "HEAD")  # the same model file, another version
    assign(project, "v1.0.0", "prod")
    test = pd.read_parquet(project / "data" / "processed" / "test.parquet")
    rows = json.loads(test.drop(columns="species").to_json(orient="records"))
    with serving(project, "--shadow", "v1.1.0") as (client, server):
        version = client.get("/version").json()
        assert (version["model_version"], version["shadow"]) == (
            "v1.0.0",
            {"model_version": "v1.1.0"},
        )
        answer = client.post("/predict", json={"rows": rows[:1]}, headers={"X-Request-ID": "s"})
        assert answer.status_code == 200
        assert answer.headers["X-Model-Version"] == "v1.0.0"
        for start in range(0, 2 * len(rows), 10):  # the test split twice: over min_rows (100)
            chunk = (rows + rows)[start : start + 10]
            sent = client.post(
                "/predict", json={"rows": chunk}, headers={"X-Request-ID": f"r{start}"}
            )
            assert sent.status_code == 200
        assert stop(server) == 0
    log = read_log(project / "logs" / "predictions")
    first = log[log["_request_id"] == "s"]
    assert sorted(
        zip(first["_role"], first["_model_version"], first["_answered"], strict=True)
    ) == [
        ("primary", "v1.0.0", True),
        ("shadow", "v1.1.0", False),
    ]
    assert first["_prediction"].nunique() == 1
    # Labels arrive; the two versions (the same model file) are compared over the log.
    labels = test["species"].tolist() * 2
    feedback = pd.DataFrame(
        {
            "request_id": [f"r{i - i % 10}" for i in range(len(labels))],
            "row": [i % 10 for i in range(len(labels))],
            "species": labels,
        }
    )
    feedback.to_csv(tmp_path / "labels.csv", index=False)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    sh(
        sys.executable,
        "-m",
        "mlproj",
        "feedback",
        str(tmp_path / "labels.csv"),
        cwd=project,
        env=env,
    )
    compared = subprocess.run(
        [sys.executable, "-m", "mlproj", "compare-versions", "--json"],
        cwd=project, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert compared.returncode == 0, compared.stderr
    report = json.loads((project / "reports" / "compare-versions.json").read_text())
    assert (report["primary"]["version"], report["candidate"]["version"]) == ("v1.0.0", "v1.1.0")
    assert report["candidate"]["labelled"] == 2 * len(test)  # the first request had no label
    assert (report["mode"], report["compared_rows"], report["agreement"]) == (
        "shadow",
        2 * len(test) + 1,
        1.0,
    )
