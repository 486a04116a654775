"""Quality gates: the model against thresholds, references, slices and the last release."""

from __future__ import annotations

from mlproj.gates.check import GATES_FILE, GateReport, check_gates
from mlproj.gates.contribution import (
    FEATURES_FILE,
    Contributions,
    FeatureContribution,
    parse_contributions,
    read_contributions,
)
from mlproj.gates.settings import GateSettings, gate_settings
from mlproj.gates.slices import SLICES_FILE, SliceReport, group_gap, read_slices

__all__ = [
    "FEATURES_FILE",
    "GATES_FILE",
    "SLICES_FILE",
    "Contributions",
    "FeatureContribution",
    "GateReport",
    "GateSettings",
    "SliceReport",
    "check_gates",
    "gate_settings",
    "group_gap",
    "parse_contributions",
    "read_contributions",
    "read_slices",
]
