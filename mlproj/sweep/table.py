"""The sweep's result table: each experiment's parameters and metrics, the best one marked.

Built from `dvc exp show --json` (the metrics each experiment recorded) and the plan (the
values each point set), and written as reports/sweep.csv for tools and reports/sweep.md for
people. Both are committed: the sweep is evidence of how the model's settings were chosen, and
the experiments themselves live only in the local repository unless pushed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mlproj._core.text import number
from mlproj.sweep.plan import SweepPlan

SWEEP_CSV = "sweep.csv"
SWEEP_MD = "sweep.md"


@dataclass(frozen=True)
class SweepRow:
    """One experiment: its name, how it ended, the values it set and the metrics it scored."""

    name: str
    status: str
    values: tuple[str, ...]
    metrics: Mapping[str, Any]
    best: bool = False


def sweep_rows(
    plan: SweepPlan,
    names: Sequence[str],
    statuses: Mapping[str, str],
    shown: Any,
    metrics_file: str,
) -> list[SweepRow]:
    """A row per queued point (NAMES, in the plan's order), the best successful one marked.

    STATUSES maps a name to DVC's queue status; SHOWN is `dvc exp show --json`'s output.
    """
    recorded = dict(_experiments(shown, metrics_file))
    rows = []
    for name, point in zip(names, plan.points, strict=True):
        values = tuple(override.split("=", 1)[1] for override in point)
        status = statuses.get(name, "unknown").lower()
        rows.append(SweepRow(name, status, values, recorded.get(name, {})))
    ranked = [r for r in rows if _number(r.metrics.get(plan.metric)) is not None]
    if ranked:
        sign = -1.0 if plan.lower_is_better else 1.0
        best = max(ranked, key=lambda r: sign * float(r.metrics[plan.metric]))
        rows = [SweepRow(r.name, r.status, r.values, r.metrics, r is best) for r in rows]
    return rows


def metric_names(rows: Sequence[SweepRow]) -> list[str]:
    """Every metric any experiment recorded, in the order metrics.json lists them."""
    return list(dict.fromkeys(name for row in rows for name in row.metrics))


def to_csv(plan: SweepPlan, rows: Sequence[SweepRow]) -> str:
    """The table as CSV: experiment, status, one column per parameter and per metric, best."""
    metrics = metric_names(rows)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["experiment", "status", *plan.keys, *metrics, "best"])
    for row in rows:
        scores = ["" if row.metrics.get(m) is None else row.metrics[m] for m in metrics]
        writer.writerow([row.name, row.status, *row.values, *scores, "yes" if row.best else ""])
    return out.getvalue()


def to_markdown(plan: SweepPlan, rows: Sequence[SweepRow], commit: str) -> str:
    """The table for people: what was swept, from which commit, the best one first to read."""
    metrics = metric_names(rows)
    order = "lower" if plan.lower_is_better else "higher"
    best = next((row for row in rows if row.best), None)
    lines = [
        "# Hyper-parameter sweep",
        "",
        f"{len(rows)} experiments declared in `conf/sweep/default.yaml`, run by `mlproj sweep` "
        f"from commit {commit[:7]}, ranked by `{plan.metric}` ({order} is better).",
        "",
        f"Best: **{_cell(best.name)}**; `dvc exp apply {best.name}` brings its parameters and "
        "outputs into the workspace, to commit."
        if best
        else "No experiment recorded the ranking metric: none is marked best.",
        "",
        "| " + " | ".join(["experiment", "status", *plan.keys, *metrics]) + " |",
        "|" + "---|" * 2 + "---|" * len(plan.keys) + "---:|" * len(metrics),
    ]
    for row in rows:
        name = f"**{_cell(row.name)}** (best)" if row.best else _cell(row.name)
        cells = [name, row.status, *(f"`{_cell(v)}`" for v in row.values)]
        cells += [_score(row.metrics.get(m)) for m in metrics]
        lines.append("| " + " | ".join(cells) + " |")
    failed = [row.name for row in rows if row.status != "success"]
    if failed:
        lines += ["", f"Not successful: {', '.join(failed)}; its log: `dvc queue logs NAME`."]
    return "\n".join(lines) + "\n"


def _experiments(shown: Any, metrics_file: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(name, own metrics) for every named experiment revision in `dvc exp show --json`."""
    stack = list(shown) if isinstance(shown, list) else [shown]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        stack.extend(v for k, v in node.items() if k in ("experiments", "revs"))
        name, data = node.get("name"), node.get("data")
        if isinstance(name, str) and isinstance(data, dict) and "rev" in node:
            yield name, _own_metrics(data, metrics_file)


def _own_metrics(data: Mapping[str, Any], metrics_file: str) -> dict[str, Any]:
    """The model's own scores (top-level numbers) in METRICS_FILE, not the nested sections."""
    content = ((data.get("metrics") or {}).get(metrics_file) or {}).get("data") or {}
    return {k: v for k, v in content.items() if not isinstance(v, dict | list)}


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return None
    return float(value)


def _score(value: Any) -> str:
    number_ = _number(value)
    return "n/a" if number_ is None else number(number_)


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")
