"""reports/importance.json: mean |SHAP| per input column, and the unit those values are in.

SHAP values are in the units of the model output the explainer explained: a forest's
probabilities, boosting's log-odds, a regression's target. Two files in different units cannot be
compared value by value, only by rank and by each feature's share of the total, so the file
records its unit. Files written before the unit was recorded (a flat `{feature: value}` mapping)
still read, with the unit unknown.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

    from mlproj.explain.shap_values import Explanation

IMPORTANCE_FILE = "importance.json"


@dataclass(frozen=True)
class Importance:
    """Mean |SHAP| per feature, largest first (ties by name), in `unit` (None: not recorded)."""

    values: dict[str, float]
    unit: str | None = None

    def shares(self) -> dict[str, float]:
        """Each feature's share of the total mean |SHAP|: comparable whatever the unit."""
        total = sum(abs(v) for v in self.values.values())
        return {name: (abs(v) / total if total else 0.0) for name, v in self.values.items()}

    def ranks(self) -> dict[str, int]:
        """Each feature's rank, 1 for the largest."""
        return {name: rank for rank, name in enumerate(self.values, 1)}

    def comparable_with(self, other: Importance) -> bool:
        """True when both record the same unit, so their raw values can be subtracted."""
        return self.unit is not None and self.unit == other.unit


def shap_unit(explanation: Explanation, target: str | None = None) -> str:
    """The unit of EXPLANATION's SHAP values, as a person reads it.

    Classification: the explained output ("probability", "log-odds", "raw margin"); regression:
    the target's own units, named after the target when it is given.
    """
    if explanation.output != "prediction":
        return explanation.output
    return f"units of {target}" if target else "units of the target"


def importance_record(explanation: Explanation, *, target: str | None = None) -> dict[str, Any]:
    """What importance.json holds: the unit, the explainer, and mean |SHAP| per feature."""
    from mlproj.explain.shap_values import mean_abs_importance

    return {
        "unit": shap_unit(explanation, target),
        "explainer": explanation.explainer,
        "features": mean_abs_importance(explanation),
    }


def write_importance(
    path: Path, explanation: Explanation, *, target: str | None = None
) -> dict[str, Any]:
    """Write importance.json atomically (the unit beside the values); return what was written."""
    from mlproj._core import atomic

    record = importance_record(explanation, target=target)
    atomic.write_text(path, json.dumps(record, indent=2) + "\n")
    return record


def parse_importance(data: Any) -> Importance:
    """Read a loaded importance.json, with or without its unit.

    Raises ValueError naming the first value that is not a number, or when DATA is no mapping.
    """
    unit = None
    if isinstance(data, Mapping) and isinstance(data.get("features"), Mapping):
        unit = data.get("unit")
        unit = None if unit is None else str(unit)
        data = data["features"]
    if not isinstance(data, Mapping):
        raise ValueError("not a mapping of features to numbers")
    for name, value in data.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{name!r} is not a number")
    ordered = sorted(data.items(), key=lambda pair: (-float(pair[1]), str(pair[0])))
    return Importance({str(name): float(value) for name, value in ordered}, unit)
