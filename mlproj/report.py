"""Render the explanation report: one self-contained HTML page a reviewer can open anywhere.

CSS and PNGs are inline and a Content-Security-Policy forbids every network fetch, so the page
looks the same on a laptop, as a CI artefact and a year from now, and leaks nothing when opened.
Other reports (`mlproj.drift_report`) build their pages with the same `page` and tables.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from mlproj import atomic

if TYPE_CHECKING:
    from pathlib import Path

    from mlproj.figures import Figure

_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
_CSS = """
body { font: 15px/1.5 system-ui, sans-serif; max-width: 960px; margin: 2rem auto;
       padding: 0 1rem; color: #1f2328; }
h1 { font-size: 1.6rem; border-bottom: 1px solid #d0d7de; padding-bottom: .3rem; }
h2 { font-size: 1.25rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { border: 1px solid #d0d7de; padding: .25rem .6rem; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.bar { display: inline-block; height: .7rem; background: #d6336c; }
figure { margin: 1.5rem 0; }
figure img { max-width: 100%; height: auto; }
figcaption { color: #57606a; font-size: .9rem; }
"""


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


def page(title: str, body: Sequence[str], *, css: str = "") -> str:
    """Wrap BODY (built as HTML by the caller) in a self-contained page that fetches nothing.

    CSS extends the shared style sheet, for reports that need a few rules of their own.
    """
    return (
        "\n".join(
            [
                "<!DOCTYPE html>",
                '<html lang="en">',
                "<head>",
                '<meta charset="utf-8">',
                f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
                f"<title>{html.escape(title)}</title>",
                f"<style>{_CSS}{css}</style>",
                "</head>",
                "<body>",
                f"<h1>{html.escape(title)}</h1>",
                *body,
                "</body>",
                "</html>",
            ]
        )
        + "\n"
    )


def write_report(path: Path, html: str) -> None:
    """Write the page atomically, so a reader sees the old report or the new one, never half."""
    atomic.write_text(path, html)


def text_cell(text: str) -> str:
    """A table cell holding TEXT, escaped."""
    return f"<td>{html.escape(text)}</td>"


def number_cell(value: float) -> str:
    """A right-aligned table cell holding VALUE to four significant digits."""
    try:
        text = format(value, ".4g")
    except (TypeError, ValueError):  # metrics.json may hold a null for an undefined metric
        text = html.escape(str(value))
    return f'<td class="num">{text}</td>'


def table(header: list[str], rows: list[list[str]]) -> str:
    """Lay out a table from escaped header labels and rows of already-built <td> cells."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(f"<tr>{''.join(cells)}</tr>" for cells in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


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
