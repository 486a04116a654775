"""Render the explanation report: one self-contained HTML page a reviewer can open anywhere.

PNGs are inline and the page comes from `mlproj._core.html`, which forbids every network fetch,
so it looks the same on a laptop, as a CI artefact and a year from now.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from mlproj._core.html import number_cell, page, table, text_cell, write_page
from mlproj._core.text import percent

if TYPE_CHECKING:
    from pathlib import Path

    from mlproj.explain.figures import Figure


def render_report(
    *,
    title: str,
    metrics: Mapping[str, float],
    figures: Sequence[Figure],
    importance: Mapping[str, float],
    notes: Sequence[str] = (),
    sections: Sequence[tuple[str, str]] = (),
    unit: str | None = None,
) -> str:
    """Build the page: metrics, global figures, importance, single-row explanations, notes.

    UNIT names what the SHAP values are in (`write_importance` records it), for the importance
    table's heading.

    Every string is escaped except the bodies of `sections`, which callers build as HTML (a
    baseline comparison, slice tables) and must escape themselves.
    """
    esc = html.escape
    parts = [
        "<h2>Metrics</h2>",
        table(["Metric", "Value"], [[text_cell(k), number_cell(v)] for k, v in metrics.items()]),
        "<h2>Global explanation</h2>",
        *(_figure(f) for f in figures if not f.local),
        "<h2>Feature importance</h2>",
        _importance(importance, unit),
    ]
    local = [_figure(f) for f in figures if f.local]
    if local:
        parts += ["<h2>Individual predictions</h2>", *local]
    parts += [f"<section><h2>{esc(heading)}</h2>\n{body}\n</section>" for heading, body in sections]
    if notes:
        parts += ["<h2>Notes</h2>", "<ul>", *(f"<li>{esc(n)}</li>" for n in notes), "</ul>"]
    return page(title, parts)


def write_report(path: Path, html: str) -> None:
    """Write the page atomically, so a reader sees the old report or the new one, never half."""
    write_page(path, html)


def _importance(importance: Mapping[str, float], unit: str | None) -> str:
    largest = max((abs(v) for v in importance.values()), default=0.0) or 1.0
    total = sum(abs(v) for v in importance.values()) or 1.0
    rows = [
        [
            text_cell(name),
            number_cell(value),
            f'<td class="num">{percent(abs(value) / total)}</td>',
            f'<td><span class="bar" style="width: {200 * abs(value) / largest:.0f}px"></span></td>',
        ]
        for name, value in importance.items()
    ]
    heading = "Mean |SHAP|" if unit is None else f"Mean |SHAP| ({unit})"
    return table(["Feature", heading, "Share", ""], rows)


def _figure(figure: Figure) -> str:
    data = base64.b64encode(figure.path.read_bytes()).decode("ascii")
    title = html.escape(figure.title)
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{title}">'
        f"<figcaption><strong>{title}.</strong> {html.escape(figure.caption)}</figcaption>"
        "</figure>"
    )
