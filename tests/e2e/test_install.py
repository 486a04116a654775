"""A rendered project installs in a fresh virtual environment, with mlproj from a folder or git.

No index is reachable from a test, and installing mlproj's dependencies from one would take
minutes: the fresh environment sees this one's packages, mlproj's own left out, through a
`.pth` file (a read-only base, as `--system-site-packages` would give). pip still resolves
every requirement against it (no `--no-deps`), and builds and installs mlproj and the project
into the fresh environment itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from mlproj.scaffold import render_template
from mlproj.scaffold.source import MlprojSource
from tests.e2e.conftest import REPO, mlproj_new, sh

pytestmark = pytest.mark.e2e


def base_without_mlproj(tmp_path: Path) -> Path:
    """This environment's packages, as links, minus every trace of mlproj."""
    base = tmp_path / "base"
    base.mkdir()
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if "mlproj" not in entry.name and entry.suffix != ".pth":
            (base / entry.name).symlink_to(entry)
    return base


def fresh_venv(where: Path, base: Path) -> Path:
    """A new environment whose own site-packages is empty; BASE is on its path after it."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True)
    purelib = subprocess.run(
        [
            where / "bin" / "python",
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['purelib'])",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(purelib) / "_base.pth").write_text(f"{base}\n")
    return where / "bin" / "python"


def in_venv(python: Path, *args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run in the fresh environment, without this session's PYTHONPATH or tools."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{python.parent}{os.pathsep}/usr/bin:/bin"
    env["PIP_NO_INDEX"] = "1"  # nothing leaves this machine
    env["PIP_CONFIG_FILE"] = os.devnull  # nor comes from a local wheel folder a config names
    result = subprocess.run(
        [str(a) for a in (python, *args)], cwd=cwd, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


def installed_mlproj(python: Path, cwd: Path) -> dict[str, str]:
    """`pip show mlproj` in the environment, as a mapping."""
    shown = in_venv(python, "-m", "pip", "show", "mlproj", cwd=cwd).stdout
    return dict(line.split(": ", 1) for line in shown.splitlines() if ": " in line)


def test_from_the_local_folder(tmp_path: Path) -> None:
    """`mlproj new` (here, from a checkout) then the README's install line, mlproj from the folder."""
    made = mlproj_new(tmp_path, "demo", "--no-run")
    assert "which CI cannot reach" in made.stderr  # this session's mlproj is an editable checkout
    project = tmp_path / "demo"
    # The lock is committed with the rest: CI installs from it.
    assert "requirements.txt" in sh("git", "ls-files", cwd=project).stdout.split()
    assert sh("git", "status", "--porcelain", cwd=project).stdout == ""
    python = fresh_venv(tmp_path / "venv", base_without_mlproj(tmp_path))
    pip = ["-m", "pip", "install", "--no-build-isolation", "--quiet"]
    in_venv(python, *pip, REPO, "-r", "requirements.txt", "-e", ".[dev]", cwd=project)
    elsewhere = tmp_path / "elsewhere"  # `python -c` imports from its folder first
    elsewhere.mkdir()
    in_venv(python, "-c", "import demo.stages.train", cwd=elsewhere)
    shown = installed_mlproj(python, tmp_path)
    assert (
        shown["Version"]
        == sh(
            sys.executable, "-c", "import mlproj; print(mlproj.__version__)", cwd=tmp_path
        ).stdout.strip()
    )
    assert shown["Location"].startswith(str(tmp_path / "venv"))
    assert "Requires" in shown and "dvc" in shown["Requires"]
    in_venv(python, "-m", "pip", "check", cwd=tmp_path)


def test_from_a_git_url_pinned_to_its_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A project pinned to `mlproj @ git+...@COMMIT` gets exactly that commit from `pip install .`."""
    clone = tmp_path / "mlproj.git"
    sh("git", "clone", "--quiet", "--no-checkout", REPO, clone, cwd=tmp_path)
    commit = sh("git", "-C", REPO, "rev-parse", "HEAD", cwd=tmp_path).stdout.strip()
    pin = MlprojSource(f"mlproj @ git+{clone.as_uri()}@{commit}", pinned=True)
    monkeypatch.setattr("mlproj.scaffold.source.running_source", lambda version: pin)
    (tmp_path / "out").mkdir()
    project = render_template(
        tmp_path / "out", {"project_name": "demo", "project_slug": "demo", "package_name": "demo"}
    )
    assert f'"{pin.requirement}"' in (project / "pyproject.toml").read_text()
    python = fresh_venv(tmp_path / "venv", base_without_mlproj(tmp_path))
    in_venv(python, "-m", "pip", "install", "--no-build-isolation", "--quiet", ".", cwd=project)
    elsewhere = tmp_path / "elsewhere"  # `python -c` imports from its folder first
    elsewhere.mkdir()
    in_venv(python, "-c", "import demo.stages.train", cwd=elsewhere)
    assert installed_mlproj(python, tmp_path)["Location"].startswith(str(tmp_path / "venv"))
    record = in_venv(
        python,
        "-c",
        "import importlib.metadata as m; print(m.distribution('mlproj').read_text('direct_url.json'))",
        cwd=tmp_path,
    ).stdout
    assert json.loads(record)["vcs_info"]["commit_id"] == commit
