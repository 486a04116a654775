"""The evaluation's sections of the HTML report: references side by side, slices, inclusion.

Each function returns `(heading, html)` for `render_report(sections=...)`, built from the same
files the gates read (metrics.json, `reports/slices.json`), so the page and the gates can
never disagree. Every value is escaped here.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

# The page's own cell builders, so these tables look like the rest of it.
from mlproj._core.html import number_cell, table, text_cell
from mlproj._core.text import number
from mlproj.gates.slices import Gap, SliceReport, group_gap

Section = tuple[str, str]
# metrics.json's section of per-class scores (classification): not a reference model.
PER_CLASS = "per_class"


def reference_models(metrics: Mapping[str, Any]) -> list[str]:
    """The reference models' sections of metrics.json (`baseline`, `simple`), in file order."""
    return [k for k, v in metrics.items() if isinstance(v, Mapping) and k != PER_CLASS]


def comparison_section(metrics: Mapping[str, Any]) -> Section:
    """The model's metrics beside each reference model's (`baseline`, `simple`) on the same rows."""
    references = reference_models(metrics)
    own = [name for name, value in metrics.items() if not isinstance(value, Mapping)]
    rows = [
        [
            text_cell(name),
            number_cell(metrics[name]),
            *(_cell(metrics[ref].get(name)) for ref in references),
        ]
        for name in own
    ]
    body = (
        "<p>Scored on the same test rows. A model that does not clearly beat the baseline has "
        "learned little; one that does no better than the simple model costs more for nothing."
        "</p>\n" + table(["Metric", "model", *references], rows)
    )
    return "Model, baseline and simple model", body


def slices_section(report: SliceReport) -> Section:
    """One table per declared column: rows and metrics per value, tiny slices flagged."""
    if not report.columns:
        return "Slices", "<p>No slice column declared (<code>slices.columns</code>).</p>"
    parts = [
        f"<p>Slices with fewer than {report.min_count} test rows are flagged <em>tiny</em>: "
        "shown, but too small to judge, so no gate uses them.</p>"
    ]
    for column, slices in report.columns.items():
        names = list(dict.fromkeys(name for s in slices for name in s.metrics))
        rows = [
            [
                text_cell(s.value),
                number_cell(s.count),
                *(_cell(s.metrics.get(name)) for name in names),
                text_cell(f"tiny: under {report.min_count} rows, not gated" if s.tiny else ""),
            ]
            for s in slices
        ]
        parts.append(f"<h3>{html.escape(column)}</h3>")
        parts.append(table(["Value", "Rows", *names, "Note"], rows))
    return "Slices", "\n".join(parts)


def inclusion_section(gaps: Sequence[Gap], max_gap: float | None) -> Section:
    """The largest gap in the chosen metric across the groups of each sensitive column."""
    if not gaps:
        return (
            "Inclusion",
            "<p>No sensitive column declared (<code>inclusion.sensitive</code>).</p>",
        )
    limit = "no limit declared" if max_gap is None else f"gated at {number(max_gap)}"
    rows = [
        [
            text_cell(gap.column),
            text_cell(gap.metric),
            _cell(gap.gap),
            text_cell(limit),
            text_cell(gap.describe()),
        ]
        for gap in gaps
    ]
    body = (
        "<p>The spread of one metric between the groups of each sensitive column that are not "
        "tiny: the model should serve every group about equally well.</p>\n"
        + table(["Column", "Metric", "Largest gap", "Limit", "Groups"], rows)
    )
    return "Inclusion", body


def quality_sections(
    metrics: Mapping[str, Any],
    slices: SliceReport,
    *,
    sensitive: Sequence[str],
    metric: str | None,
    max_gap: float | None,
) -> list[Section]:
    """All three sections, as a project's explain stage adds them to its report."""
    gaps = [group_gap(slices, column, metric) for column in sensitive] if metric else []
    return [comparison_section(metrics), slices_section(slices), inclusion_section(gaps, max_gap)]


def _cell(value: Any) -> str:
    return number_cell(value) if value is not None else text_cell("undefined")
