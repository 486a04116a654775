"""`mlproj sweep`: queue every point of the declared sweep, run the queue, table the results.

Each point is queued with `dvc exp run --queue -S key=value ...`, then `dvc exp run --run-all
-j N` starts N queue workers (what `dvc queue start -j N` does) and follows them until every
experiment ended. What each one scored comes from `dvc exp show --json`.

Queued experiments run the last commit, not the workspace (dvc #8854), so a workspace with
uncommitted changes is refused rather than swept without them; so is a queue that already
holds experiments, which the run would mix into the table. A point that cannot be queued (a
value Hydra refuses) removes the points queued before it: a sweep is queued whole or not at all.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mlproj._core import git as gitrepo
from mlproj._core.atomic import write_text
from mlproj._core.progress import Activity, Progress, ignore
from mlproj._core.shell import DVC_ENV, python_module, run
from mlproj._core.text import listing
from mlproj.errors import CommandFailed, SweepRefused, UserError
from mlproj.project.project import Project
from mlproj.sweep.plan import SweepPlan, read_plan
from mlproj.sweep.table import SWEEP_CSV, SWEEP_MD, SweepRow, sweep_rows, to_csv, to_markdown

if TYPE_CHECKING:
    import subprocess
    from collections.abc import Sequence

_QUEUED = re.compile(r"Queued experiment '([^']+)'")
# Statuses of experiments a run would pick up.
_WAITING = {"queued", "running"}


@dataclass(frozen=True)
class SweepResult:
    """What a sweep ran and wrote: its rows, the two table files, the commit if one was made."""

    plan: SweepPlan
    rows: tuple[SweepRow, ...]
    files: tuple[Path, ...]
    committed: bool

    @property
    def failed(self) -> list[str]:
        """The experiments that did not end in success."""
        return [row.name for row in self.rows if row.status != "success"]

    def check(self) -> None:
        """Raise `CommandFailed` naming the experiments that failed, if any did."""
        if self.failed:
            raise CommandFailed(
                f"{len(self.failed)} of {len(self.rows)} experiments failed "
                f"({listing(self.failed)}): see `dvc queue logs NAME`; the table lists the rest."
            )


def run_sweep(
    project: Project,
    *,
    jobs: int = 1,
    commit: bool = False,
    fixed: Sequence[str] = (),
    on_step: Progress = ignore,
) -> SweepResult:
    """Queue and run PROJECT's declared sweep, JOBS experiments at a time; write its table.

    FIXED overrides (`compute=dask`...) go to every experiment and stay out of the table.
    With COMMIT, reports/sweep.csv and reports/sweep.md are committed (and nothing else).
    """
    plan = read_plan(project, fixed)
    root = project.root
    changed = gitrepo.changed_paths(root)
    if changed:
        raise SweepRefused(
            f"uncommitted changes ({listing(changed, 3)}): queued experiments run the last "
            "commit and would leave them out; commit or stash them first."
        )
    waiting = [name for name, status in queue_status(root).items() if status in _WAITING]
    if waiting:
        raise SweepRefused(
            f"DVC's experiment queue already holds {listing(waiting, 3)}: let them finish "
            "(`dvc exp run --run-all`) or remove them (`dvc queue remove --queued`) first."
        )
    head = gitrepo.git(root, "rev-parse", "HEAD")
    names = _queue(root, plan, on_step)
    on_step(f"Running {len(names)} experiments, {jobs} at a time (dvc exp run --run-all)")
    run(
        python_module("dvc", "exp", "run", "--run-all", "--jobs", str(jobs)),
        root,
        env=DVC_ENV,
        check=False,  # a failed experiment is reported per row, from the queue's status
        on_line=lambda line: on_step(Activity(line.strip())) if line.strip() else None,
    )
    statuses = queue_status(root)
    shown = json.loads(_dvc(root, "exp", "show", "--json").stdout or "[]")
    metrics_file = str(project.setting("paths.metrics"))
    rows = tuple(sweep_rows(plan, names, statuses, shown, metrics_file))
    reports = project.reports
    files = (reports / SWEEP_CSV, reports / SWEEP_MD)
    write_text(files[0], to_csv(plan, rows))
    write_text(files[1], to_markdown(plan, rows, head))
    if commit:
        relative = [str(path.relative_to(root)) for path in files]
        gitrepo.git(root, "add", "--", *relative)
        message = f"Record the sweep of conf/sweep/default.yaml ({len(rows)} experiments)"
        # The commit holds only the two files mlproj wrote; the project's hooks ran on the rest.
        gitrepo.git(root, "commit", "--quiet", "--no-verify", "--message", message, "--", *relative)
    return SweepResult(plan, rows, files, commit)


def queue_status(root: Path) -> dict[str, str]:
    """Each experiment in DVC's queue by name, its status in lower case (`dvc queue status`)."""
    statuses = {}
    # Rows are: task (7 hex digits), name, created (may hold spaces), status last.
    for line in _dvc(root, "queue", "status").stdout.splitlines():
        parts = line.split()
        if len(parts) >= 4 and re.fullmatch(r"[0-9a-f]{7}", parts[0]):
            statuses[parts[1]] = parts[-1].lower()
    return statuses


def _queue(root: Path, plan: SweepPlan, on_step: Progress) -> list[str]:
    """Queue every point; on a failure, remove those queued and raise."""
    names: list[str] = []
    try:
        for number, point in enumerate(plan.points, 1):
            on_step(f"Queueing experiment {number} of {len(plan.points)}: {' '.join(point)}")
            output = _dvc(root, "exp", "run", "--queue", *plan.overrides(point)).stdout
            found = _QUEUED.search(output)
            if found is None:
                raise CommandFailed(f"`dvc exp run --queue` named no experiment: {output.strip()}")
            names.append(found.group(1))
    except UserError:
        if names:
            _dvc(root, "queue", "remove", *names, check=False)
        raise
    return names


def _dvc(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return run(python_module("dvc", *args), root, env=DVC_ENV, check=check)
