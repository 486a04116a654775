"""The model card's tabular sections, the data, its slices and its incidents, and their Markdown.

Tables are unpadded and cells kept to one line: a reviewer reads the card as a diff, where a
changed number should change one row, and text from an incident must not break a table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from mlproj._core import text
from mlproj.card.facts import CardFacts, CardIncident
from mlproj.data.contract import ColumnRule


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A Markdown table without padding, so a changed cell changes one line of a diff."""
    lines = [_row(header), _row(["---"] * len(header))]
    lines += [_row(row) for row in rows]
    return "\n".join(lines)


def number(value: Any, *, sign: bool = False) -> str:
    """A metric for reading (four significant digits), `n/a` where it is undefined."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return "n/a"
    return text.number(value, sign=sign)


def cell(text: str) -> str:
    """TEXT safe inside a table cell: one line, its pipes escaped."""
    return " ".join(text.split()).replace("|", "\\|")


def data_section(facts: CardFacts) -> str:
    """Where the data comes from, how it is split, and the contract every version must keep."""
    data = facts.params.get("data") or {}
    split = facts.params.get("split") or {}
    numeric = [str(c) for c in data.get("numeric") or []]
    categorical = [str(c) for c in data.get("categorical") or []]
    target = str(data.get("target"))
    test_size = split.get("test_size")
    share = f"{test_size:.0%}" if isinstance(test_size, int | float) else "a share"
    how = "stratified, " if split.get("stratify") else ""
    lines = [
        "## Data",
        "",
        f"- **Source:** `{data.get('raw')}` (params.yaml `data.raw`)",
        f"- **Target:** `{target}`",
        f"- **Features:** {len(numeric)} numeric ({_names(numeric)}), "
        f"{len(categorical)} categorical ({_names(categorical)})",
        f"- **Split:** {share} of rows held out for testing ({how}seed {split.get('seed')})",
        "",
        f"The data contract (`{data.get('contract')}`): every new version of the data, incident "
        "rows and drift batches are checked against it.",
        "",
    ]
    features = set(numeric) | set(categorical)
    rows = [
        [f"`{r.name}`", _role(r.name, target, features), r.kind, _yes(r.nullable), _values(r)]
        for r in facts.contract.columns
    ]
    lines.append(table(["column", "role", "kind", "nullable", "values"], rows))
    return "\n".join(lines)


def slices_section(facts: CardFacts) -> str:
    """The model's metrics on each value of each declared column, tiny slices flagged."""
    heading = "## Slices"
    report = facts.slices
    if report is None or not report.columns:
        return (
            f"{heading}\n\nNo slices declared (conf/slices `columns`, conf/inclusion "
            "`sensitive`): how the model does on subgroups is not measured."
        )
    lines = [
        heading,
        "",
        f"Test-set metrics per value (reports/slices.json). Slices under {report.min_count} "
        "rows are flagged tiny: shown, never gated.",
    ]
    for column, slices in report.columns.items():
        metrics = list(dict.fromkeys(m for s in slices for m in s.metrics))
        rows = [
            [cell(s.value), str(s.count), *(number(s.score(m)) for m in metrics), _tiny(s.tiny)]
            for s in slices
        ]
        lines += ["", f"### {column}", "", table(["value", "rows", *metrics, "note"], rows)]
    return "\n".join(lines)


def contributions_section(facts: CardFacts) -> str:
    """What each feature is worth (reports/features.json), briefly: one row per feature."""
    heading = "## Feature contributions"
    report = facts.contributions
    if report is None:
        return f"{heading}\n\nNot measured: no reports/features.json (the evaluate stage)."
    rows = f"{report.sample_rows} training rows" if report.sample_rows is not None else "a sample"
    intro = (
        f"Ablation drop: how much worse {report.metric} gets when the model is refitted without "
        f"the feature ({rows}); importance: the fall when its values are shuffled. Small drops "
        "on a sample are noise; correlated features share credit. Each feature's preprocessing "
        "time is in reports/features.json: a measure of the machine, it stays out of the card, "
        "so the same commit writes the same card."
    )
    table_rows = [
        [f"`{f.name}`", number(f.ablation_drop), number(f.importance)] for f in report.features
    ]
    header = ["feature", "ablation drop", "importance"]
    return "\n".join([heading, "", intro, "", table(header, table_rows)])


def incidents_section(facts: CardFacts) -> str:
    """Open incidents (the model still fails them) and fixed ones (a repeat blocks the model)."""
    heading = "## Incidents"
    if not facts.incidents:
        return (
            f"{heading}\n\nNo incidents recorded in tests/regressions/ "
            "(record one with `mlproj add-regression`)."
        )
    lines = [heading]
    for status, meaning in (
        ("open", "the model may still fail these; reported, not blocking"),
        ("fixed", "a model that fails one again is blocked by the `regression` stage"),
    ):
        chosen = [i for i in facts.incidents if i.status == status]
        lines += ["", f"### {status.capitalize()} ({len(chosen)}): {meaning}", ""]
        if not chosen:
            lines.append(f"No {status} incident.")
            continue
        header = ["incident", "date", "what went wrong", "expected", "current model"]
        lines.append(table(header, [_incident_row(i) for i in chosen]))
    return "\n".join(lines)


def _incident_row(incident: CardIncident) -> list[str]:
    name = f"[{incident.id}]({incident.link})" if incident.link else incident.id
    return [
        name,
        incident.date,
        cell(incident.description) or "_no description_",
        cell(incident.expectation),
        incident.result or "not checked yet (no reports/regressions.json)",
    ]


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _names(columns: list[str]) -> str:
    return ", ".join(f"`{c}`" for c in columns) or "none"


def _role(name: str, target: str, features: set[str]) -> str:
    if name == target:
        return "target"
    return "feature" if name in features else "not used by the model"


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _values(rule: ColumnRule) -> str:
    if rule.allowed is not None:
        return cell(", ".join(rule.allowed))
    if rule.minimum is None and rule.maximum is None:
        return "any"
    return f"[{_bound(rule.minimum, '-inf')}, {_bound(rule.maximum, 'inf')}]"


def _bound(value: float | None, unbounded: str) -> str:
    """A contract bound as its YAML reads: `2007`, not `2007.0`; every digit kept."""
    if value is None:
        return unbounded
    return str(int(value)) if float(value).is_integer() else str(value)


def _tiny(tiny: bool) -> str:
    return "tiny" if tiny else ""
