"""`mlproj serve` refusals: exit 36 and one line, before anything listens."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from mlproj.cli import app
from tests.conftest import git, write
from tests.toy_project import make_project

pytestmark = pytest.mark.usefixtures("forget_toy_package")

runner = CliRunner()


@pytest.fixture(autouse=True)
def thread_settings_restored(monkeypatch: pytest.MonkeyPatch) -> None:
    """`mlproj serve` sets OMP_NUM_THREADS and friends for its process: not for this one's."""
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        if name in os.environ:
            monkeypatch.setenv(name, os.environ[name])  # put back as it was, after the test
        else:  # recorded as absent, so removed again after the test
            monkeypatch.setenv(name, "")
            monkeypatch.delenv(name)


def serve(project: Path, *args: str) -> Result:
    return runner.invoke(app, ["serve", *args, "-p", str(project)])


def registry(root: Path) -> Path:
    """The toy project in git, with a registry and nothing assigned yet."""
    write(root / ".gto", "stages: [staging, prod]\ntypes: [model]\n")
    git(root, "init", "--quiet")
    git(root, "add", "--all")
    git(root, "-c", "user.name=T", "-c", "user.email=t@x", "commit", "--quiet", "-m", "first")
    return root


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--shadow", "v1.0.0", "--canary", "v2.0.0"],
         "Give --shadow or --canary, not both: one candidate at a time."),
        (["--canary", "v2.0.0", "--share", "0"], "--share must be above 0 and at most 1, not 0.0."),
        (["--canary", "v2.0.0", "--share", "1.5"],
         "--share must be above 0 and at most 1, not 1.5."),
        (["--share", "0.5"],
         "--share is the canary's share of requests: give --canary VERSION too."),
    ],
)  # fmt: skip
def test_bad_options_are_refused(tmp_path: Path, args: list[str], message: str) -> None:
    result = serve(tmp_path, *args)
    assert result.exit_code == 36
    assert result.stderr == f"Error: {message}\n"


def test_a_taken_port_is_refused(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = serve(project, "--model", "models/model.skops", "--port", str(port))
    assert result.exit_code == 36
    assert result.stderr == (
        f"Error: Cannot listen on 127.0.0.1:{port} (Address already in use): another server "
        "may be using it; give another --port.\n"
    )


def test_a_contract_column_starting_with_an_underscore_is_refused(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj")
    contract = project / "data" / "contract.yaml"
    contract.write_text(contract.read_text().replace("  id:", "  _id:"))
    result = serve(project, "--model", "models/model.skops", "--port", "0")
    assert result.exit_code == 36
    assert result.stderr == (
        "Error: data/contract.yaml: column '_id' starts with '_', which the prediction log "
        "keeps for its own fields; rename it in the data and the contract.\n"
    )


def test_an_empty_stage_names_the_fix(tmp_path: Path) -> None:
    project = registry(make_project(tmp_path / "proj"))
    result = serve(project, "--port", "0")
    assert result.exit_code == 36
    assert result.stderr == (
        "Error: Nothing is in prod: put a version there with `mlproj registry assign vX.Y.Z "
        "prod`, or serve the workspace model with --model models/model.skops.\n"
    )
    unknown = serve(project, "--version", "v9.9.9", "--port", "0")
    assert unknown.exit_code == 36
    assert unknown.stderr == (
        "Error: model v9.9.9 is not registered; registered: none yet (release one with "
        "`mlproj flow release`); or serve the workspace model with --model models/model.skops.\n"
    )
