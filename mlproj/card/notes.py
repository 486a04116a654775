"""The model card's human part: what people know about a model and no pipeline can measure.

Intended use, uses to avoid, limitations, ethical considerations and owners live in
`model-card.yaml` at the project root, a file its authors edit and a reviewer reads in a diff.
An empty field is kept empty: the card says "not written yet" rather than inventing a claim,
so a missing answer is visible in every pull request until someone writes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlproj._core.text import brief
from mlproj._core.yamlio import load_yaml
from mlproj.errors import InvalidCardNotes

NOTES_FILE = "model-card.yaml"

# Field of model-card.yaml -> the card's heading for it, in the order the card shows them.
FIELDS: dict[str, str] = {
    "owners": "Owners",
    "intended_use": "Intended use",
    "out_of_scope_uses": "Out-of-scope uses",
    "limitations": "Limitations",
    "ethical_considerations": "Ethical considerations",
}


@dataclass(frozen=True)
class CardNotes:
    """Each field's text: a paragraph, bullet items, or nothing (not written yet).

    `source` is None when the project has no model-card.yaml at all, so the card can say
    which file to create rather than which field to fill.
    """

    fields: dict[str, str | tuple[str, ...] | None]
    source: str | None = NOTES_FILE

    def get(self, field: str) -> str | tuple[str, ...] | None:
        """FIELD's text; None when it is not written yet."""
        return self.fields.get(field)

    @property
    def missing(self) -> tuple[str, ...]:
        """The fields not written yet, in the card's order."""
        return tuple(field for field in FIELDS if self.get(field) is None)


def read_notes(project: Path) -> CardNotes:
    """The project's model-card.yaml; every field empty when the file does not exist."""
    path = project / NOTES_FILE
    if not path.is_file():
        return CardNotes(dict.fromkeys(FIELDS), source=None)
    return notes_from_yaml(path)


def notes_from_yaml(text: str | bytes | Path, source: str = NOTES_FILE) -> CardNotes:
    """Parse the file's text, naming the field and what is wrong with it on a mistake."""
    data = load_yaml(text, source=source)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InvalidCardNotes(f"{source}: must be a mapping of fields ({', '.join(FIELDS)}).")
    unknown = sorted(str(key) for key in data if key not in FIELDS)
    if unknown:
        raise InvalidCardNotes(
            f"{source}: unknown field {', '.join(map(repr, unknown))} "
            f"(fields: {', '.join(FIELDS)})."
        )
    return CardNotes({field: _text(data.get(field), f"{source}: {field!r}") for field in FIELDS})


def _text(value: Any, where: str) -> str | tuple[str, ...] | None:
    """A field's value as text or items; empty, blank or absent means not written yet."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, list):
        items = []
        for item in value:
            if isinstance(item, dict | list) or item is None:
                raise InvalidCardNotes(f"{where}: list items must be text, not {brief(item)}.")
            if str(item).strip():
                items.append(str(item).strip())
        return tuple(items) or None
    raise InvalidCardNotes(f"{where}: must be text or a list of texts, not {brief(value)}.")
