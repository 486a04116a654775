"""The data profile a new project starts with: `reports/data-profile.html`.

One self-contained page (no scripts, nothing fetched; figures are inline SVG) that shows what
`mlproj new` made of the user's table: each column's role and the reason for it, its type,
missing share, distribution and most common values, and the target's balance. The roles are
a list of `ColumnRole` the page only prints, so a new kind of role (text, identifier, date)
needs no change here. The page's size is bounded whatever the table: a capped number of
values and columns in detail, histograms drawn from a sample of rows.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mlproj._core import html as page_html
from mlproj.data.dataset import DataProfile

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd

TOP_VALUES = 8
DETAILED_COLUMNS = 100
CLASSES_SHOWN = 30
BINS = 20
SAMPLE_ROWS = 100_000
VALUE_CHARS = 60


@dataclass(frozen=True)
class ColumnRole:
    """What a column is for in the project, and why mlproj decided so."""

    name: str
    role: str
    reason: str


def column_roles(data: DataProfile) -> tuple[ColumnRole, ...]:
    """Each column's role as profiling at `mlproj new` assigned it, with the reason.

    Features first (numeric, then categorical), then the columns left out, as in conf/data.
    """
    classes = f", {len(data.classes)} classes" if data.classes else ""
    roles = [
        ColumnRole(data.target, "target", f"the column the model predicts ({data.task}{classes})")
    ]
    why = {role.name: role.reason for role in data.roles}
    roles += [ColumnRole(c, "numeric feature", why.get(c, "numeric values")) for c in data.numeric]
    roles += [
        ColumnRole(c, "categorical feature", why.get(c, "labels, not numbers"))
        for c in data.categorical
    ]
    left_out = [(role.name, role.reason) for role in data.left_out] or [
        (c, "an identifier: a distinct value on every row") for c in data.identifiers
    ]
    roles += [ColumnRole(name, "left out", reason) for name, reason in left_out]
    return tuple(roles)


def write_profile(path: Path, frame: pd.DataFrame, data: DataProfile, *, source: str) -> None:
    """Write the profile page of FRAME (read from SOURCE) to PATH, atomically."""
    page_html.write_page(path, profile_page(frame, column_roles(data), data, source=source))


def profile_page(
    frame: pd.DataFrame, roles: tuple[ColumnRole, ...], data: DataProfile, *, source: str
) -> str:
    """The whole page, as HTML."""
    sample = frame if len(frame) <= SAMPLE_ROWS else frame.sample(SAMPLE_ROWS, random_state=0)
    body = [
        f"<p>{_number(len(frame))} rows and {_number(frame.shape[1])} columns from "
        f"<code>{html.escape(source)}</code>, as <code>mlproj new</code> read them. The roles "
        "live in <code>conf/data/default.yaml</code>: move a column between its lists to change "
        "one. This page is not updated when the data changes.</p>",
        f"<h2>Target: {html.escape(data.target)}</h2>",
        _target(frame[data.target], sample[data.target], data),
        "<h2>Columns</h2>",
        _overview(frame, sample, roles),
    ]
    if len(frame) > SAMPLE_ROWS:
        # Counting a million distinct values per column took most of a minute on 1M rows.
        body.append(
            f"<p>Histograms, distinct counts and most common values are drawn from "
            f"{_number(SAMPLE_ROWS)} rows chosen at random.</p>"
        )
    for index, role in enumerate(roles[:DETAILED_COLUMNS]):
        body.append(_detail(index, frame[role.name], sample[role.name], role))
    if len(roles) > DETAILED_COLUMNS:
        left = len(roles) - DETAILED_COLUMNS
        body.append(f"<p>{_number(left)} more columns are listed in the table above only.</p>")
    return page_html.page("Data profile", body, css=_CSS)


_CSS = """
svg.hist rect { fill: #d6336c; }
svg.hist text { font: 11px system-ui, sans-serif; fill: #57606a; }
.why { color: #57606a; }
"""


def _target(column: pd.Series, sample: pd.Series, data: DataProfile) -> str:
    if data.task == "regression":
        values = column.dropna().astype(float)
        stats = [
            ("mean", values.mean()),
            ("median", values.median()),
            ("min", values.min()),
            ("max", values.max()),
        ]
        cells = [[page_html.text_cell(k), _number_cell(v)] for k, v in stats]
        return page_html.table(["statistic", "value"], cells) + _histogram(sample)
    counts = column.astype("string").value_counts(dropna=True)
    total = int(counts.sum())
    rows = [
        [page_html.text_cell(_short(label)), _number_cell(n), _share_cell(n / total)]
        for label, n in counts.head(CLASSES_SHOWN).items()
    ]
    more = len(counts) - CLASSES_SHOWN
    note = f"<p>{_number(more)} more classes not shown.</p>" if more > 0 else ""
    return page_html.table(["class", "rows", "share"], rows) + note


def _overview(frame: pd.DataFrame, sample: pd.DataFrame, roles: tuple[ColumnRole, ...]) -> str:
    rows = []
    for index, role in enumerate(roles):
        column = frame[role.name]
        name = html.escape(str(role.name))
        link = f'<a href="#c{index}">{name}</a>' if index < DETAILED_COLUMNS else name
        rows.append(
            [
                f"<td>{link}</td>",
                page_html.text_cell(role.role),
                f'<td class="why">{html.escape(role.reason)}</td>',
                page_html.text_cell(str(column.dtype)),
                _share_cell(float(column.isna().mean())),
                _number_cell(int(sample[role.name].nunique(dropna=True))),
            ]
        )
    return page_html.table(["column", "role", "why", "type", "missing", "distinct"], rows)


def _detail(index: int, column: pd.Series, sample: pd.Series, role: ColumnRole) -> str:
    import pandas as pd

    parts = [
        f'<h3 id="c{index}">{html.escape(str(role.name))}</h3>',
        f"<p>{html.escape(role.role)}: {html.escape(role.reason)}. "
        f"Type {html.escape(str(column.dtype))}, {_percent(float(column.isna().mean()))} "
        "missing.</p>",
    ]
    numeric = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
    if numeric:
        parts.append(_histogram(sample))
    parts.append(_top_values(sample))
    return "\n".join(parts)


def _top_values(column: pd.Series) -> str:
    counts = column.value_counts(dropna=False)
    total = len(column)
    rows = [
        [
            page_html.text_cell("(missing)" if _is_missing(value) else _short(value)),
            _number_cell(int(n)),
            _share_cell(n / total),
        ]
        for value, n in counts.head(TOP_VALUES).items()
    ]
    more = len(counts) - TOP_VALUES
    caption = f"<p>Most common values ({_number(more)} others not shown):</p>" if more > 0 else ""
    return caption + page_html.table(["value", "rows", "share"], rows)


def _histogram(values: pd.Series) -> str:
    """A small inline SVG histogram of the finite values, with the range underneath."""
    import numpy as np

    numbers = values.dropna().to_numpy(dtype=float)
    numbers = numbers[np.isfinite(numbers)]
    if numbers.size == 0:
        return "<p>No finite values to draw.</p>"
    bins = min(BINS, max(1, len(np.unique(numbers))))
    counts, edges = np.histogram(numbers, bins=bins)
    width, height, bar = 300, 70, 300 / len(counts)
    peak = max(int(counts.max()), 1)
    rects = []
    for i, n in enumerate(counts):
        h = 55 * int(n) / peak
        label = f"{_number(edges[i])} to {_number(edges[i + 1])}: {_number(int(n))} rows"
        rects.append(
            f'<rect x="{i * bar:.1f}" y="{55 - h:.1f}" width="{max(bar - 1, 1):.1f}" '
            f'height="{h:.1f}"><title>{html.escape(label)}</title></rect>'
        )
    low, high = html.escape(_number(edges[0])), html.escape(_number(edges[-1]))
    return (
        f'<svg class="hist" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">'
        f"<title>Histogram from {low} to {high}</title>{''.join(rects)}"
        f'<rect x="0" y="55" width="{width}" height="1"></rect>'
        f'<text x="0" y="68">{low}</text>'
        f'<text x="{width}" y="68" text-anchor="end">{high}</text></svg>'
    )


def _is_missing(value: object) -> bool:
    import pandas as pd

    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and value != value  # NaN, numpy's included


def _short(value: object) -> str:
    text = str(value)
    return text if len(text) <= VALUE_CHARS else text[: VALUE_CHARS - 1] + "…"


def _number(value: float) -> str:
    """VALUE for a person: thousands separated, no exponent unless it is tiny or huge."""
    value = float(value)
    if value.is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 0.001:
        return f"{value:.4g}"
    return f"{value:.2e}"


def _percent(share: float) -> str:
    if 0 < share < 0.001:
        return "under 0.1%"
    return f"{share:.1%}"


def _number_cell(value: float) -> str:
    return f'<td class="num">{_number(value)}</td>'


def _share_cell(share: float) -> str:
    bar = f'<span class="bar" style="width:{share * 6:.2f}rem"></span>'
    return f'<td class="num">{_percent(share)} {bar}</td>'
