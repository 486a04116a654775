"""What each feature is worth, as the evaluate stage measured it: `reports/features.json`.

The generated project's `contribution.py` writes it: per feature, its permutation importance,
its ablation drop (how much worse the model does on `metric` when refitted without it, on a
seeded sample) and the time its preprocessing takes per 1,000 rows. The `feature contribution`
gate (`gates.min_contribution`), the review report and the model card read it through here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlproj.errors import InvalidGates

FEATURES_FILE = "features.json"


@dataclass(frozen=True)
class FeatureContribution:
    """One feature's numbers; None where the sample could not define the metric."""

    name: str
    importance: float | None
    ablation_drop: float | None
    cost_ms_per_1k_rows: float | None


@dataclass(frozen=True)
class Contributions:
    """`reports/features.json`: the metric the drops are measured on, and every feature."""

    metric: str
    sample_rows: int | None
    features: tuple[FeatureContribution, ...]

    def by_name(self) -> dict[str, FeatureContribution]:
        """The features by name, in the report's order."""
        return {feature.name: feature for feature in self.features}

    def below(self, threshold: float) -> tuple[FeatureContribution, ...]:
        """The features whose drop is under THRESHOLD or undefined: undefined, lowest, by name."""
        low = [f for f in self.features if f.ablation_drop is None or f.ablation_drop < threshold]
        return tuple(
            sorted(low, key=lambda f: (f.ablation_drop is not None, f.ablation_drop or 0, f.name))
        )


def parse_contributions(data: Any, source: str) -> Contributions:
    """Contributions from features.json's parsed content; `InvalidGates` names what is wrong."""
    if not isinstance(data, Mapping) or not isinstance(data.get("features"), list):
        raise InvalidGates(f"{source}: not a feature report (no 'features' list); run `dvc repro`.")
    features = []
    for entry in data["features"]:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
            raise InvalidGates(f"{source}: a feature without a name ({entry!r}); run `dvc repro`.")
        features.append(
            FeatureContribution(
                name=entry["name"],
                importance=_number(entry.get("importance")),
                ablation_drop=_number(entry.get("ablation_drop")),
                cost_ms_per_1k_rows=_number(entry.get("cost_ms_per_1k_rows")),
            )
        )
    rows = data.get("sample_rows")
    return Contributions(
        metric=str(data.get("metric") or "the metric"),
        sample_rows=rows if isinstance(rows, int) and not isinstance(rows, bool) else None,
        features=tuple(features),
    )


def read_contributions(path: Path) -> Contributions:
    """Read `reports/features.json`; a missing or malformed file is refused with what to run."""
    if not path.is_file():
        raise InvalidGates(f"{path} not found: the evaluate stage writes it; run `dvc repro`.")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidGates(f"{path}: cannot be read ({exc}); run `dvc repro`.") from None
    return parse_contributions(data, str(path))


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return None
    return float(value)
