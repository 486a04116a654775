"""Hermetic tests: HOME, cookiecutter's config and git's global config point into tmp_path."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest_plugins = ["tests.toy_project"]

PENGUINS_HEADER = (
    "species,island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex,year"
)


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    config = home / "cookiecutter.yaml"
    config.write_text(f"replay_dir: {home / 'replay'}\ncookiecutters_dir: {home / 'cc'}\n")
    monkeypatch.setenv("COOKIECUTTER_CONFIG", str(config))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("DVC_NO_ANALYTICS", "1")
    return home


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One cache of pre-commit hook environments for the whole session: each takes a while."""
    shared = os.environ.get("PRE_COMMIT_HOME")
    yield Path(shared) if shared else tmp_path_factory.mktemp("pre-commit")


def write(path: Path, text: str | bytes) -> Path:
    """Write a small file inline, making its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def listing(folder: Path) -> list[str]:
    """Every path below FOLDER, relative and sorted: what a failed command must leave as it was."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def git(repo: Path, *args: str) -> str:
    """Run git in REPO, failing the test on an error; its output, stripped."""
    result = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True)
    return result.stdout.strip()


def init_repo(path: Path) -> Path:
    """An empty repository on `main` with a committer identity of its own."""
    git(path, "init", "--quiet", "--initial-branch", "main")
    git(path, "config", "user.name", "Tester")
    git(path, "config", "user.email", "tester@example.com")
    return path


_FILE_SECONDS: dict[str, float] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Add each test's setup, call and teardown time to its file's total (workers' too)."""
    path = report.nodeid.split("::", 1)[0]
    _FILE_SECONDS[path] = _FILE_SECONDS.get(path, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The slowest test files: where the suite's time goes, for whoever keeps CI fast."""
    if not _FILE_SECONDS or os.environ.get("PYTEST_XDIST_WORKER"):
        return
    total = sum(_FILE_SECONDS.values())
    slowest = sorted(_FILE_SECONDS.items(), key=lambda item: item[1], reverse=True)[:20]
    terminalreporter.section("time per test file (summed over workers)")
    for path, seconds in slowest:
        terminalreporter.write_line(f"{seconds:8.1f} s  {100 * seconds / total:4.1f} %  {path}")
    terminalreporter.write_line(f"{total:8.1f} s  in {len(_FILE_SECONDS)} files")
