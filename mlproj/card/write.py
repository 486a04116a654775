"""The model card: `MODEL_CARD.md`, written by the pipeline from its outputs and `model-card.yaml`.

A reviewer reads the card's diff in a pull request, so it is plain Markdown with one fact per
line or table row, unpadded tables (a changed number changes one row, not the whole table),
no timestamps and a fixed order: the same inputs give the same bytes. skops.card was tried and
not used: its tables pad and centre every cell, so one longer number rewrites every row of the
diff; its metrics table has one value column, where this card sets the model beside its
baseline; and importing it costs about two seconds.

`render_card` is pure, for tests; `write_card` reads the project and writes the file atomically.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlproj._core.atomic import write_text
from mlproj._core.text import percent
from mlproj.card.facts import CardFacts, Gate, gather_facts
from mlproj.card.notes import FIELDS, NOTES_FILE, CardNotes, read_notes
from mlproj.card.sections import (
    cell,
    contributions_section,
    data_section,
    incidents_section,
    number,
    slices_section,
    table,
)
from mlproj.errors import MlprojError
from mlproj.explain.quality import PER_CLASS, reference_models
from mlproj.gates.check import verdict

CARD_FILE = "MODEL_CARD.md"
MARKS = {"passed": "✓", "failed": "✗", "skipped": "•"}
TOP_FEATURES = 10


@dataclass(frozen=True)
class WrittenCard:
    """The card written, and the human fields it flags as not written yet."""

    path: Path
    not_written: tuple[str, ...]


def write_card(project: Path) -> WrittenCard:
    """Read the pipeline's outputs and model-card.yaml; write MODEL_CARD.md atomically."""
    facts = gather_facts(project)
    notes = read_notes(project)
    path = project / CARD_FILE
    write_text(path, render_card(facts, notes, ml_test_score(project)))
    return WrittenCard(path, tuple(FIELDS[field] for field in notes.missing))


def render_card(facts: CardFacts, notes: CardNotes, score: str = "") -> str:
    """The card's Markdown: summary and metrics first, then what a reviewer checks in turn."""
    sections = [
        _summary(facts, notes, score),
        _metrics(facts),
        *(_notes(notes, field) for field in ("intended_use", "out_of_scope_uses", "owners")),
        data_section(facts),
        slices_section(facts),
        _inclusion(facts),
        _gates(facts),
        _explanations(facts),
        contributions_section(facts),
        incidents_section(facts),
        *(_notes(notes, field) for field in ("limitations", "ethical_considerations")),
    ]
    return "\n\n".join(section.rstrip() for section in sections) + "\n"


def ml_test_score(project: Path) -> str:
    """The ML Test Score line, from the records as they are when the `card` stage runs.

    DVC writes each stage into dvc.lock as it finishes, so every stage before `card` is
    there, and `card` itself is not required to be. The card does not declare dvc.lock (a
    dependency on the file DVC writes after it would be circular): its score changes when
    one of its declared inputs does, and `mlproj score` always reads the records as they are.
    """
    from mlproj.score import score_project

    try:
        card = score_project(project, running="card")
    except MlprojError as exc:
        return f"not computed ({exc})"
    return f"{card.summary()}; `mlproj score` lists each test and its evidence"


def _summary(facts: CardFacts, notes: CardNotes, score: str = "") -> str:
    model = facts.params.get("model") or {}
    data = facts.params.get("data") or {}
    target = model.get("_target_", "unknown (no model._target_ in params.yaml)")
    task = f"{data.get('task')} of `{data.get('target')}`; seed {facts.params.get('seed')}"
    settings = ", ".join(f"{k}={_plain(v)}" for k, v in model.items() if k != "_target_")
    lines = [
        f"# Model card: {facts.name}",
        "",
        f"_Written by `mlproj card` (the `card` stage of `dvc repro`) from the pipeline's outputs "
        f"and `{NOTES_FILE}`: edit those, not this file._",
        "",
        f"- **Model:** `{target}`" + (f" ({settings})" if settings else ""),
        f"- **Task:** {task}",
        f"- **Quality gates:** {_verdict(facts.gates)}",
    ]
    if score:
        lines.append(f"- **ML Test Score:** {score}")
    if notes.missing:
        where = NOTES_FILE if notes.source else f"{NOTES_FILE} (the project has none yet)"
        shown = ", ".join(FIELDS[field].lower() for field in notes.missing)
        lines.append(f"- **Not written yet** in `{where}`: {shown}")
    return "\n".join(lines)


def _verdict(gates: tuple[Gate, ...] | None) -> str:
    if gates is None:
        return "not checked (no reports/gates.json; the `gates` stage writes it)"
    return verdict(g.status for g in gates)


def _metrics(facts: CardFacts) -> str:
    metrics = facts.metrics
    own = [k for k, v in metrics.items() if not isinstance(v, Mapping)]
    references = reference_models(metrics)
    header = ["metric", "model", *references, *(f"model − {r}" for r in references)]
    rows = []
    for metric in own:
        values = [metrics[r].get(metric) for r in references]
        deltas = [_delta(metrics[metric], v) for v in values]
        rows.append([metric, number(metrics[metric]), *map(number, values), *deltas])
    lines = ["## Metrics (test set)", "", table(header, rows)]
    if references:
        lines += [
            "",
            f"Reference models scored on the same rows by `evaluate`: {', '.join(references)}.",
        ]
    lower = (facts.params.get("gates") or {}).get("lower_is_better") or []
    if lower:
        lines.append(f"Lower is better for: {', '.join(map(str, lower))}.")
    classes = metrics.get(PER_CLASS)
    if isinstance(classes, Mapping) and classes:
        lines += ["", "Per class (one-vs-rest, test set):", "", _per_class(classes)]
    return "\n".join(lines)


def _per_class(classes: Mapping[str, Any]) -> str:
    """A row per class: its test rows and scores, so a class the average hides shows."""
    names = ["precision", "recall", "f1", "roc_auc"]
    rows = []
    for label, row in classes.items():
        row = row if isinstance(row, Mapping) else {}
        scores = [number(row.get(name)) for name in names]
        rows.append([cell(str(label)), number(row.get("support")), *scores])
    return table(["class", "test rows", *names], rows)


def _delta(model: Any, reference: Any) -> str:
    if number(model) == "n/a" or number(reference) == "n/a":
        return "n/a"
    difference = float(model) - float(reference)
    return number(difference if abs(difference) > 1e-12 else 0.0, sign=True)


def _notes(notes: CardNotes, field: str) -> str:
    heading = f"## {FIELDS[field]}"
    text = notes.get(field)
    if text is None:
        return f"{heading}\n\n_Not written yet: fill `{field}` in `{NOTES_FILE}`._"
    if isinstance(text, str):
        return f"{heading}\n\n{text}"
    return heading + "\n\n" + "\n".join(f"- {item}" for item in text)


def _inclusion(facts: CardFacts) -> str:
    heading = "## Inclusion"
    inclusion = facts.params.get("inclusion") or {}
    sensitive = ", ".join(f"`{c}`" for c in inclusion.get("sensitive") or []) or "none declared"
    intro = f"Sensitive columns (conf/inclusion): {sensitive}."
    if facts.gates is None:
        return f"{heading}\n\n{intro}\n\nNot checked: no reports/gates.json."
    gaps = [g for g in facts.gates if g.gate.startswith("max gap")]
    listed = "\n".join(_gate_line(g) for g in gaps) or "No inclusion gate in reports/gates.json."
    return f"{heading}\n\n{intro}\n\n{listed}"


def _gates(facts: CardFacts) -> str:
    heading = "## Quality gates"
    if facts.gates is None:
        return f"{heading}\n\nNot checked: no reports/gates.json (the `gates` stage writes it)."
    lines = [heading, "", *(_gate_line(g) for g in facts.gates)]
    if facts.release is not None:
        lines += ["", f"Drops are measured against the last release, {facts.release}."]
    return "\n".join(lines)


def _gate_line(gate: Gate) -> str:
    return f"- {MARKS.get(gate.status, '?')} {gate.status}: {gate.message}"


def _explanations(facts: CardFacts) -> str:
    heading = "## Explanations"
    if facts.importance is None:
        return f"{heading}\n\nNo explanations: no reports/importance.json (the explain stage)."
    total = sum(abs(v) for v in facts.importance.values()) or 1.0
    top = list(facts.importance.items())[:TOP_FEATURES]
    rows = [
        [str(rank), f"`{name}`", number(value), percent(abs(value) / total)]
        for rank, (name, value) in enumerate(top, 1)
    ]
    unit = facts.importance_unit or "units not recorded (importance.json predates them)"
    return "\n".join(
        [
            heading,
            "",
            f"Top {len(top)} of {len(facts.importance)} features by mean |SHAP value| on the "
            "test sample (reports/importance.json); plots in reports/explain.html. "
            f"SHAP values in {unit}; share: of the total over all features.",
            "",
            table(["rank", "feature", "mean abs SHAP", "share"], rows),
        ]
    )


def _plain(value: Any) -> str:
    """A parameter as YAML writes it: `null`, `true`, numbers and text unquoted."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)
