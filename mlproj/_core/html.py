"""Self-contained HTML pages: inline CSS, escaped cells, and a policy that fetches nothing.

A Content-Security-Policy forbids every network fetch, so a report looks the same on a laptop,
as a CI artefact and a year from now, and leaks nothing when opened. The explanation report and
the drift report build their pages from these pieces, so they share one look.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

from mlproj._core import atomic
from mlproj._core.text import number

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


def write_page(path: Path, html: str) -> None:
    """Write the page atomically, so a reader sees the old report or the new one, never half."""
    atomic.write_text(path, html)


def text_cell(text: str) -> str:
    """A table cell holding TEXT, escaped."""
    return f"<td>{html.escape(text)}</td>"


def number_cell(value: float) -> str:
    """A right-aligned table cell holding VALUE for people (`text.number`: 3,021; 0.8734)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = html.escape(number(value))
    else:  # metrics.json may hold a null for an undefined metric
        text = html.escape(str(value))
    return f'<td class="num">{text}</td>'


def table(header: list[str], rows: list[list[str]]) -> str:
    """Lay out a table from escaped header labels and rows of already-built <td> cells."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(f"<tr>{''.join(cells)}</tr>" for cells in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
