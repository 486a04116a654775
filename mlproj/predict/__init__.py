"""`mlproj predict`: batch scoring with the workspace model or a registry version or stage.

`model` chooses the model and the contract its rows keep to, `tables` reads and writes in
chunks, `rows` says which rows break the contract and why, `score` runs the whole.
"""

from __future__ import annotations

from mlproj.predict.model import ScoringModel, scoring_model
from mlproj.predict.score import Predicted, default_output, default_rejects, predict_file

__all__ = [
    "Predicted",
    "ScoringModel",
    "default_output",
    "default_rejects",
    "predict_file",
    "scoring_model",
]
