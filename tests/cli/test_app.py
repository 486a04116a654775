"""The CLI as a program: help, version, and a start-up that pays for no heavy import."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from mlproj import __version__
from mlproj.cli import app

runner = CliRunner()
HEAVY = [
    "pandas",
    "sklearn",
    "shap",
    "dvc",
    "hydra",
    "omegaconf",
    "pandera",
    "skops",
    "matplotlib",
    "numpy",
    "scipy",
    "cookiecutter",
    "gto",
    "semver",
    "yaml",
]


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"mlproj {__version__}\n"


def test_every_command_has_help() -> None:
    for args in (
        ["--help"],
        ["new", "--help"],
        ["params", "--help"],
        ["params", "sync", "--help"],
        ["params", "check", "--help"],
        ["params", "refresh", "--help"],
        ["drift", "--help"],
        ["gates", "--help"],
        ["gates", "check", "--help"],
        ["reproduce", "--help"],
        ["card", "--help"],
        ["update", "--help"],
        ["flow", "--help"],
        ["flow", "feature", "start", "--help"],
        ["flow", "release", "finish", "--help"],
        ["flow", "check-branch", "--help"],
        ["review", "check", "--help"],
        ["review", "report", "--help"],
        ["review", "post", "--help"],
        ["review", "render", "--help"],
        ["registry", "rollback", "--help"],
        ["registry", "get", "--help"],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, args
        assert "Usage:" in result.stdout


def test_python_dash_m_help_in_a_subprocess() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mlproj", "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0
    assert "new" in result.stdout and "params" in result.stdout


def test_cli_start_up_imports_nothing_heavy() -> None:
    code = f"import sys, mlproj.cli; print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_completion_is_offered() -> None:
    result = runner.invoke(app, ["--help"])
    assert "--install-completion" in result.stdout
