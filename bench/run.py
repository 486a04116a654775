"""Benchmarks, run on demand (`make bench`), reported in docs/benchmarks.md.

- `mlproj --help` start-up (target < 0.3 s)
- cold `dvc repro` of the default project (target <= 30 s)
- no-op `dvc repro` (target <= 2 s)
- `mlproj gates check --output reports/gates.json` on the default project, the `gates` stage's
  command (target <= 1 s)
- `mlproj reproduce` of the default project's commit (target <= 45 s: a forced repro plus a
  clone and the comparisons)

Medians over repeated runs: these machines are noisy.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

BIN = Path(sys.executable).parent
ENV = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "DVC_NO_ANALYTICS": "1"}


def timed(args: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(args, cwd=cwd, env=ENV, check=True, capture_output=True)
    return time.perf_counter() - start


OUTPUTS = [
    "data/raw/penguins.csv", "data/interim", "data/processed", "models", "reports", "plots",
    "metrics.json", "dvc.lock", ".dvc/cache", ".dvc/tmp",
]  # fmt: skip


def wipe(project: Path) -> None:
    """Remove every output and DVC's caches (run cache included): the next repro is cold."""
    for name in OUTPUTS:
        path = project / name
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)


def commit(project: Path) -> None:
    """Commit the trained project: `mlproj reproduce` retrains a commit."""
    who = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@localhost"}
    env = {**ENV, **who, "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@localhost"}
    for args in (["git", "add", "--all"], ["git", "commit", "--quiet", "--no-verify", "-m", "run"]):
        subprocess.run(args, cwd=project, env=env, check=True, capture_output=True)


def median_of(
    runs: int, args: list[str], cwd: Path, before: Callable[[Path], None] | None = None
) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        if before:
            before(cwd)
        times.append(timed(args, cwd))
    return statistics.median(times), times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    work = Path(tempfile.mkdtemp(prefix="mlproj-bench-"))
    try:
        help_median, help_times = median_of(10, [str(BIN / "mlproj"), "--help"], work)
        subprocess.run(
            [str(BIN / "mlproj"), "new", "demo", "--no-input", "--no-run", "-o", str(work)],
            env=ENV,
            check=True,
            capture_output=True,
        )
        project = work / "demo"
        cold_median, cold_times = median_of(
            runs, ["dvc", "repro"], project, before=wipe
        )  # cold: outputs and caches gone
        noop_median, noop_times = median_of(5, ["dvc", "repro"], project)
        gates = [str(BIN / "mlproj"), "gates", "check", "--output", "reports/gates.json"]
        gates_median, gates_times = median_of(5, gates, project)
        commit(project)
        reproduce_median, reproduce_times = median_of(
            runs, [str(BIN / "mlproj"), "reproduce"], project
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    rows = [
        ("mlproj --help", help_median, help_times, 0.3),
        ("cold dvc repro (default project)", cold_median, cold_times, 30.0),
        ("no-op dvc repro", noop_median, noop_times, 2.0),
        ("mlproj gates check", gates_median, gates_times, 1.0),
        ("mlproj reproduce (default project)", reproduce_median, reproduce_times, 45.0),
    ]
    print("| what | median (s) | runs (s) | target (s) | median / target |")
    print("| --- | --- | --- | --- | --- |")
    for name, median, times, target in rows:
        shown = ", ".join(f"{t:.2f}" for t in times)
        print(f"| {name} | {median:.2f} | {shown} | {target} | {median / target:.2f} |")


if __name__ == "__main__":
    main()
