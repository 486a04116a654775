"""Projects made once per module and shared: each takes seconds to scaffold and train."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def sh(
    *args: str | Path, cwd: Path, check: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a command as a user would, with this environment's tools first on PATH."""
    full = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", **(env or {})}
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=full, capture_output=True, text=True
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"{args} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )
    return result


def mlproj_new(out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return sh(sys.executable, "-m", "mlproj", "new", *args, "--no-input", "-o", out, cwd=out)


def copy_project(source: Path, dest: Path) -> Path:
    """A private copy (git, DVC cache and all) a test may change freely."""
    shutil.copytree(source, dest, symlinks=True)
    return dest


# Beside the penguins project: what `mlproj new` printed as it made it (stdout, not a terminal).
NEW_OUTPUT = "mlproj-new.out"


def _render_penguins(out: Path, home: Path) -> Path:
    """Make the default project in OUT with its own HOME and git config, training it once.

    What `mlproj new` printed is kept beside it, in NEW_OUTPUT.
    """
    env_backup = dict(os.environ)
    os.environ.update(
        {
            "HOME": str(home),
            "GIT_CONFIG_GLOBAL": str(home / ".gitconfig"),
            "GIT_CONFIG_NOSYSTEM": "1",
        }
    )
    try:
        (out / NEW_OUTPUT).write_text(mlproj_new(out, "demo").stdout)
    finally:
        os.environ.clear()
        os.environ.update(env_backup)
    return out / "demo"


@pytest.fixture(scope="session")
def penguins(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default project, pipeline run at creation; tests copy it before changing it.

    Made once per test session: the first xdist worker to need it renders it into the
    session's shared temporary folder, under a file lock, and every worker takes a private
    copy (so DVC's repository lock is never shared between processes).
    """
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return _render_penguins(tmp_path_factory.mktemp("penguins"), _home(tmp_path_factory))
    from filelock import FileLock

    shared = tmp_path_factory.getbasetemp().parent / "penguins-shared"
    with FileLock(f"{shared}.lock"):
        if not (shared / "demo" / "dvc.lock").is_file():
            shutil.rmtree(shared, ignore_errors=True)
            shared.mkdir()
            _render_penguins(shared, _home(tmp_path_factory))
    copy = copy_project(shared / "demo", tmp_path_factory.mktemp("penguins") / "demo")
    shutil.copy(shared / NEW_OUTPUT, copy.parent / NEW_OUTPUT)
    return copy


def _home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("penguins-home")
