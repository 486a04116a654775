"""Benchmark: `mlproj regression run` over 1,000 incidents of 10 rows against a trained model.

    python bench/regressions.py                     # makes a default project first (~40 s)
    python bench/regressions.py --project DIR       # or reuses one (it is copied, not changed)

Times the whole command (start-up, model load, evaluation, report) and the in-process
`run_suite` call, medians of 3. The incidents mix the expectation kinds a classifier takes;
`--crashing` (default 0.02) of them still crash the model (text in a numeric column), which
sends their batch down the slow path that isolates the rows raising, at ~50 ms per such row.
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
from datetime import date
from pathlib import Path

BIN = Path(sys.executable).parent
ENV = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "DVC_NO_ANALYTICS": "1"}


def make_project(out: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "mlproj", "new", "demo", "--no-input", "-o", str(out)],
        cwd=out,
        env=ENV,
        check=True,
        capture_output=True,
    )
    return out / "demo"


def add_incidents(project: Path, count: int, rows: int, crashing: float) -> None:
    """Write COUNT incident folders directly: `add-regression` would load the model each time."""
    import pandas as pd

    from mlproj.incidents.expectations import Expectation
    from mlproj.incidents.incident import Incident
    from mlproj.incidents.store import save_incident
    from mlproj.project.project import open_project

    config = open_project(project)
    table = pd.read_csv(project / "data/raw/penguins.csv").dropna(subset=[config.target])
    kinds = [
        Expectation("label", column=config.target),
        Expectation("not_label", value="Chinstrap"),
        Expectation("min_probability", label="Adelie", threshold=0.5),
        Expectation("no_error"),
    ]
    scratch = Path(tempfile.mkdtemp())
    every = round(1 / crashing) if crashing else 0
    for number in range(count):
        sample = table.sample(n=rows, random_state=number)
        expectation = kinds[number % len(kinds)]
        if every and number % every == every - 1:  # a crash: text where a number belongs
            sample = sample.astype({"body_mass_g": object})
            sample.iloc[0, sample.columns.get_loc("body_mass_g")] = "heavy"
            expectation = Expectation("no_error")
        path = scratch / f"{number}.csv"
        sample.to_csv(path, index=False)
        incident = Incident(f"BENCH-{number}", date.today(), "synthetic", None, expectation)
        save_incident(project, incident, path)
    shutil.rmtree(scratch)


def median(times: list[float]) -> str:
    return f"{statistics.median(times):.2f} s (runs: {', '.join(f'{t:.2f}' for t in times)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, help="A trained project to copy.")
    parser.add_argument("--incidents", type=int, default=1000)
    parser.add_argument("--rows", type=int, default=10)
    parser.add_argument("--crashing", type=float, default=0.02, help="Share of crash incidents.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        source = args.project or make_project(Path(work))
        project = Path(work) / "bench"
        shutil.copytree(source, project, symlinks=True)
        shutil.rmtree(project / "tests" / "regressions", ignore_errors=True)
        add_incidents(project, args.incidents, args.rows, args.crashing)

        from mlproj.incidents.commands import run_suite

        command, library = [], []
        for _ in range(3):
            start = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "mlproj", "regression", "run"],
                cwd=project,
                env=ENV,
                capture_output=True,
                text=True,
            )
            command.append(time.perf_counter() - start)
            start = time.perf_counter()
            result = run_suite(project)
            library.append(time.perf_counter() - start)
        print(
            f"{args.incidents} incidents x {args.rows} rows, {args.crashing:.0%} crashing, "
            f"exit code {done.returncode}"
        )
        print(f"  mlproj regression run: {median(command)}")
        print(f"  run_suite in process (model load included): {median(library)}")
        print(f"  {sum(r.passed for r in result.results)} pass, {len(result.regressions)} regress")


if __name__ == "__main__":
    main()
