"""Compare what a commit recorded with what retraining it gave: metrics, predictions, hashes.

Plain functions over plain values (mappings, arrays, parsed `dvc.lock` files), so each rule
is tested on small inputs; `mlproj.reproduce.check` gathers the values from a retrained clone.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mlproj.project.params import flatten

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

SHOWN_ROWS = 5
# Keys whose values measure the machine, not the commit: the features report's preprocessing
# times. A JSON output that differs only in them still reproduces.
TIMING_KEYS = frozenset({"cost_ms_per_1k_rows"})


@dataclass(frozen=True)
class Check:
    """One comparison: what was compared, what differs, and what differs without failing.

    `tolerated` holds differences in outputs declared unstable: shown, never failing.
    `skipped` says why a comparison could not be made; a skipped check does not fail.
    """

    subject: str
    compared: str
    differences: tuple[str, ...] = ()
    tolerated: tuple[str, ...] = ()
    skipped: str | None = None

    @property
    def passed(self) -> bool:
        """True when nothing that must match differs."""
        return not self.differences


def compare_metrics(
    recorded: Mapping[str, Any], retrained: Mapping[str, Any], tolerance: float = 0.0
) -> Check:
    """Each metric, nested keys dotted; numbers may differ by TOLERANCE, anything else not."""
    left, right = dict(flatten(recorded)), dict(flatten(retrained))
    lines = []
    for key in sorted(left.keys() | right.keys()):
        if key not in right:
            lines.append(f"{key}: {left[key]!r} recorded, missing from the retrained metrics")
        elif key not in left:
            lines.append(f"{key}: {right[key]!r} retrained, not in the recorded metrics")
        elif not _close(left[key], right[key], tolerance):
            off = _off_by(left[key], right[key])
            lines.append(f"{key}: {left[key]!r} recorded, {right[key]!r} retrained{off}")
    return Check("metrics", f"{len(left)} values, {_bound(tolerance)}", tuple(lines))


def compare_predictions(
    index: Sequence[Any],
    recorded: tuple[np.ndarray, np.ndarray | None],
    retrained: tuple[np.ndarray, np.ndarray | None],
    tolerance: float = 0.0,
) -> Check:
    """Row by row: labels (or values), and class probabilities when both models give them.

    Labels must be equal; numeric predictions and probabilities may differ by TOLERANCE.
    The differences are a count, then the first few rows by their index in the test split.
    """
    import numpy as np

    (old, old_proba), (new, new_proba) = recorded, retrained
    numeric = np.issubdtype(old.dtype, np.number) and np.issubdtype(new.dtype, np.number)
    if numeric:
        differs = ~np.isclose(old, new, rtol=0.0, atol=tolerance, equal_nan=True)
    else:
        differs = old.astype(str) != new.astype(str)
    with_proba = old_proba is not None and new_proba is not None
    gap = np.zeros(len(old))
    if old_proba is not None and new_proba is not None:
        if old_proba.shape != new_proba.shape:
            gap = np.full(len(old), np.inf)
        else:
            gap = np.abs(old_proba - new_proba).max(axis=1)
        differs |= gap > tolerance
    what = "labels and probabilities" if with_proba else "values" if numeric else "labels"
    compared = f"{len(old)} test rows, {what}, {_bound(tolerance)}"
    rows = np.flatnonzero(differs)
    if not len(rows):
        return Check("predictions", compared)
    lines = [f"{len(rows)} of {len(old)} rows differ"]
    for row in rows[:SHOWN_ROWS]:
        before, after = _plain(old[row]), _plain(new[row])
        if before == after:
            line = f"row {index[row]}: {before!r} both times"
        else:
            line = f"row {index[row]}: {before!r} recorded, {after!r} retrained"
        if gap[row] > 0:
            line += f", probabilities differ by up to {gap[row]:.6g}"
        lines.append(line)
    if len(rows) > SHOWN_ROWS:
        lines.append(f"and {len(rows) - SHOWN_ROWS} more")
    return Check("predictions", compared, tuple(lines))


def predict(model: Any, rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray | None]:
    """MODEL's predictions on ROWS, and its class probabilities if it has any."""
    import numpy as np

    labels = np.asarray(model.predict(rows))
    proba = np.asarray(model.predict_proba(rows)) if hasattr(model, "predict_proba") else None
    return labels, proba


def compare_hashes(
    recorded: Mapping[str, Any],
    retrained: Mapping[str, Any],
    unstable: Collection[str] = (),
    timings_only: Collection[str] = (),
) -> Check:
    """Every DVC output's hash in two `dvc.lock` files; UNSTABLE outputs may differ.

    TIMINGS_ONLY outputs differ in measured times alone (see `same_but_timings`): tolerated.

    An input (a dependency no stage writes) whose hash differs means the recorded
    `dvc.lock` did not match its own commit's files: it was not rerun before committing.
    """
    old_outs, new_outs = lock_outputs(recorded), lock_outputs(retrained)
    lines: list[str] = []
    tolerated: list[str] = []
    for path in sorted(old_outs.keys() | new_outs.keys()):
        line = _hash_line(path, old_outs.get(path), new_outs.get(path))
        if line is None:
            continue
        if _declared(path, unstable):
            tolerated.append(f"{line} (declared unstable: allowed)")
        elif path in timings_only:
            tolerated.append(f"{line} (only its measured times differ: allowed)")
        else:
            lines.append(line)
    old_ins, new_ins = lock_inputs(recorded), lock_inputs(retrained)
    for path in sorted(old_ins.keys() & new_ins.keys()):
        if old_ins[path] != new_ins[path]:
            lines.append(
                f"{path} (an input): {_short(old_ins[path])} recorded, {_short(new_ins[path])} "
                "now: dvc.lock was not updated for this commit; run `dvc repro` and commit"
            )
    return Check(
        "output hashes", f"{len(old_outs)} DVC outputs in dvc.lock", (*lines,), (*tolerated,)
    )


def same_but_timings(recorded: Any, retrained: Any) -> bool:
    """True when two parsed JSON documents are equal once every TIMING_KEYS value is left out."""
    return bool(_without_timings(recorded) == _without_timings(retrained))


def _without_timings(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_timings(v) for k, v in value.items() if k not in TIMING_KEYS}
    if isinstance(value, list):
        return [_without_timings(v) for v in value]
    return value


def lock_outputs(lock: Mapping[str, Any]) -> dict[str, str]:
    """Each output path of a parsed `dvc.lock` and its hash (`.dir` for a folder)."""
    return dict(_entries(lock, "outs"))


def lock_inputs(lock: Mapping[str, Any]) -> dict[str, str]:
    """Each dependency of a parsed `dvc.lock` that no stage produces, and its hash."""
    outputs = lock_outputs(lock)
    return {path: md5 for path, md5 in _entries(lock, "deps") if path not in outputs}


def _entries(lock: Mapping[str, Any], kind: str) -> Iterator[tuple[str, str]]:
    for stage in (lock.get("stages") or {}).values():
        for entry in stage.get(kind) or []:
            digest = entry.get("md5") or entry.get("etag") or entry.get("checksum")
            yield str(entry["path"]), str(digest)


def _hash_line(path: str, old: str | None, new: str | None) -> str | None:
    if old == new:
        return None
    if new is None:
        return f"{path}: recorded, not produced by the retrain"
    if old is None:
        return f"{path}: produced by the retrain, not recorded"
    return f"{path}: {_short(old)} recorded, {_short(new)} retrained"


def _declared(path: str, unstable: Collection[str]) -> bool:
    return any(path == u.rstrip("/") or path.startswith(u.rstrip("/") + "/") for u in unstable)


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value it holds, so it prints as 'Adelie', not np.str_."""
    return value.item() if hasattr(value, "item") else value


def _short(digest: str) -> str:
    return digest[:8] + (".dir" if digest.endswith(".dir") else "")


def _close(left: Any, right: Any, tolerance: float) -> bool:
    if _is_number(left) and _is_number(right):
        if math.isnan(left) and math.isnan(right):
            return True
        return bool(abs(left - right) <= tolerance)
    return bool(left == right)


def _off_by(left: Any, right: Any) -> str:
    if _is_number(left) and _is_number(right):
        return f" (off by {abs(left - right):.6g})"
    return ""


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _bound(tolerance: float) -> str:
    return "exact" if tolerance == 0 else f"within {tolerance:g}"
