"""Retrain a commit in a throw-away clone and compare the result with what the commit recorded.

The ML Test Score asks that training be reproducible. A generated project records its results
in the commit (`dvc.lock`, `metrics.json`) and its model in the DVC cache, so the check is:
clone the commit into a temporary folder, run `dvc repro --force` there with this interpreter's
tools, and compare metrics value by value, the two models' predictions on the test split row by
row, and every DVC output's hash. The user's repository and DVC cache are only read.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlproj._core.atomic import writing
from mlproj._core.progress import Progress, ignore, repro
from mlproj._core.shell import DVC_ENV, python_module, run
from mlproj._core.yamlio import load_yaml
from mlproj.errors import CannotReproduce, CommandFailed, NotAProject, NotReproducible, UserError
from mlproj.project.params import read_params
from mlproj.project.project import Project, open_project
from mlproj.reproduce.comparison import (
    Check,
    compare_hashes,
    compare_metrics,
    compare_predictions,
    lock_outputs,
    predict,
    same_but_timings,
)

LOCK_FILE = "dvc.lock"
# JSON outputs larger than this are compared by hash alone.
JSON_LIMIT = 10 * 1024 * 1024
# The user's DVC cache, added to the clone as a local remote: data is copied out of it, and
# the retrain's outputs go to the clone's own cache, never into the user's.
ORIGIN_REMOTE = "mlproj-origin"
# What ran where (conf/compute): a Dask run's workers and their task counts differ every run.
RUN_RECORDS = "reports/compute"


@dataclass(frozen=True)
class Reproduction:
    """What `reproduce` compared for one commit, and how long retraining and comparing took.

    `uncommitted` lists working-tree changes that are not part of the commit, so not compared;
    `kept` is the clone's folder when it was kept for inspection.
    """

    revision: str
    commit: str
    uncommitted: tuple[str, ...]
    checks: tuple[Check, ...]
    seconds: float
    kept: Path | None = None

    @property
    def passed(self) -> bool:
        """True when every comparison matched."""
        return all(check.passed for check in self.checks)

    def check(self) -> Reproduction:
        """Raise `NotReproducible`, naming what differs, unless every comparison matched."""
        if self.passed:
            return self
        failed = [check.subject for check in self.checks if not check.passed]
        what = failed[0] if len(failed) == 1 else ", ".join(failed[:-1]) + " and " + failed[-1]
        raise NotReproducible(
            f"{self.commit[:7]} ({self.revision}) does not reproduce: its {what} differ "
            "from what the commit recorded."
        )


def reproduce(
    project: Path,
    rev: str = "HEAD",
    *,
    tolerance: float = 0.0,
    unstable: Sequence[str] = (),
    keep: bool = False,
    on_step: Progress = ignore,
) -> Reproduction:
    """Retrain REV of PROJECT in a temporary clone and compare it with what REV recorded.

    A mismatch is a result, not an error (`Reproduction.check` makes it one). The clone is
    removed afterwards, whatever happens, unless KEEP. ON_STEP hears each step and DVC stage.
    """
    start = time.perf_counter()
    open_project(project)  # NotAProject before any work
    top, inside = _repository(project)
    commit = _commit(top, rev)
    if not _exists_at(top, commit, inside / LOCK_FILE):
        raise CannotReproduce(
            f"no {LOCK_FILE} at {rev} ({commit[:7]}): nothing was recorded to compare with; "
            "run `dvc repro` and commit dvc.lock."
        )
    uncommitted = run(["git", "status", "--porcelain", "--", "."], project).stdout
    with writing(f"a clone in {tempfile.gettempdir()} (set TMPDIR to use another place)"):
        folder = Path(tempfile.mkdtemp(prefix="mlproj-reproduce-"))
    clone = folder / inside
    try:
        with _kept_in_message(clone if keep else None):
            on_step(f"Cloning {commit[:7]} into a temporary folder")
            _check_out(top, commit, folder)
            checks = _retrain_and_compare(project, clone, commit, tolerance, unstable, on_step)
    finally:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)
    return Reproduction(
        revision=rev,
        commit=commit,
        uncommitted=tuple(line for line in uncommitted.splitlines() if line.strip()),
        checks=checks,
        seconds=time.perf_counter() - start,
        kept=clone if keep else None,
    )


def _check_out(top: Path, commit: str, repo: Path) -> None:
    """Clone the repository at TOP into REPO at COMMIT; a local clone links, so it is quick."""
    run(["git", "clone", "--quiet", "--no-checkout", str(top), str(repo)], repo.parent)
    run(["git", "-c", "advice.detachedHead=false", "checkout", "--quiet", commit], repo)


def _retrain_and_compare(
    project: Path,
    clone: Path,
    commit: str,
    tolerance: float,
    unstable: Sequence[str],
    on_step: Progress,
) -> tuple[Check, ...]:
    """Read what CLONE (the project at COMMIT) recorded, retrain it, compare the two."""
    config = open_project(clone)
    metrics = clone / _metrics_path(clone)
    if not metrics.is_file():
        raise CannotReproduce(
            f"no {metrics.relative_to(clone)} at {commit[:7]}: commit the metrics `dvc repro` "
            "writes, so a retrain has something to be compared with."
        )
    recorded_metrics = _read_json(metrics)
    recorded_lock = _read_yaml(clone / LOCK_FILE)
    recorded_json = _json_outputs(clone, recorded_lock)
    cache = Path(run(python_module("dvc", "cache", "dir"), project, env=DVC_ENV).stdout.strip())
    env = _retrain_env(clone)
    _bring_tracked_data(clone, cache, project, env, on_step)
    on_step("Retraining every stage (dvc repro --force)")
    repro(python_module("dvc", "repro", "--force"), clone, on_step, env=env)
    on_step("Comparing metrics, predictions on the test split and output hashes")
    return (
        compare_metrics(recorded_metrics, _read_json(metrics), tolerance),
        _compare_models(project, config, cache, recorded_lock, tolerance),
        compare_hashes(
            recorded_lock,
            _read_yaml(clone / LOCK_FILE),
            (*unstable, RUN_RECORDS),
            timings_only=_timings_only(clone, recorded_json),
        ),
    )


def _json_outputs(clone: Path, lock: dict[str, Any]) -> dict[str, Any]:
    """The JSON outputs git holds at the commit (`cache: false`), parsed, before the retrain."""
    found: dict[str, Any] = {}
    for path in lock_outputs(lock):
        file = clone / path
        if path.endswith(".json") and file.is_file() and file.stat().st_size < JSON_LIMIT:
            with contextlib.suppress(OSError, ValueError):
                found[path] = json.loads(file.read_text(encoding="utf-8"))
    return found


def _timings_only(clone: Path, recorded: dict[str, Any]) -> list[str]:
    """The JSON outputs the retrain changed in measured times alone (the features report's)."""
    same = []
    for path, before in recorded.items():
        with contextlib.suppress(OSError, ValueError):
            after = json.loads((clone / path).read_text(encoding="utf-8"))
            if before != after and same_but_timings(before, after):
                same.append(path)
    return same


def _retrain_env(clone: Path) -> dict[str, str]:
    """Tools of the interpreter running mlproj first on PATH; DVC's machine folder in the clone.

    DVC keeps a folder per repository path under /var/tmp/dvc; each clone has a new path, so
    without this every run would leave one behind. `.dvc/tmp` is ignored by git and DVC alike.
    """
    return {
        **DVC_ENV,
        "DVC_SITE_CACHE_DIR": str(clone / ".dvc" / "tmp" / "site"),
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
    }


def _compare_models(
    project: Path,
    clone: Project,
    cache: Path,
    recorded_lock: dict[str, Any],
    tolerance: float,
) -> Check:
    """Both models' predictions on the retrained test split, if the recorded model is here."""
    from mlproj.data.dataset import read_table
    from mlproj.project.modelio import load_model

    relative = str(clone.model.relative_to(clone.root))
    digest = lock_outputs(recorded_lock).get(relative)
    recorded = _recorded_file(digest, cache, project / relative)
    if recorded is None:
        return Check(
            "predictions",
            "not compared",
            skipped=f"the recorded {relative} ({(digest or '?')[:8]}) is in neither the DVC cache "
            "nor the workspace; `dvc pull` it to compare predictions. Its hash is compared below",
        )
    trusted = clone.trusted_types()
    test = _test_split(clone)
    rows = read_table(test)[list(clone.features)]
    return compare_predictions(
        list(rows.index),
        predict(load_model(recorded, trusted), rows),
        predict(load_model(clone.model, trusted), rows),
        tolerance,
    )


def _recorded_file(digest: str | None, cache: Path, workspace: Path) -> Path | None:
    """The file whose hash dvc.lock recorded: from the DVC cache, or the workspace if it matches.

    DVC 3 keeps `files/md5/ab/cdef...`; caches made by DVC 2 keep `ab/cdef...`.
    """
    import hashlib

    if not digest:
        return None
    for candidate in (
        cache / "files" / "md5" / digest[:2] / digest[2:],
        cache / digest[:2] / digest[2:],
    ):
        if candidate.is_file():
            return candidate
    if workspace.is_file():
        found = hashlib.md5(workspace.read_bytes(), usedforsecurity=False).hexdigest()
        if found == digest:
            return workspace
    return None


def _bring_tracked_data(
    clone: Path, cache: Path, project: Path, env: dict[str, str], on_step: Progress
) -> None:
    """Copy the data the commit tracks with `dvc add` from the user's DVC cache, offline.

    Stage outputs need nothing: `--force` rebuilds them all. Only `.dvc` files point at data
    no stage makes (the user's own data, large incident rows).
    """
    tracked = run(["git", "ls-files", "--", "*.dvc"], clone).stdout.split()
    if not tracked:
        return
    on_step(f"Copying the data it tracks from the DVC cache ({', '.join(tracked)})")
    run(python_module("dvc", "remote", "add", "--local", ORIGIN_REMOTE, str(cache)), clone, env=env)
    try:
        run(python_module("dvc", "pull", "--remote", ORIGIN_REMOTE, *tracked), clone, env=env)
    except CommandFailed as exc:
        raise CannotReproduce(
            f"data the commit tracks ({', '.join(tracked)}) is not all in the DVC cache "
            f"{cache}: run `dvc pull` in {project.resolve()} first."
        ) from exc


def _repository(project: Path) -> tuple[Path, Path]:
    """The git repository holding PROJECT, and PROJECT's folder within it."""
    try:
        top = run(["git", "rev-parse", "--show-toplevel"], project).stdout.strip()
    except CommandFailed as exc:
        raise NotAProject(
            f"{project.resolve()} is not in a git repository: a commit is what is reproduced."
        ) from exc
    return Path(top), project.resolve().relative_to(Path(top).resolve())


def _commit(top: Path, rev: str) -> str:
    try:
        return run(
            ["git", "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], top
        ).stdout.strip()
    except CommandFailed as exc:
        raise CannotReproduce(f"unknown revision {rev!r} in {top}.") from exc


def _exists_at(top: Path, commit: str, path: Path) -> bool:
    try:
        run(["git", "cat-file", "-e", f"{commit}:{path.as_posix()}"], top)
    except CommandFailed:
        return False
    return True


def _metrics_path(project: Path) -> str:
    paths = (read_params(project) or {}).get("paths") or {}
    return str(paths.get("metrics", "metrics.json"))


def _test_split(config: Project) -> Path:
    data = (read_params(config.root) or {}).get("data") or {}
    return config.root / str(data.get("test", "data/processed/test.parquet"))


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise CannotReproduce(f"{path.name}: not valid JSON ({exc}).") from exc
    return data if isinstance(data, dict) else {}


def _read_yaml(path: Path) -> dict[str, Any]:
    data = load_yaml(path)
    return data if isinstance(data, dict) else {}


@contextmanager
def _kept_in_message(folder: Path | None) -> Iterator[None]:
    """Name the kept clone in any error, so a failed retrain can be inspected where it ran."""
    try:
        yield
    except UserError as exc:
        if folder is not None:
            exc.message = f"{exc.message.rstrip('.')} (the clone is kept in {folder})."
        raise
