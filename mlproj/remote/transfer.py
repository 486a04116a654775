"""`dvc push` and `dvc pull`, after the probe.

A remote that is down, refuses the keys or has no bucket is one line naming the fix, never
DVC's retries and traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mlproj._core.shell import DVC_ENV, failure_reason, python_module, run
from mlproj.errors import CommandFailed
from mlproj.remote.config import Configured, configured_remote
from mlproj.remote.server import probe
from mlproj.remote.url import Remote


@dataclass(frozen=True)
class Transfer:
    """What a push or pull did: the remote, and DVC's last line (e.g. "3 files pushed")."""

    remote: Remote
    summary: str


def check_remote(project: Path, name: str | None = None) -> Configured:
    """The project's remote NAME (default: its default remote), probed; raises if unusable."""
    configured = configured_remote(project, name)
    probe(configured.remote, configured.options)
    return configured


def push(project: Path, name: str | None = None) -> Transfer:
    """Probe the remote, then `dvc push` what the pipeline and the .dvc files track."""
    return _transfer(project, "push", name)


def pull(project: Path, name: str | None = None, *, allow_missing: bool = False) -> Transfer:
    """Probe the remote, then `dvc pull`.

    ALLOW_MISSING skips files the remote lacks (CI rebuilds them with `dvc repro`).
    """
    return _transfer(project, "pull", name, ("--allow-missing",) if allow_missing else ())


def _transfer(project: Path, verb: str, name: str | None, extra: tuple[str, ...] = ()) -> Transfer:
    remote = check_remote(project, name).remote
    args = [*python_module("dvc"), verb, "--remote", remote.name, *extra]
    result = run(args, project, env=DVC_ENV, check=False)
    if result.returncode != 0:
        raise CommandFailed(f"dvc {verb} with {remote.shown} failed: {failure_reason(result)}")
    lines = [line.strip() for line in result.stdout.splitlines() if line.strip()]
    return Transfer(remote, lines[-1] if lines else "Everything is up to date.")
