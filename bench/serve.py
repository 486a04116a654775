"""Benchmark: `mlproj serve` under a real HTTP load generator, beside scoring in-process.

    apt-get install hey                                  # Debian's HTTP load generator
    nice python bench/serve.py                           # renders a penguins project first
    nice python bench/serve.py --project demo --requests 1000 --out serve.json

1. A penguins project: `mlproj new demo --no-input` in a temporary folder (its first
   `dvc repro` trains the model), or `--project DIR` to reuse one.
2. `mlproj serve --model models/model.skops` on a free loopback port, as a subprocess.
3. `hey` posts the same body `--requests` times, for one row and for 100 rows per request,
   at concurrency 1, 8 and 32: requests/s (answered requests over the time from the first
   request sent to the last answer) and p50/p95/p99 latency, from hey's per-request CSV
   (`-o csv`).
4. Faults: one run of good single-row requests while two other `hey` processes send
   malformed JSON and rows that break the data contract: every good request must get 200 and
   every bad one 422.
5. The service is stopped with SIGTERM (it flushes its log); the prediction log's rows are
   counted against what hey saw answered (200s x rows per request, the warm-up included) and
   the refused rows against the 422s of contract breaks: none may be lost.
6. A second service is killed with SIGKILL right after a short burst: what that loses (at most
   the rows not yet flushed, `serve.log.flush_rows` / `flush_seconds`) is counted and shown.
7. The floor: the same rows scored in-process by the same model (`model.predict`, and
   `predict_proba`, which the service calls, on one row and on 100 rows; medians of
   `time.perf_counter`; OpenMP and BLAS at one thread, as the service runs them).

Prints Markdown tables (with the load average before and after: hey and the service share the
machine's cores) and writes every figure as JSON (`--out`). Runs only public commands and
`mlproj.predictionlog.schema.read_log`, so it measures whichever mlproj is installed.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent
HEY = shutil.which("hey") or "/usr/bin/hey"
ENV = {
    **os.environ,
    "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
    "DVC_NO_ANALYTICS": "1",
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@localhost",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@localhost",
}
CONCURRENCY = (1, 8, 32)
BATCH = 100
BAD_JSON = b'{"rows": [{"bill_length_mm": 39.1,'


# ---------------------------------------------------------------------------- the project


def render(work: Path) -> Path:
    """`mlproj new demo --no-input` in WORK: the penguins project, trained and committed."""
    args = [str(BIN / "mlproj"), "new", "demo", "--no-input", "--quiet", "-o", str(work)]
    done = subprocess.run(args, cwd=work, env=ENV, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"mlproj new failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return work / "demo"


def settings(project: Path) -> dict[str, Any]:
    """params.yaml's `serve:` block, with the template's defaults for an older project."""
    import yaml

    params = yaml.safe_load((project / "params.yaml").read_text()) or {}
    log = {"path": "logs/predictions", "flush_rows": 1000, "flush_seconds": 5}
    log.update((params.get("serve") or {}).get("log") or {})
    return {"log": log, "params": params}


def feature_rows(project: Path, params: dict[str, Any]) -> Any:
    """The features of the test split (rows that keep the contract), at least BATCH of them."""
    import pandas as pd

    from mlproj.project.project import open_project

    data = params["data"]
    path = project / data.get("test", data.get("train"))
    frame = pd.read_parquet(path) if path.suffix in (".parquet", ".pq") else pd.read_csv(path)
    features = list(open_project(project).features)
    frame = frame[features]
    while len(frame) < BATCH:
        frame = pd.concat([frame, frame], ignore_index=True)
    return frame.iloc[:BATCH].reset_index(drop=True)


def body(rows: Any) -> bytes:
    """`{"rows": [...]}` with gaps as JSON null."""
    records: str = rows.to_json(orient="records")
    return b'{"rows": ' + records.encode() + b"}"


def broken(rows: Any, params: dict[str, Any]) -> bytes:
    """One row that breaks the contract: a numeric feature given as text."""
    row = json.loads(rows.iloc[:1].to_json(orient="records"))
    numeric = params["data"].get("numeric") or []
    column = numeric[0] if numeric else next(iter(row[0]))
    row[0][column] = "heavy"
    return json.dumps({"rows": row}).encode()


# ---------------------------------------------------------------------------- the service


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Service:
    """`mlproj serve` as a subprocess in its own session, stopped by signal."""

    def __init__(self, project: Path, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        args = [str(BIN / "mlproj"), "serve", "--model", "models/model.skops"]
        args += ["--host", "127.0.0.1", "--port", str(self.port), "--project", str(project)]
        self.log = log
        with log.open("ab") as out:
            out.write(f"\n$ {' '.join(args)}\n".encode())
            self.proc = subprocess.Popen(
                args, cwd=project, env=ENV, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip

    def wait_ready(self, timeout: float = 180.0) -> float:
        """Seconds until /health answers (imports and the model's load)."""
        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            if self.proc.poll() is not None:
                raise SystemExit(f"mlproj serve exited ({self.proc.returncode}):\n{self.tail()}")
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"{self.url}/health", timeout=2) as answer,
            ):
                if answer.status == 200:
                    return time.perf_counter() - start
            time.sleep(0.2)
        self.stop(signal.SIGKILL)
        raise SystemExit(f"mlproj serve did not answer /health in {timeout:.0f} s:\n{self.tail()}")

    def post(self, data: bytes) -> tuple[int, dict[str, Any]]:
        request = urllib.request.Request(
            f"{self.url}/predict", data=data, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def metrics(self) -> dict[str, float]:
        """The log's counters from /metrics (names without labels)."""
        with urllib.request.urlopen(f"{self.url}/metrics", timeout=10) as answer:
            text = answer.read().decode()
        found: dict[str, float] = {}
        for name in (
            "mlproj_log_rows_written_total",
            "mlproj_log_rows_dropped_total",
            "mlproj_log_rows_failed_total",
        ):
            values = re.findall(rf"^{name}(?:{{[^}}]*}})? ([0-9.e+-]+)$", text, re.M)
            found[name] = sum(float(v) for v in values)
        return found

    def stop(
        self, how: signal.Signals = signal.SIGTERM, timeout: float = 60.0
    ) -> tuple[int, float]:
        """Send HOW; the exit code and the seconds it took to exit."""
        start = time.perf_counter()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, how)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            code = self.proc.wait()
        return code, round(time.perf_counter() - start, 2)

    def tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-30:])


# ---------------------------------------------------------------------------- load


def sendable(requests: int, concurrency: int) -> int:
    """What hey sends for `-n REQUESTS -c CONCURRENCY`: each worker sends n // c requests."""
    return max(1, requests // concurrency) * concurrency


def hey(url: str, payload: Path, requests: int, concurrency: int) -> subprocess.Popen[str]:
    """Start hey: REQUESTS posts of PAYLOAD, CONCURRENCY at a time, one CSV line per answer.

    REQUESTS must be a multiple of CONCURRENCY (`sendable`), so the count hey sends is known.
    """
    args = [HEY, "-n", str(requests), "-c", str(concurrency), "-m", "POST"]
    args += ["-T", "application/json", "-D", str(payload), "-o", "csv", f"{url}/predict"]
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def outcome(proc: subprocess.Popen[str], sent: int) -> dict[str, Any]:
    """Answers by status, latency percentiles of the 200s and requests/s, from hey's CSV.

    hey writes a line per answered request (response-time and offset in seconds); a request
    that got no answer at all (refused connection, timeout) has no line, so it is counted as
    `no_answer` from the number sent.
    """
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"hey failed ({proc.returncode}): {err.strip()}")
    lines = list(csv.DictReader(io.StringIO(out)))
    statuses: dict[str, int] = {}
    for line in lines:
        statuses[line["status-code"]] = statuses.get(line["status-code"], 0) + 1
    ok = sorted(float(line["response-time"]) for line in lines if line["status-code"] == "200")
    ends = [float(line["offset"]) + float(line["response-time"]) for line in lines]
    span = max(ends) - min(float(line["offset"]) for line in lines) if lines else 0.0
    return {
        "sent": sent,
        "statuses": statuses,
        "no_answer": sent - len(lines),
        "requests_per_s": round(len(ok) / span, 1) if span else 0.0,
        "p50_ms": percentile(ok, 50),
        "p95_ms": percentile(ok, 95),
        "p99_ms": percentile(ok, 99),
        "seconds": round(span, 2),
    }


def percentile(sorted_seconds: list[float], q: float) -> float | None:
    """The nearest-rank percentile, in milliseconds."""
    if not sorted_seconds:
        return None
    rank = max(1, -(-len(sorted_seconds) * q // 100))
    return round(sorted_seconds[int(rank) - 1] * 1000, 1)


def load(service: Service, bodies: dict[int, Path], requests: int) -> list[dict[str, Any]]:
    """Each body at each concurrency, one hey run at a time."""
    results = []
    for rows, payload in bodies.items():
        for concurrency in CONCURRENCY:
            sent = sendable(requests, concurrency)
            run = outcome(hey(service.url, payload, sent, concurrency), sent)
            results.append({"rows": rows, "concurrency": concurrency, **run})
            print(f"# {rows} row(s) at concurrency {concurrency}: {run}", file=sys.stderr)
    return results


def faults(service: Service, good: Path, bad_json: Path, breaking: Path, requests: int
           ) -> dict[str, Any]:  # fmt: skip
    """Good single rows at concurrency 8 while malformed JSON and contract breaks hit too."""
    good_n, bad_n = sendable(requests, 8), sendable(requests // 2, 4)
    runs = {
        "good": (hey(service.url, good, good_n, 8), good_n),
        "bad_json": (hey(service.url, bad_json, bad_n, 4), bad_n),
        "contract_break": (hey(service.url, breaking, bad_n, 4), bad_n),
    }
    found: dict[str, Any] = {name: outcome(proc, sent) for name, (proc, sent) in runs.items()}
    found["good_all_200"] = found["good"]["statuses"] == {"200": good_n}
    found["bad_all_422"] = all(
        found[name]["statuses"] == {"422": runs[name][1]} for name in ("bad_json", "contract_break")
    )
    return found


# ---------------------------------------------------------------------------- the log


def log_counts(folder: Path) -> dict[str, int]:
    """Rows of the prediction log by role."""
    from mlproj.predictionlog.schema import ROLE, read_log

    frame = read_log(folder, columns=[ROLE])
    return {str(k): int(v) for k, v in frame[ROLE].value_counts().items()}


def killed(project: Path, work: Path, good: Path, folder: Path, requests: int) -> dict[str, Any]:
    """A burst of single rows, then SIGKILL at once: what the unflushed batch costs."""
    before = log_counts(folder).get("primary", 0)
    service = Service(project, work / "serve-killed.log")
    service.wait_ready()
    sent = sendable(requests, 8)
    run = outcome(hey(service.url, good, sent, 8), sent)
    code, _ = service.stop(signal.SIGKILL)
    logged = log_counts(folder).get("primary", 0) - before
    answered = run["statuses"].get("200", 0)
    return {"answered": answered, "logged": logged, "lost": answered - logged, "exit": code}


# ---------------------------------------------------------------------------- the floor


def floor(project: Path, rows: Any, repeat: int) -> dict[str, float]:
    """Median milliseconds of the same model scoring the same rows in this process.

    With OpenMP and BLAS at one thread, as `mlproj serve` runs its models.
    """
    from threadpoolctl import threadpool_limits

    from mlproj.project.project import open_project

    model = open_project(project).load_model()
    with threadpool_limits(limits=1):
        return _timed(model, rows, repeat)


def _timed(model: Any, rows: Any, repeat: int) -> dict[str, float]:
    found: dict[str, float] = {}
    for n in (1, BATCH):
        frame = rows.iloc[:n]
        for method in ("predict", "predict_proba"):
            if not hasattr(model, method):
                continue
            call = getattr(model, method)
            call(frame)  # the first call pays for lazy set-up
            times = []
            for _ in range(repeat):
                start = time.perf_counter()
                call(frame)
                times.append(time.perf_counter() - start)
            found[f"{method}_{n}_ms"] = round(statistics.median(times) * 1000, 2)
    return found


# ---------------------------------------------------------------------------- the run


def machine() -> dict[str, Any]:
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "load_before": [round(x, 2) for x in os.getloadavg()],
    }


def bench(project: Path, work: Path, args: argparse.Namespace) -> dict[str, Any]:
    config = settings(project)
    rows = feature_rows(project, config["params"])
    bodies = {1: work / "one.json", BATCH: work / "batch.json"}
    bodies[1].write_bytes(body(rows.iloc[:1]))
    bodies[BATCH].write_bytes(body(rows))
    bad_json, breaking = work / "bad.json", work / "break.json"
    bad_json.write_bytes(BAD_JSON)
    breaking.write_bytes(broken(rows, config["params"]))
    folder = project / config["log"]["path"]
    before = log_counts(folder)  # a reused project's log already holds rows: count the growth

    results: dict[str, Any] = {"machine": machine(), "settings": config["log"]}
    results["floor"] = floor(project, rows, args.floor_repeat)
    service = Service(project, work / "serve.log")
    try:
        results["start_s"] = round(service.wait_ready(), 2)
        warm = [service.post(bodies[n].read_bytes())[0] for n in (1, BATCH)]
        if warm != [200, 200]:
            raise SystemExit(f"warm-up answered {warm}:\n{service.tail()}")
        results["load"] = load(service, bodies, args.requests)
        results["faults"] = faults(service, bodies[1], bad_json, breaking, args.requests)
        results["metrics_before_stop"] = service.metrics()
    finally:
        results["sigterm"] = dict(zip(("exit", "seconds"), service.stop(), strict=True))
    results["log"] = count(results, folder, before)
    if not args.no_kill:
        results["sigkill"] = killed(project, work, bodies[1], folder, args.kill_requests)
    results["machine"]["load_after"] = [round(x, 2) for x in os.getloadavg()]
    return results


def count(results: dict[str, Any], folder: Path, before: dict[str, int]) -> dict[str, Any]:
    """The rows the log gained against the answers hey saw (warm-up: 1 + BATCH rows)."""
    answered = 1 + BATCH + sum(r["statuses"].get("200", 0) * r["rows"] for r in results["load"])
    answered += results["faults"]["good"]["statuses"].get("200", 0)
    refused = results["faults"]["contract_break"]["statuses"].get("422", 0)
    logged = {k: v - before.get(k, 0) for k, v in log_counts(folder).items()}
    return {
        "answered_rows": answered,
        "logged_primary": logged.get("primary", 0),
        "refused_rows": refused,
        "logged_refused": logged.get("refused", 0),
        "lost": answered - logged.get("primary", 0),
        "by_role": logged,
    }


def markdown(results: dict[str, Any]) -> Iterator[str]:
    m, f = results["machine"], results["floor"]
    yield (
        f"{m['date']}; {m['nproc']} cores, Python {m['python']}; load average "
        f"{m['load_before']} before, {m.get('load_after')} after; service ready in "
        f"{results['start_s']} s\n"
    )
    yield "| rows / request | concurrency | answered | requests/s | rows/s | p50 | p95 | p99 (ms) |"
    yield "| --- | --- | --- | --- | --- | --- | --- | --- |"
    for r in results["load"]:
        ok = r["statuses"].get("200", 0)
        answers = f"{ok}/{r['sent']}" + ("" if ok == r["sent"] else f" {r['statuses']}")
        rate = r["requests_per_s"]
        yield (
            f"| {r['rows']} | {r['concurrency']} | {answers} | {rate} | {rate * r['rows']:.0f} "
            f"| {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} |"
        )
    for n in (1, BATCH):
        proba = f.get(f"predict_proba_{n}_ms")
        shown = f"`predict` {f[f'predict_{n}_ms']} ms" + (
            f", `predict_proba` {proba} ms" if proba is not None else ""
        )
        yield f"| {n}, in-process floor | 1 | {shown} | | | | | |"
    faults, log = results["faults"], results["log"]
    yield (
        f"\nFaults, at once: {faults['good']['sent']} good single rows (concurrency 8): "
        f"{faults['good']['statuses']}, p99 {faults['good']['p99_ms']} ms; "
        f"{faults['bad_json']['sent']} malformed JSON: {faults['bad_json']['statuses']}; "
        f"{faults['contract_break']['sent']} contract breaks: "
        f"{faults['contract_break']['statuses']}. Good all 200: {faults['good_all_200']}; "
        f"bad all 422: {faults['bad_all_422']}."
    )
    stop = results["sigterm"]
    yield (
        f"\nLog after SIGTERM (exit {stop['exit']} in {stop['seconds']} s): "
        f"{log['logged_primary']} primary rows for {log['answered_rows']} answered "
        f"(lost {log['lost']}); {log['logged_refused']} refused rows for "
        f"{log['refused_rows']} contract breaks. Dropped by the writer (metrics): "
        f"{results['metrics_before_stop'].get('mlproj_log_rows_dropped_total')}."
    )
    if "sigkill" in results:
        k, s = results["sigkill"], results["settings"]
        yield (
            f"\nSIGKILL right after {k['answered']} answered single rows: {k['logged']} logged, "
            f"{k['lost']} lost (flush every {s['flush_rows']} rows or {s['flush_seconds']} s)."
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--project", type=Path, help="reuse this project (its model trained)")
    parser.add_argument("--requests", type=int, default=500, help="per hey run (default 500)")
    parser.add_argument("--kill-requests", type=int, default=200)
    parser.add_argument("--no-kill", action="store_true", help="skip the SIGKILL run")
    parser.add_argument("--floor-repeat", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--out", type=Path, help="write every figure here as JSON")
    args = parser.parse_args()
    if not Path(HEY).is_file():
        raise SystemExit("hey is not installed: apt-get install hey")
    work = Path(tempfile.mkdtemp(prefix="mlproj-bench-serve-"))
    try:
        project = args.project.resolve() if args.project else render(work)
        results = bench(project, work, args)
    finally:
        if args.keep:
            print(f"# kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    if args.out:
        args.out.write_text(json.dumps(results, indent=2) + "\n")
    for line in markdown(results):
        print(line)


if __name__ == "__main__":
    main()
