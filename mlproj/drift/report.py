"""Render `drift.html`: the verdict, a row per column, and each column's two distributions.

Built with `mlproj._core.html.page`, so it shares the explanation report's look and its policy
of fetching nothing. Distributions are drawn as inline CSS bars rather than PNGs: a page of
twenty features stays small, and drawing it costs no matplotlib import.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from mlproj._core.html import number_cell, page, table, text_cell
from mlproj.drift.stats import CategoricalStats, NumericStats

if TYPE_CHECKING:
    from mlproj.drift.conformance import OutOfContract
    from mlproj.drift.rules import ColumnDrift, DriftResult

_CSS = """
.drift { color: #b42318; font-weight: 600; }
.warn { color: #9a6700; font-weight: 600; }
.ok { color: #1a7f37; }
.bar.reference { background: #8c959f; }
.bar.batch { background: #d6336c; }
"""
_ORDER = {"drift": 0, "warn": 1, "ok": 2}
_BAR_PX = 240
_READING = (
    "A column drifts when its PSI reaches psi_fail and its test (KS for numbers, chi-square "
    "for categories) gives p below p_value: the shift must be both large and unlikely to be "
    "chance. With large batches every small shift is significant, so PSI decides; with small "
    "ones PSI is noisy, so the test decides. PSI: below 0.1 stable, 0.1 to 0.25 moderate, "
    "above 0.25 a major shift.",
    "Missing values and categories the reference never had are counted, not tested: a column "
    "drifts when its missing share rises by more than max_missing_increase, or when more than "
    "max_unseen_share of its rows hold an unseen category.",
    "Rows outside the data contract (a value below min or above max, a category not in "
    "allowed, a gap where the contract says never missing) are counted, and the batch drifts "
    "when their share passes max_out_of_contract_share. They stay in every statistic above: "
    "values the model never saw are the drift this report is for.",
    "Numeric bins are the reference's quantiles, so each holds about the same share of the "
    "reference; a batch bar far from its grey neighbour is where the batch moved.",
)


def render_drift_report(result: DriftResult) -> str:
    """The whole page for RESULT; every value from the data is escaped."""
    esc = html.escape
    if result.drift:
        names = [c.name for c in result.drifted]
        if result.out_of_contract.status == "drift":
            names.append(f"{result.out_of_contract.summary} outside the data contract")
        verdict = f'<p class="drift">Drift beyond the thresholds: {esc(", ".join(names))}.</p>'
    else:
        verdict = '<p class="ok">No drift beyond the thresholds.</p>'
    body = [
        verdict,
        f"<p>{result.batch_rows} rows of {esc(result.batch)} against {result.reference_rows} "
        f"rows of {esc(result.reference)}.</p>",
        "<h2>Columns</h2>",
        _summary(result.columns),
    ]
    if result.predictions is not None:
        body += ["<h2>Predictions</h2>", _summary((result.predictions,))]
    body += ["<h2>Data contract</h2>", *_contract(result.out_of_contract)]
    body.append("<h2>Distributions</h2>")
    for column in sorted(result.compared, key=lambda c: _ORDER[c.status]):
        body += _distribution(column)
    body += [
        "<h2>Thresholds</h2>",
        "<p>From the project's <code>conf/drift/</code>, as composed into params.yaml.</p>",
        table(
            ["Threshold", "Value"],
            [[text_cell(k), number_cell(v)] for k, v in vars(result.thresholds).items()],
        ),
        "<h2>Reading this report</h2>",
        *(f"<p>{esc(text)}</p>" for text in _READING),
    ]
    if result.notes:
        body += ["<h2>Notes</h2>", "<ul>", *(f"<li>{esc(n)}</li>" for n in result.notes), "</ul>"]
    return page(f"Drift: {result.batch}", body, css=_CSS)


def _summary(columns: tuple[ColumnDrift, ...]) -> str:
    header = ["Column", "Kind", "Status", "PSI", "Test", "p-value", "Missing", "Unseen", "Why"]
    rows = []
    for c in columns:
        stats = c.stats
        test, p = "-", None
        if isinstance(stats, NumericStats):
            test, p = f"KS D = {stats.ks_statistic:.3g}", stats.ks_p_value
        elif isinstance(stats, CategoricalStats):
            test, p = "chi-square", stats.chi2_p_value
        unseen = f"{100 * stats.unseen_share:.3g}%" if isinstance(stats, CategoricalStats) else "-"
        rows.append(
            [
                text_cell(c.name),
                text_cell(c.kind),
                f'<td class="{c.status}">{c.status}</td>',
                number_cell(stats.psi) if stats is not None else text_cell("-"),
                text_cell(test),
                text_cell(f"{p:.2g}" if p is not None else "-"),
                text_cell(f"{100 * c.missing_reference:.3g}% → {100 * c.missing_batch:.3g}%"),
                text_cell(unseen),
                text_cell("; ".join(c.reasons) or "-"),
            ]
        )
    return table(header, rows)


def _contract(found: OutOfContract) -> list[str]:
    """The rows outside the contract: how many, by rule, and the first few in full."""
    status = f'<span class="{found.status}">{found.status}</span>'
    if not found.rows:
        return [f"<p>{status}: every row is inside the data contract.</p>"]
    limit = f"{100 * found.limit:.3g}%"
    return [
        f"<p>{status}: {html.escape(found.summary)} break the data contract (limit: {limit}).</p>",
        table(
            ["Column", "Rule broken", "Rows", "Share"],
            [
                [
                    text_cell(c.column),
                    text_cell(c.rule),
                    text_cell(str(c.rows)),
                    text_cell(f"{100 * c.rows / found.total:.3g}%"),
                ]
                for c in found.by_rule
            ],
        ),
        f"<p>The first {len(found.examples)}, by position in the batch (from 0):</p>",
        table(
            ["Row", "Column", "Rule broken", "Value"],
            [
                [
                    text_cell(str(e.row)),
                    text_cell(column),
                    text_cell(rule),
                    text_cell(_shown(value)),
                ]
                for e in found.examples
                for column, rule, value in e.breaks
            ],
        ),
    ]


def _shown(value: object) -> str:
    return "missing" if value is None else repr(value) if isinstance(value, str) else str(value)


def _distribution(column: ColumnDrift) -> list[str]:
    status = f'<span class="{column.status}">{column.status}</span>'
    title = f"<h3>{html.escape(column.name)} {status}</h3>"
    if column.stats is None:
        return [title, "<p>No values on one side: only missing shares were compared.</p>"]
    bins = column.stats.bins
    largest = max((*bins.reference, *bins.batch), default=0.0) or 1.0
    rows = [
        [
            text_cell(label),
            text_cell(f"{100 * r:.1f}%"),
            text_cell(f"{100 * b:.1f}%"),
            f"<td>{_bar('reference', r, largest)}<br>{_bar('batch', b, largest)}</td>",
        ]
        for label, r, b in zip(bins.labels, bins.reference, bins.batch, strict=True)
    ]
    return [title, table(["Bin", "Reference", "Batch", "grey: reference, red: batch"], rows)]


def _bar(kind: str, share: float, largest: float) -> str:
    return f'<span class="bar {kind}" style="width: {_BAR_PX * share / largest:.0f}px"></span>'
