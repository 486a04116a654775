"""Tiny fitted models served as `mlproj serve` serves them, with no project around them."""

from __future__ import annotations

from typing import Any

from mlproj.data.contract import contract_from_yaml
from mlproj.serve.model import ServedModel, served
from tests.toy_project import classifier, regressor

CONTRACT = """\
columns:
  x: {kind: numeric, nullable: false, min: -10, max: 10}
  color: {kind: categorical, nullable: true, allowed: [blue, red]}
  y: {kind: categorical, nullable: false, allowed: [a, b]}
"""
COMMIT = "c" * 40


def served_classifier(version: str = "v1.0.0", *, inverted: bool = False) -> ServedModel:
    """'a' for negative x, 'b' for positive (INVERTED: the other way round)."""
    return served(
        classifier(inverted),
        version,
        contract_from_yaml(CONTRACT),
        "classification",
        commit=COMMIT,
        contract_sha256="f" * 64,
    )


def served_regressor(version: str = "v1.0.0") -> ServedModel:
    """y = 2x."""
    return served(regressor(), version, contract_from_yaml(CONTRACT), "regression")


class Broken:
    """A model whose every prediction fails (a shadow gone wrong)."""

    feature_names_in_ = ("x", "color")

    def predict(self, rows: Any) -> Any:
        raise RuntimeError("out of memory")


class Recorder:
    """A stand-in for LogWriter: keeps every frame it is given."""

    def __init__(self) -> None:
        self.frames: list[Any] = []
        self.written = self.dropped = self.failed = 0

    def put(self, frame: Any) -> bool:
        self.frames.append(frame)
        return True

    def close(self) -> None:
        pass

    def rows(self) -> Any:
        from mlproj.predictionlog.writer import combined

        return combined(self.frames)
