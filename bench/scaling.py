"""Benchmark: the same 4-point sweep run here, and with its training on a loopback Dask cluster.

    python bench/scaling.py --rows 100000 --repeat 3              # medians of three per mode
    nice python bench/scaling.py --rows 1000000 --out scaling.json  # one run per mode
    python bench/scaling.py --rows 100000 --modes dask            # one mode only

For each size: the seeded table of bench/scale.py (N rows x 20 columns, a binary label) and a
project made from it with `mlproj new --data` (its first `dvc repro` is measured too, apart),
with a 4-point sweep committed in conf/sweep/default.yaml (`model.learning_rate` 0.05, 0.2 x
`model.max_leaf_nodes` 15, 63: none of them the defaults, so every point trains). Then, for
each repeat, the modes in turn:

- `local`: `mlproj sweep --jobs 2` (two DVC queue workers, every stage on this machine);
- `dask`:  `dask scheduler` and two `dask worker --nthreads 1` on loopback, started by the
  bench (their start-up timed apart), then `mlproj sweep --jobs 2 --set compute=dask --set
  compute.address=ADDRESS`; the cluster is stopped after the sweep.

Before each sweep the previous experiments and DVC's run cache are removed, so no stage is
restored instead of run. Measured per sweep: wall time; CPU seconds (user + system) of the
sweep's processes, DVC's detached queue workers included (the bench makes itself their
"subreaper" so they are reaped, and counted, here), and of the cluster's processes; the peak
resident memory (high-water mark) of the largest process on each side; and what the
experiments recorded in reports/compute/train.json (backend, workers, tasks). Medians over
`--repeat`. Prints Markdown tables and writes every figure as JSON (`--out`).

One machine cannot show a cluster's gain: the workers share its cores with the sweep. What this
measures is the cost of sending the work to a cluster: connecting, shipping the training table
and the fitted model, the scheduler's bookkeeping.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import resource
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale import BIN, ENV, MIB, _children, machine, write_table

SWEEP = """\
# Written by bench/scaling.py: 2 x 2 = 4 points, none of them the defaults.
metric: balanced_accuracy
sweep:
  model.learning_rate: [0.05, 0.2]
  model.max_leaf_nodes: [15, 63]
"""
TICK = os.sysconf("SC_CLK_TCK")
PR_SET_CHILD_SUBREAPER = 36


def sh(args: list[str], cwd: Path, log: Path) -> None:
    with log.open("ab") as out:
        out.write(f"\n$ {' '.join(args)}\n".encode())
        out.flush()
        done = subprocess.run(args, cwd=cwd, env=ENV, stdout=out, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}); {log}:\n{tail}")


# ---------------------------------------------------------------------------- processes


def tree(root: int) -> list[int]:
    """ROOT and every live process under it."""
    children, stack, found = _children(), [root], []
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack += children.get(pid, [])
    return found


def cpu_of(pids: list[int]) -> float:
    """User + system seconds the live processes PIDS have used so far."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICK


def hwm_of(pid: int) -> float:
    """PID's peak resident memory so far (VmHWM), MiB."""
    with contextlib.suppress(OSError, ValueError, StopIteration):
        text = Path(f"/proc/{pid}/status").read_text()
        line = next(x for x in text.splitlines() if x.startswith("VmHWM:"))
        return int(line.split()[1]) / 1024
    return 0.0


def reap() -> None:
    """Collect every finished child (DVC's detached queue workers land here as orphans)."""
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


# ---------------------------------------------------------------------------- the cluster


class Cluster:
    """`dask scheduler` and two `dask worker --nthreads 1` on loopback, in FOLDER."""

    def __init__(self, folder: Path, log: Path) -> None:
        self.procs: list[subprocess.Popen[bytes]] = []
        self.out = log.open("ab")
        start = time.perf_counter()
        folder.mkdir(parents=True, exist_ok=True)
        file = folder / "scheduler.json"
        file.unlink(missing_ok=True)
        # As tests/servers.py starts them: away from the project (its code goes to the workers
        # by value, as on a real cluster), and allowed to start processes of their own.
        env = {**ENV, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
        common = ["--no-dashboard", "--scheduler-file", str(file)]
        scheduler = ["scheduler", "--host", "127.0.0.1", "--port", "0", *common]
        self._start([str(BIN / "dask"), *scheduler], folder, env)
        while not file.is_file() or not file.read_text().strip():
            self._alive()
            time.sleep(0.1)
        time.sleep(0.2)
        self.address = json.loads(file.read_text())["address"]
        for n in range(2):
            worker = ["worker", "--nthreads", "1", "--host", "127.0.0.1", *common]
            worker += ["--local-directory", str(folder / f"worker-{n}")]
            self._start([str(BIN / "dask"), *worker], folder, env)
        self._wait_for_workers(2)
        self.startup = time.perf_counter() - start

    def _start(self, args: list[str], cwd: Path, env: dict[str, str]) -> None:
        self.procs.append(
            subprocess.Popen(args, cwd=cwd, env=env, stdout=self.out, stderr=subprocess.STDOUT)
        )

    def _alive(self) -> None:
        for proc in self.procs:
            if proc.poll() is not None:
                raise SystemExit(f"{' '.join(map(str, proc.args))} exited ({proc.returncode})")  # type: ignore[arg-type]

    def _wait_for_workers(self, count: int) -> None:
        from distributed import Client

        with Client(self.address, timeout=30) as client:
            client.wait_for_workers(count, timeout=60)

    def pids(self) -> list[int]:
        return [pid for proc in self.procs for pid in tree(proc.pid)]

    def stop(self) -> None:
        for proc in reversed(self.procs):
            with contextlib.suppress(ProcessLookupError):
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.out.close()


# ---------------------------------------------------------------------------- one sweep


def measured_sweep(
    args: list[str], project: Path, log: Path, cluster: Cluster | None, timeout: float | None
) -> dict[str, Any]:
    """Run the sweep ARGS to its end and measure it, and the CLUSTER beside it."""
    reap()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cluster_before = cpu_of(cluster.pids()) if cluster else 0.0
    cluster_roots = set(cluster.pids()) if cluster else set()
    peak = {"sweep": 0.0, "cluster": 0.0}
    start = time.perf_counter()
    with log.open("ab") as out:
        out.write(f"\n$ {' '.join(args)}\n".encode())
        out.flush()
        proc = subprocess.Popen(args, cwd=project, env=ENV, stdout=out, stderr=subprocess.STDOUT)
        killed = False
        while True:
            for pid in tree(os.getpid())[1:]:
                side = "cluster" if pid in cluster_roots else "sweep"
                peak[side] = max(peak[side], hwm_of(pid))
            if cluster:
                for pid in cluster.pids():
                    peak["cluster"] = max(peak["cluster"], hwm_of(pid))
            if proc.poll() is not None:
                break
            if timeout is not None and time.perf_counter() - start > timeout:
                proc.kill()
                killed = True
            time.sleep(0.5)
        wall = time.perf_counter() - start
        cluster_cpu = (cpu_of(cluster.pids()) - cluster_before) if cluster else 0.0
        # DVC's queue workers outlive the sweep command by a moment: wait for them, reap them.
        deadline = time.monotonic() + 120
        while [p for p in tree(os.getpid())[1:] if p not in cluster_roots and p != proc.pid]:
            reap()
            if time.monotonic() > deadline:
                break
            time.sleep(0.2)
        reap()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "wall": round(wall, 2),
        "cpu": round(cpu, 2),
        "rss": round(peak["sweep"], 1),
        "cluster_cpu": round(cluster_cpu, 2),
        "cluster_rss": round(peak["cluster"], 1),
        "code": -9 if killed else proc.returncode,
    }


def recorded(project: Path) -> list[dict[str, Any]]:
    """Each experiment's reports/compute/train.json, as it left it (in git or DVC's cache)."""
    import dvc.api

    refs = subprocess.run(
        ["git", "for-each-ref", "--format=%(objectname)", "refs/exps/"],
        cwd=project, env=ENV, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    found = []
    for rev in refs:
        with contextlib.suppress(Exception):  # a stage that wrote none: nothing to count
            text = dvc.api.read("reports/compute/train.json", repo=str(project), rev=rev)
            found.append(json.loads(text))
    return found


def clean(project: Path, log: Path) -> None:
    """No experiments, no run cache, no table: the next sweep trains every point."""
    sh([str(BIN / "dvc"), "exp", "remove", "--all-commits", "--queue"], project, log)
    shutil.rmtree(project / ".dvc" / "cache" / "runs", ignore_errors=True)
    for name in ("sweep.csv", "sweep.md"):
        (project / "reports" / name).unlink(missing_ok=True)


def sweep_once(project: Path, mode: str, log: Path, timeout: float | None) -> dict[str, Any]:
    clean(project, log)
    args = [str(BIN / "mlproj"), "sweep", "--jobs", "2", "--quiet"]
    cluster = Cluster(project.parent / "cluster", log) if mode == "dask" else None
    try:
        if cluster:
            args += ["--set", "compute=dask", "--set", f"compute.address={cluster.address}"]
        run = measured_sweep(args, project, log, cluster, timeout)
        if cluster:
            run["cluster_startup"] = round(cluster.startup, 2)
    finally:
        if cluster:
            cluster.stop()
    records = recorded(project)
    run["experiments"] = len(records) or None
    run["backends"] = sorted({r.get("backend", "?") for r in records})
    run["tasks"] = [r.get("tasks") for r in records if "tasks" in r]
    run["load"] = [round(x, 2) for x in os.getloadavg()]
    if run["code"] != 0:
        tail = log.read_text(errors="replace").splitlines()[-30:]
        raise SystemExit(f"the {mode} sweep failed ({run['code']}); {log}:\n" + "\n".join(tail))
    return run


# ---------------------------------------------------------------------------- one size


def bench_size(rows: int, args: argparse.Namespace) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix=f"mlproj-scaling-{rows}-"))
    log = work / "bench.log"
    print(f"# {rows:,} rows: working in {work}", file=sys.stderr)
    try:
        data = work / "table.parquet"
        write_table(data, rows, seed=args.seed)
        out: dict[str, Any] = {"rows": rows, "file_mib": round(data.stat().st_size / MIB, 1)}
        start = time.perf_counter()
        new = [str(BIN / "mlproj"), "new", "big", "--data", str(data), "--target", "label"]
        sh([*new, "--no-input", "-o", str(work)], work, log)
        out["new_wall"] = round(time.perf_counter() - start, 1)
        project = work / "big"
        (project / "conf" / "sweep" / "default.yaml").write_text(SWEEP)
        sh(["git", "add", "conf/sweep/default.yaml"], project, log)
        sh(["git", "commit", "-q", "--no-verify", "-m", "The bench's sweep"], project, log)
        runs: dict[str, list[dict[str, Any]]] = {mode: [] for mode in args.modes}
        for i in range(args.repeat):
            for mode in args.modes:
                print(f"#   {mode}, run {i + 1} of {args.repeat}", file=sys.stderr)
                runs[mode].append(sweep_once(project, mode, log, args.timeout))
                out["modes"] = {
                    mode: {"median": median(r), "runs": r} for mode, r in runs.items() if r
                }
                if args.out:  # so far: a run cut short keeps the sweeps that ended
                    args.out.write_text(json.dumps({"partial": out}, indent=2) + "\n")
        out["modes"] = {mode: {"median": median(r), "runs": r} for mode, r in runs.items()}
        return out
    finally:
        if args.keep:
            print(f"# kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


KEYS = ("wall", "cpu", "rss", "cluster_cpu", "cluster_rss", "cluster_startup")


def median(runs: list[dict[str, Any]]) -> dict[str, float]:
    return {
        key: round(statistics.median(r[key] for r in runs), 2)
        for key in KEYS
        if all(key in r for r in runs)
    }


def markdown(results: dict[str, Any]) -> Iterator[str]:
    for size in results["sizes"]:
        yield (
            f"\n## {size['rows']:,} rows x 20 columns, 4 experiments, 2 at a time "
            f"(`mlproj new` first: {size['new_wall']} s)\n"
        )
        yield (
            "| mode | wall, each run (s) | wall (s) | CPU, sweep (s) | CPU, cluster (s) "
            "| CPU, total (s) | peak RSS, sweep (MiB) | peak RSS, cluster (MiB) "
            "| cluster start (s) | recorded by the last run |"
        )
        yield "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
        for mode, entry in size["modes"].items():
            m, runs = entry["median"], entry["runs"]
            walls = ", ".join(str(r["wall"]) for r in runs)
            total = m["cpu"] + m.get("cluster_cpu", 0.0)
            last = runs[-1]
            seen = ", ".join(last["backends"]) or "nothing"
            if last["tasks"]:
                seen += f", tasks {'/'.join(str(t) for t in last['tasks'])}"
            cluster = (
                f"{m['cluster_cpu']} | {total:.1f} | {m['rss']:.0f} | {m['cluster_rss']:.0f} "
                f"| {m['cluster_startup']}"
                if "cluster_startup" in m
                else f" | {total:.1f} | {m['rss']:.0f} | | "
            )
            yield f"| {mode} | {walls} | {m['wall']} | {m['cpu']} | {cluster} | {seen} |"
        loads = [r["load"] for e in size["modes"].values() for r in e["runs"]]
        yield f"\nLoad average after each sweep: {'; '.join(str(x) for x in loads)}."


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, action="append", default=[])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--modes", nargs="+", default=["local", "dask"], choices=["local", "dask"])
    parser.add_argument("--timeout", type=float, help="kill a sweep after this many s")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders")
    parser.add_argument("--out", type=Path, help="write every figure here as JSON")
    args = parser.parse_args()
    args.rows = args.rows or [100_000]
    # DVC's queue workers detach from the sweep: as their subreaper, the bench reaps and counts them
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        print("# not a subreaper: DVC's queue workers' CPU is not counted", file=sys.stderr)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    results: dict[str, Any] = {"machine": machine(), "sizes": []}
    for rows in args.rows:
        results["sizes"].append(bench_size(rows, args))
        if args.out:
            args.out.write_text(json.dumps(results, indent=2) + "\n")
    m = results["machine"]
    print(f"{m['date']}; {m['nproc']} cores, Python {m['python']}, load {m['load_before']}")
    for line in markdown(results):
        print(line)


if __name__ == "__main__":
    main()
