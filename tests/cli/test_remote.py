"""`mlproj remote`: exit codes and exact messages, as a user sees them (no server needed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from mlproj.cli import app
from tests.remote.conftest import closed_port, dvc_repo

runner = CliRunner()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return dvc_repo(tmp_path / "project")


def remote(project: Path, *args: str) -> Result:
    return runner.invoke(app, ["remote", *args, "-p", str(project)])


def test_add_without_a_check_writes_the_config_and_says_where_keys_live(repo: Path) -> None:
    result = remote(repo, "add", "s3://bucket/x", "--endpoint-url", "http://h:9000", "--no-check")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Default DVC remote: remote 'storage' (s3://bucket/x at http://h:9000), not checked.\n"
        "Keys: the environment. Commit .dvc/config: git add .dvc/config && git commit -m "
        "'Store data and models on the DVC remote'\n"
    )


def test_a_bad_url_exits_5_and_writes_nothing(repo: Path) -> None:
    result = remote(repo, "add", "s3://bucket/../etc", "--no-check")
    assert result.exit_code == 5
    assert result.stderr == (
        "Error: Remote URL 's3://bucket/../etc': the prefix must be folders of letters, digits, "
        "'.', '_' and '-' (no spaces, quotes, '..' or empty folders).\n"
    )
    assert (repo / ".dvc" / "config").read_text() == ""


def test_add_against_a_server_that_is_down_exits_40_and_writes_nothing(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "a")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "b")
    endpoint = f"http://127.0.0.1:{closed_port()}"
    result = remote(repo, "add", "s3://bucket/x", "--endpoint-url", endpoint, "--name", "lake")
    assert result.exit_code == 40
    assert result.stderr == (
        f"Error: Cannot reach remote 'lake' (s3://bucket/x at {endpoint}): connection refused or "
        "no route to it. Start the server or fix the endpoint "
        "(`mlproj remote add s3://bucket/x --endpoint-url URL`).\n"
    )
    assert (repo / ".dvc" / "config").read_text() == ""


@pytest.mark.parametrize("command", ["check", "push", "pull"])
def test_without_a_remote_each_command_says_how_to_add_one(repo: Path, command: str) -> None:
    result = remote(repo, command)
    assert result.exit_code == 5
    assert result.stderr == (
        f"Error: No DVC remote (default) in {repo / '.dvc/config'} (configured: none): add one "
        "with `mlproj remote add s3://BUCKET/PREFIX`.\n"
    )


def test_outside_a_dvc_project_exits_6(tmp_path: Path) -> None:
    result = remote(tmp_path, "check")
    assert result.exit_code == 6
    assert (
        result.stderr
        == f"Error: {tmp_path} is not a DVC project (no .dvc/ folder): `cd` into one.\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--remote", "s3://Bad Bucket/x"],
            "Error: Remote URL 's3://Bad Bucket/x': 'Bad Bucket' is not a valid bucket name (3-63 "
            "lower-case letters, digits, '.' and '-', a letter or digit at each end).\n",
        ),
        (
            ["--endpoint-url", "http://127.0.0.1:8333"],
            "Error: --endpoint-url needs --remote s3://BUCKET/PREFIX.\n",
        ),
    ],
    ids=["bad-url", "endpoint-alone"],
)
def test_new_refuses_a_bad_remote_before_writing_anything(
    tmp_path: Path, args: list[str], message: str
) -> None:
    result = runner.invoke(app, ["new", "demo", "--no-input", "-o", str(tmp_path), *args])
    assert result.exit_code == 5
    assert result.stderr == message
    assert list(tmp_path.iterdir()) == []
