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
) -> str:
    """Build the page: metrics, global figures, importance, single-row explanations, notes.

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
        _importance(importance),
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


def _importance(importance: Mapping[str, float]) -> str:
    largest = max((abs(v) for v in importance.values()), default=0.0) or 1.0
    rows = [
        [
            text_cell(name),
            number_cell(value),
            f'<td><span class="bar" style="width: {200 * abs(value) / largest:.0f}px"></span></td>',
        ]
        for name, value in importance.items()
    ]
    return table(["Feature", "Mean |SHAP|", ""], rows)


def _figure(figure: Figure) -> str:
    data = base64.b64encode(figure.path.read_bytes()).decode("ascii")
    title = html.escape(figure.title)
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{title}">'
        f"<figcaption><strong>{title}.</strong> {html.escape(figure.caption)}</figcaption>"
        "</figure>"
    )
