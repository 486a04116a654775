"""Run external commands (git, dvc, pre-commit) in one place, never through a shell."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from mlproj._core.children import run_child
from mlproj.errors import CommandFailed

# Quiet, offline DVC: no usage reports sent from any command mlproj runs.
DVC_ENV = {"DVC_NO_ANALYTICS": "1"}


def run(
    args: Sequence[str],
    cwd: Path,
    *,
    env: Mapping[str, str] | None = None,
    check: bool = True,
    input: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ARGS in CWD, INPUT on stdin; with CHECK, a non-zero exit raises with its stderr.

    The child (and all it starts) ends with mlproj: see `mlproj._core.children`.
    """
    full_env = {**os.environ, **(env or {})}
    try:
        result = run_child(args, cwd, full_env, input=input)
    except FileNotFoundError as exc:
        raise CommandFailed(f"`{args[0]}` is not installed or not on PATH.") from exc
    if check and result.returncode != 0:
        detail = (result.stderr.strip() or result.stdout.strip()).splitlines()
        tail = detail[-1] if detail else f"exit code {result.returncode}"
        raise CommandFailed(f"`{' '.join(args)}` failed: {tail}")
    return result


def python_module(module: str, *args: str) -> list[str]:
    """Command line running MODULE with this interpreter, so tools match mlproj's environment."""
    return [sys.executable, "-m", module, *args]
