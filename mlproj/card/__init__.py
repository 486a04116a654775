"""The model card: `MODEL_CARD.md`, from the pipeline's outputs and `model-card.yaml`."""

from __future__ import annotations

from mlproj.card.facts import CardFacts, gather_facts
from mlproj.card.notes import CardNotes, read_notes
from mlproj.card.write import render_card, write_card

__all__ = [
    "CardFacts",
    "CardNotes",
    "gather_facts",
    "read_notes",
    "render_card",
    "write_card",
]
