"""The review report's feature section: what each feature is worth, against the base branch.

Read from `reports/features.json` at the base and in the workspace. Features added or removed
and ablation drops that changed are listed; unchanged features are counted, not repeated, so
a wide table stays short. Timings are shown but never called a change: they vary run to run.
"""

from __future__ import annotations

from typing import Any

from mlproj._core.text import number
from mlproj.errors import InvalidGates
from mlproj.gates.contribution import Contributions, FeatureContribution, parse_contributions

TITLE = "### Feature contributions"
MAX_ROWS = 20


def contribution_section(old: Any, new: Any) -> str:
    """Markdown for OLD (the base's parsed features.json, or None) against NEW (the workspace's)."""
    now = _parse(new)
    if now is None:
        return (
            f"{TITLE}\nNo feature report in the workspace (reports/features.json): run `dvc repro`."
        )
    before = _parse(old)
    lines = [TITLE, _intro(now)]
    if before is None or before.metric != now.metric:
        why = (
            "The base has no feature report to compare with."
            if before is None
            else f"The base measured drops in {before.metric}: not compared."
        )
        return "\n".join([*lines, why, "", *_table(now.features, {})])
    was = before.by_name()
    changed = [f for f in now.features if f.name not in was or _moved(was[f.name], f)]
    removed = [name for name in was if name not in now.by_name()]
    if not changed and not removed:
        return "\n".join([*lines, f"Unchanged: {len(now.features)} feature(s), the same drops."])
    if changed:
        lines += ["", *_table(changed, was)]
    if removed:
        lines.append(f"\nNo longer a feature: {', '.join(removed)}.")
    same = len(now.features) - len(changed)
    if same:
        lines.append(f"\n{same} other feature(s) unchanged.")
    return "\n".join(lines)


def _intro(now: Contributions) -> str:
    rows = f"{now.sample_rows} training rows" if now.sample_rows is not None else "a sample"
    return (
        f"Ablation drop: how much worse {now.metric} gets when the model is refitted without the "
        f"feature ({rows}; positive: the feature helps); importance: the fall when its values "
        "are shuffled. On a sample, small drops are noise; correlated features share credit."
    )


def _table(
    features: list[FeatureContribution] | tuple[FeatureContribution, ...],
    was: dict[str, FeatureContribution],
) -> list[str]:
    header = (
        "| feature | ablation drop: base | this branch | change | importance | ms per 1k rows |"
    )
    rows = []
    for feature in list(features)[:MAX_ROWS]:
        old = was.get(feature.name)
        base = "new" if was and old is None else _value(None if old is None else old.ablation_drop)
        change = "" if old is None else _delta(old.ablation_drop, feature.ablation_drop)
        cells = [
            f"`{feature.name}`",
            base,
            _value(feature.ablation_drop),
            change,
            _value(feature.importance),
            _value(feature.cost_ms_per_1k_rows),
        ]
        rows.append("| " + " | ".join(cells) + " |")
    lines = [header, "|---|---:|---:|---:|---:|---:|", *rows]
    if len(features) > MAX_ROWS:
        lines.append(f"\n{len(features) - MAX_ROWS} more in reports/features.json.")
    return lines


def _moved(old: FeatureContribution, new: FeatureContribution) -> bool:
    return old.ablation_drop != new.ablation_drop or old.importance != new.importance


def _parse(data: Any) -> Contributions | None:
    if data is None:
        return None
    try:
        return parse_contributions(data, "reports/features.json")
    except InvalidGates:
        return None


def _value(value: float | None) -> str:
    return "–" if value is None else number(value, 4)


def _delta(old: float | None, new: float | None) -> str:
    if old is None or new is None:
        return ""
    change = new - old
    return "0" if abs(change) < 1e-9 else number(change, sign=True)
