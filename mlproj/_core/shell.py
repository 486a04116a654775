"""Run external commands (git, dvc, pre-commit) in one place, never through a shell."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from mlproj._core.children import run_child
from mlproj.errors import CommandFailed

# Quiet, offline DVC: no usage reports sent from any command mlproj runs.
DVC_ENV = {"DVC_NO_ANALYTICS": "1"}
# How a `dvc repro` that is not --quiet ends when a stage's command fails: its last stderr line.
_STAGE_FAILED = re.compile(r"ERROR: failed to reproduce .*: failed to run: ")


def run(
    args: Sequence[str],
    cwd: Path,
    *,
    env: Mapping[str, str] | None = None,
    check: bool = True,
    input: str | None = None,
    on_line: Callable[[str], None] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ARGS in CWD, INPUT on stdin; with CHECK, a non-zero exit raises with its stderr.

    ON_LINE gets each line of output as the child writes it (all of it is captured as well).
    The child (and all it starts) ends with mlproj: see `mlproj._core.children`.
    """
    full_env = {**os.environ, **(env or {})}
    try:
        result = run_child(args, cwd, full_env, input=input, on_line=on_line)
    except FileNotFoundError as exc:
        raise CommandFailed(f"`{args[0]}` is not installed or not on PATH.") from exc
    if check and result.returncode != 0:
        raise failure(args, result)
    return result


def failure(args: Sequence[str], result: subprocess.CompletedProcess[str]) -> CommandFailed:
    """The error for ARGS having exited non-zero: the last line it wrote, stderr first."""
    return CommandFailed(f"`{' '.join(args)}` failed: {failure_reason(result)}")


def failure_reason(result: subprocess.CompletedProcess[str]) -> str:
    """Why a command exited non-zero: the last line it wrote, stderr first."""
    detail = (result.stderr.strip() or result.stdout.strip()).splitlines()
    if len(detail) > 1 and _STAGE_FAILED.match(detail[-1]):
        detail.pop()  # DVC's summary of a stage that exited non-zero: the stage said why
    return detail[-1] if detail else f"exit code {result.returncode}"


def python_module(module: str, *args: str) -> list[str]:
    """Command line running MODULE with this interpreter, so tools match mlproj's environment."""
    return [sys.executable, "-m", module, *args]
