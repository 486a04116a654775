"""Benchmark: `mlproj new --data` on generated tables of growing size, stage by stage.

    python bench/scale.py --rows 100000                       # one size, one run
    python bench/scale.py --rows 100000 --rows 1000000 --repeat 3 --out scale.json
    python bench/scale.py --rows 100000 --floor               # beside bench/floor.py
    python bench/scale.py --penguins --repeat 3               # the default project's repro
    nice python bench/scale.py --rows 10000000 --timeout 1500 --no-stages   # how far it gets

For each size: a seeded table (N rows x 20 columns: 15 numeric with 1% gaps, 5 categorical of
3 to 40 levels, a binary label that depends on a few of them) written as Parquet in a
temporary folder; then

1. `mlproj new --data FILE --target label --no-input` as a user runs it (render, first
   `dvc repro`, commit): wall time, CPU (user + sys, every child process included) and the
   peak resident memory of the largest process, read from `os.wait4`; the stage running is
   sampled every second from the process tree, so a run that is cut short says where it was;
2. the same project rendered with `--no-run`, then `dvc repro -s STAGE` for each stage in
   dependency order, each one measured the same way, and the model file's size;
3. with `--floor`: `bench/floor.py` (the same work in one plain Python process) on the same
   file, and, per stage, what is not the work itself: a fresh interpreter importing the stage's
   module, and DVC's own cost (a no-op `dvc repro -s STAGE` right after the stage ran).

Prints Markdown tables and writes every figure as JSON (`--out`). Medians over `--repeat`.
Measures only through public commands, so it runs against any version of mlproj.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent
HERE = Path(__file__).resolve().parent
WHO = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@localhost"}
ENV = {
    **os.environ,
    "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
    "DVC_NO_ANALYTICS": "1",
    **WHO,
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@localhost",
}
NUMERIC = 15
LEVELS = (3, 5, 8, 12, 40)
MIB = 1024 * 1024


# ---------------------------------------------------------------------------- the data


def write_table(path: Path, rows: int, seed: int = 0, chunk: int = 1_000_000) -> None:
    """N rows x 20 columns as Parquet, built in chunks with Arrow so 10M rows fit in memory.

    Categorical columns are plain strings in the file (as most exports are), not Parquet
    dictionaries that pandas would read back as `category`.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    writer = None
    try:
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            columns: dict[str, Any] = {}
            for i in range(NUMERIC):
                values = rng.normal(i, 1 + i / 5, n).round(4)
                if i % 3 == 0:
                    values[rng.random(n) < 0.01] = np.nan
                columns[f"n{i:02d}"] = values
            codes = []
            for j, levels in enumerate(LEVELS):
                code = rng.integers(0, levels, n)
                codes.append(code)
                names = pa.array([f"c{j}-{k}" for k in range(levels)])
                columns[f"c{j}"] = pa.DictionaryArray.from_arrays(
                    pa.array(code, pa.int32()), names
                ).cast(pa.string())
            score = (
                columns["n01"]
                - 1
                + 0.8 * (columns["n04"] - 4) / 1.8
                - 0.6 * np.nan_to_num(columns["n03"] - 3) / 1.6
                + 0.7 * (codes[0] == 0)
                - 0.5 * (codes[2] < 3)
                + rng.normal(0, 1, n)
            )
            columns["label"] = (score > 0.2).astype(np.int64)
            table = pa.table(columns)
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()


# ---------------------------------------------------------------------------- measuring


@dataclasses.dataclass
class Run:
    """One measured command: wall and CPU seconds, the largest process's peak RSS in MiB."""

    wall: float
    cpu: float
    rss: float
    code: int
    # Seconds each sampled stage was seen running, in the order first seen.
    seen: dict[str, float] = dataclasses.field(default_factory=dict)
    tree_rss: float = 0.0  # the largest sum of RSS over the whole process tree, sampled


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _sample(root: int) -> tuple[str | None, float]:
    """The stage the process tree under ROOT runs now, and the tree's RSS in MiB."""
    tree, stack, stage, rss = _children(), [root], None, 0.0
    while stack:
        pid = stack.pop()
        stack += tree.get(pid, [])
        with contextlib.suppress(OSError, ValueError, IndexError):
            found = re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text())
            rss += int(found.group(1)) / 1024 if found else 0.0
            args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            text = " ".join(a.decode(errors="replace") for a in args)
            found = re.search(r"\.stages\.(\w+)|mlproj (params|regression|gates|card)\b", text)
            if found:
                stage = found.group(1) or found.group(2)
    return stage, rss


def measured(args: list[str], cwd: Path, log: Path, timeout: float | None = None) -> Run:
    """Run ARGS to its end (or TIMEOUT, then kill its process group) and measure it."""
    seen: dict[str, float] = {}
    tree_rss = 0.0
    start = time.perf_counter()
    with log.open("ab") as out:
        out.write(f"\n$ {' '.join(args)}\n".encode())
        out.flush()
        proc = subprocess.Popen(
            args, cwd=cwd, env=ENV, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        last = start
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            now = time.perf_counter()
            if timeout is not None and now - start > timeout:
                os.killpg(proc.pid, signal.SIGKILL)
                _, status, usage = os.wait4(proc.pid, 0)
                break
            stage, rss = _sample(proc.pid)
            tree_rss = max(tree_rss, rss)
            if stage:
                seen[stage] = seen.get(stage, 0.0) + now - last
            last = now
            time.sleep(min(1.0, 0.05 + (now - start) / 20))
    proc.returncode = code = os.waitstatus_to_exitcode(status)
    return Run(
        wall=time.perf_counter() - start,
        cpu=usage.ru_utime + usage.ru_stime,
        rss=usage.ru_maxrss / 1024,
        code=code,
        seen={k: round(v, 1) for k, v in seen.items()},
        tree_rss=tree_rss,
    )


def checked(run: Run, what: str, log: Path) -> Run:
    if run.code != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
        raise SystemExit(f"{what} failed ({run.code}); the end of {log}:\n{tail}")
    return run


def median_run(runs: list[Run]) -> dict[str, float]:
    return {
        key: round(statistics.median(getattr(r, key) for r in runs), 2)
        for key in ("wall", "cpu", "rss")
    }


# ---------------------------------------------------------------------------- the project


def stages_in_order(project: Path) -> list[str]:
    """Every stage of dvc.yaml, dependencies first (`dvc dag --dot`'s edges, file order)."""
    import yaml

    names = list(yaml.safe_load((project / "dvc.yaml").read_text())["stages"])
    dot = subprocess.run(
        ["dvc", "dag", "--dot"], cwd=project, env=ENV, capture_output=True, text=True, check=True
    ).stdout
    edges = re.findall(r'"?([\w.:/-]+)"?\s*->\s*"?([\w.:/-]+)"?', dot)
    before: dict[str, set[str]] = {n: set() for n in names}
    for a, b in edges:
        if a in before and b in before:
            before[b].add(a)
    ordered: list[str] = []
    while len(ordered) < len(names):
        ready = [n for n in names if n not in ordered and before[n] <= set(ordered)]
        if not ready:  # a cycle cannot be: DVC refuses it; keep file order then
            return names
        ordered.append(ready[0])
    return ordered


def params(project: Path) -> dict[str, Any]:
    import yaml

    loaded: dict[str, Any] = yaml.safe_load((project / "params.yaml").read_text())
    return loaded


def model_size(project: Path) -> float:
    path = project / params(project)["paths"]["model"]
    return round(path.stat().st_size / MIB, 2) if path.is_file() else float("nan")


def package_of(project: Path) -> str | None:
    """The generated package: the folder holding `stages/`."""
    found = [p.parent.parent.name for p in project.glob("*/stages/__init__.py")]
    return found[0] if found else None


def new(work: Path, data: Path, name: str, log: Path, *extra: str, timeout: float | None = None
        ) -> Run:  # fmt: skip
    args = [str(BIN / "mlproj"), "new", name, "--data", str(data), "--target", "label"]
    return measured([*args, "--no-input", "-o", str(work), *extra], work, log, timeout)


def per_stage(
    work: Path, data: Path, name: str, log: Path, breakdown: bool, timeout: float | None
) -> dict[str, Any]:
    """Render without running, then each stage alone, in order, each in its own process.

    A stage that fails or outlives TIMEOUT ends the pass: `_stopped` names it.
    """
    checked(new(work, data, name, log, "--no-run"), "mlproj new --no-run", log)
    project = work / name
    package = package_of(project)
    result: dict[str, Any] = {}
    for stage in stages_in_order(project):
        run = measured(["dvc", "repro", "-s", stage], project, log, timeout)
        if run.code != 0:
            result["_stopped"] = {"stage": stage, **dataclasses.asdict(run)}
            break
        entry: dict[str, Any] = {"run": run}
        if breakdown:
            entry["dvc"] = measured(["dvc", "repro", "-s", stage], project, log)
            module = f"{package}.stages.{stage}"
            if package and (project / package / "stages" / f"{stage}.py").is_file():
                importing = [sys.executable, "-c", f"import {module}"]
                entry["imports"] = measured(importing, project, log)
        result[stage] = entry
    result["_model_mib"] = model_size(project)
    return result


def floor(work: Path, data: Path, project: Path, log: Path) -> tuple[Run, dict[str, float]]:
    """bench/floor.py on the same file and the same rendered project's settings."""
    report = work / "floor.json"
    args = [sys.executable, str(HERE / "floor.py"), "--data", str(data), "--project", str(project)]
    run = measured([*args, "--out", str(work / "floor-out"), "--json", str(report)], work, log)
    checked(run, "bench/floor.py", log)
    phases = json.loads(report.read_text())
    return run, {**phases["phases"], **{f"{k}_cpu": v for k, v in phases["phases_cpu"].items()}}


# ---------------------------------------------------------------------------- one size


def bench_size(rows: int, repeat: int, args: argparse.Namespace) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix=f"mlproj-scale-{rows}-"))
    print(f"# {rows:,} rows: working in {work}", file=sys.stderr)
    try:
        data = work / "table.parquet"
        t0 = time.perf_counter()
        write_table(data, rows, seed=args.seed)
        out: dict[str, Any] = {
            "rows": rows,
            "file_mib": round(data.stat().st_size / MIB, 1),
            "generate_s": round(time.perf_counter() - t0, 1),
        }
        if not args.no_whole:
            whole(work, data, repeat, args, out)
        if not args.no_stages:
            stage_pass(work, data, repeat, args, out)
        return out
    finally:
        if args.keep:
            print(f"# kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


def whole(work: Path, data: Path, repeat: int, args: argparse.Namespace, out: dict[str, Any]
          ) -> None:  # fmt: skip
    """`mlproj new --data` as a user runs it, REPEAT times (the first failure ends it)."""
    log = work / "bench.log"
    totals: list[Run] = []
    for i in range(repeat):
        run = new(work, data, f"full{i}", log, timeout=args.timeout)
        totals.append(run)
        if run.code != 0:
            out["failed"] = dataclasses.asdict(run)
            out["log_tail"] = log.read_text(errors="replace").splitlines()[-40:]
            break
        out["model_mib"] = model_size(work / f"full{i}")
        shutil.rmtree(work / f"full{i}")
    out["new"] = median_run(totals)
    out["new_runs"] = [dataclasses.asdict(r) for r in totals]


def stage_pass(work: Path, data: Path, repeat: int, args: argparse.Namespace, out: dict[str, Any]
               ) -> None:  # fmt: skip
    """Each stage alone, REPEAT times; then, with --floor, the floor on the same project."""
    log = work / "bench.log"
    runs: list[dict[str, Any]] = []
    for i in range(repeat):
        staged = per_stage(work, data, f"staged{i}", log, args.floor, args.stage_timeout)
        runs.append(staged)
        if "_stopped" in staged:
            out["stages_stopped"] = staged["_stopped"]
            runs = [staged]
            break
        if not (args.floor and i == repeat - 1):
            shutil.rmtree(work / f"staged{i}")
    names = [n for n in runs[0] if not n.startswith("_")]
    out["stages"] = {
        n: {kind: median_run([r[n][kind] for r in runs]) for kind in runs[0][n]} for n in names
    }
    if "stages_stopped" in out:
        return
    out["stages_model_mib"] = runs[0]["_model_mib"]
    if args.floor:
        project = work / f"staged{repeat - 1}"
        floors = [floor(work, data, project, log) for _ in range(repeat)]
        out["floor"] = median_run([f[0] for f in floors])
        out["floor_phases"] = {
            k: round(statistics.median(f[1][k] for f in floors), 2) for k in floors[0][1]
        }


# ---------------------------------------------------------------------------- penguins


def bench_penguins(repeat: int) -> dict[str, Any]:
    """Cold and no-op `dvc repro` of the default project (outputs and DVC caches wiped)."""
    work = Path(tempfile.mkdtemp(prefix="mlproj-scale-penguins-"))
    log = work / "bench.log"
    try:
        args = [str(BIN / "mlproj"), "new", "demo", "--no-input", "--no-run", "-o", str(work)]
        checked(measured(args, work, log), "mlproj new demo --no-run", log)
        project = work / "demo"
        cold, noop = [], []
        for _ in range(repeat):
            _wipe(project)
            cold.append(checked(measured(["dvc", "repro"], project, log), "dvc repro", log))
            noop.append(checked(measured(["dvc", "repro"], project, log), "dvc repro", log))
        return {
            "cold": median_run(cold),
            "noop": median_run(noop),
            "cold_runs": [dataclasses.asdict(r) for r in cold],
            "noop_runs": [dataclasses.asdict(r) for r in noop],
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _wipe(project: Path) -> None:
    """What a first `dvc repro` finds: no outputs, no lock, no cache (run cache included)."""
    subprocess.run(["git", "checkout", "-q", "--", "."], cwd=project, env=ENV, check=False)
    subprocess.run(["git", "clean", "-fdxq"], cwd=project, env=ENV, check=True)
    for name in (".dvc/cache", ".dvc/tmp"):
        shutil.rmtree(project / name, ignore_errors=True)


# ---------------------------------------------------------------------------- reporting


def markdown(results: dict[str, Any]) -> Iterator[str]:
    for size in results.get("sizes", []):
        yield f"\n## {size['rows']:,} rows x 20 columns ({size['file_mib']} MiB of Parquet)\n"
        yield "| what | wall (s) | CPU (s) | peak RSS (MiB) |"
        yield "| --- | --- | --- | --- |"
        new = size.get("new")
        if new:
            yield f"| `mlproj new`, whole | {new['wall']} | {new['cpu']} | {new['rss']:.0f} |"
        total = {"wall": 0.0, "cpu": 0.0, "rss": 0.0}
        for name, kinds in size.get("stages", {}).items():
            run = kinds["run"]
            yield f"| `{name}` | {run['wall']} | {run['cpu']} | {run['rss']:.0f} |"
            total = {k: total[k] + run[k] if k != "rss" else max(total[k], run[k]) for k in total}
        if size.get("stages"):
            yield (
                f"| stages, sum (peak: max) | {total['wall']:.1f} | {total['cpu']:.1f} | "
                f"{total['rss']:.0f} |"
            )
        for key, what in (("failed", "`mlproj new`"), ("stages_stopped", "The stage pass")):
            if key in size:
                run = size[key]
                where = ", ".join(f"{k} {v:.0f} s" for k, v in run["seen"].items())
                yield (
                    f"\n{what} stopped (exit {run['code']}) after {run['wall']:.0f} s wall, "
                    f"{run['cpu']:.0f} s CPU, {run['rss']:.0f} MiB peak"
                    f"{' in stage ' + run['stage'] if 'stage' in run else ''}; stages seen "
                    f"running: {where or 'none'}; largest process-tree RSS sampled: "
                    f"{run['tree_rss']:.0f} MiB."
                )
        if "model_mib" in size or "stages_model_mib" in size:
            yield f"\nModel file: {size.get('model_mib', size.get('stages_model_mib'))} MiB."
        if "floor" in size:
            yield from _floor_lines(size, new, total)
        if any("dvc" in kinds for kinds in size.get("stages", {}).values()):
            yield from _breakdown(size)


def _floor_lines(
    size: dict[str, Any], new: dict[str, float] | None, total: dict[str, float]
) -> Iterator[str]:
    floor = size["floor"]
    ratios = [("the stages one by one", total)] + ([("`mlproj new`", new)] if new else [])
    shown = "; ".join(
        f"{what} / floor = **{run['wall'] / floor['wall']:.2f}x** wall, "
        f"{run['cpu'] / floor['cpu']:.2f}x CPU"
        for what, run in reversed(ratios)
    )
    yield (
        f"\nFloor (`bench/floor.py`, one process): {floor['wall']} s wall, {floor['cpu']} s CPU, "
        f"{floor['rss']:.0f} MiB; {shown}."
    )
    phases = size["floor_phases"]
    shown = ", ".join(
        f"{k} {v} / {phases.get(k + '_cpu', '?')}" for k, v in phases.items() if "_cpu" not in k
    )
    yield f"Floor phases (wall / CPU s): {shown}."


# The floor's phases that do what each stage does; the floor's imports are paid once.
FLOOR_PARTS = {
    "validate": ("read", "validate"),
    "split": ("split",),
    "train": ("fit", "save"),
    "evaluate": ("score",),
    "explain": ("shap", "report"),
}


def _breakdown(size: dict[str, Any]) -> Iterator[str]:
    phases = size.get("floor_phases", {})
    yield "\nWhere each stage's time goes. Each cell: wall / CPU seconds"
    yield "(the floor's part: its phases that do the same work).\n"
    yield (
        "| stage | whole | fresh interpreter + imports | DVC alone (no-op) | the rest "
        "| the floor's part |"
    )
    yield "| --- | --- | --- | --- | --- | --- |"
    for name, kinds in size["stages"].items():
        cells = []
        for part in ("run", "imports", "dvc"):
            run = kinds.get(part, {"wall": 0.0, "cpu": 0.0})
            cells.append(f"{run['wall']:.1f} / {run['cpu']:.1f}")
        rest = {
            key: kinds["run"][key] - sum(kinds.get(p, {}).get(key, 0.0) for p in ("imports", "dvc"))
            for key in ("wall", "cpu")
        }
        cells.append(f"{rest['wall']:.1f} / {rest['cpu']:.1f}")
        parts = FLOOR_PARTS.get(name, ())
        wall, cpu = (sum(phases.get(p + kind, 0.0) for p in parts) for kind in ("", "_cpu"))
        cells.append(f"{wall:.1f} / {cpu:.1f}" if phases and parts else "")
        yield f"| `{name}` | {' | '.join(cells)} |"


def machine() -> dict[str, Any]:
    load = os.getloadavg()
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "load_before": [round(x, 2) for x in load],
        "mem_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, action="append", default=[])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--floor", action="store_true", help="run bench/floor.py beside")
    parser.add_argument("--penguins", action="store_true", help="cold and no-op dvc repro")
    parser.add_argument("--no-stages", action="store_true", help="only the whole mlproj new")
    parser.add_argument("--no-whole", action="store_true", help="only the stage-by-stage pass")
    parser.add_argument("--timeout", type=float, help="kill `mlproj new` after this many s")
    parser.add_argument("--stage-timeout", type=float, help="kill a stage after this many s")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders")
    parser.add_argument("--out", type=Path, help="write every figure here as JSON")
    args = parser.parse_args()
    if not args.rows and not args.penguins:
        args.rows = [100_000]
    results: dict[str, Any] = {"machine": machine(), "sizes": []}
    for rows in args.rows:
        results["sizes"].append(bench_size(rows, args.repeat, args))
        _save(results, args.out)
    if args.penguins:
        results["penguins"] = bench_penguins(args.repeat)
        _save(results, args.out)
    m = results["machine"]
    print(f"{m['date']}; {m['nproc']} cores, Python {m['python']}, load {m['load_before']}")
    for line in markdown(results):
        print(line)
    if "penguins" in results:
        cold, noop = results["penguins"]["cold"], results["penguins"]["noop"]
        print("\n## The default (penguins) project\n")
        print("| what | wall (s) | CPU (s) | peak RSS (MiB) |\n| --- | --- | --- | --- |")
        print(f"| cold `dvc repro` | {cold['wall']} | {cold['cpu']} | {cold['rss']:.0f} |")
        print(f"| no-op `dvc repro` | {noop['wall']} | {noop['cpu']} | {noop['rss']:.0f} |")


def _save(results: dict[str, Any], out: Path | None) -> None:
    if out:
        out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
