"""A generated project served as its CI does it, smoke-tested over HTTP, then given feedback."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from mlproj.predictionlog.schema import read_log
from tests.e2e.conftest import copy_project, sh


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.e2e
def test_the_served_model_passes_its_smoke_test_and_takes_feedback(
    penguins: Path, tmp_path: Path
) -> None:
    project = copy_project(penguins, tmp_path / "demo")
    # The budget is for a deployment, not for a test machine shared with other jobs.
    params = project / "params.yaml"
    text = params.read_text()
    assert "p50_ms: 50" in text and "p95_ms: 200" in text
    params.write_text(
        text.replace("p50_ms: 50", "p50_ms: 5000").replace("p95_ms: 200", "p95_ms: 9000")
    )
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    serve = [sys.executable, "-m", "mlproj", "serve", "--model", "models/model.skops"]
    server = subprocess.Popen(
        [*serve, "--port", str(port)],
        cwd=project,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "serve.log").open("w"),
        start_new_session=True,
    )
    try:
        smoke = sh(sys.executable, "-m", "mlproj", "smoke", url, "--wait", "60",
                   "--requests", "20", cwd=project, check=False)  # fmt: skip
        assert smoke.returncode == 0, (
            smoke.stdout + smoke.stderr + (tmp_path / "serve.log").read_text()
        )
        assert smoke.stdout.splitlines()[-1] == f"8 of 8 checks passed against {url}."
        wrong = sh(sys.executable, "-m", "mlproj", "smoke", url, "--expect-version", "v9.9.9",
                   "--requests", "0", cwd=project, check=False)  # fmt: skip
        assert wrong.returncode == 37
        assert wrong.stderr.startswith(
            f"Error: {url} failed 1 smoke check: version (the service runs workspace@"
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
    log = read_log(project / "logs" / "predictions")
    singles = log[log["_request_id"].str.startswith("smoke-sample-")].drop_duplicates("_request_id")
    request = str(singles["_request_id"].iloc[0])
    (project / "labels.csv").write_text(f"request_id,species\n{request},Adelie\n")
    feedback = sh(sys.executable, "-m", "mlproj", "feedback", "labels.csv", cwd=project)
    assert feedback.stdout.startswith("Joined 1 label(s) to 1 logged request(s): ")
