"""Render `reports/monitor/index.html`: the verdict, one row per check, the window, the notes.

Built with `mlproj._core.html.page`, like the drift report: inline CSS and a policy that
fetches nothing, so the page reads the same as a CI artefact as on a laptop.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from mlproj._core.html import page, table, text_cell
from mlproj._core.text import number

if TYPE_CHECKING:
    from mlproj.monitor.check import Check, MonitorResult

_CSS = """
.alert { color: #b42318; font-weight: 600; }
.skipped { color: #9a6700; }
.ok { color: #1a7f37; }
"""
_ORDER = {"alert": 0, "skipped": 1, "ok": 2}


def render_monitor_report(result: MonitorResult) -> str:
    """The whole page for RESULT; every value from the log is escaped."""
    esc = html.escape
    w = result.window
    if result.alerts:
        names = ", ".join(c.name for c in result.alerts)
        verdict = f'<p class="alert">{len(result.alerts)} alert(s): {esc(names)}.</p>'
    else:
        verdict = '<p class="ok">No alert: every check judged is within its limit.</p>'
    versions = ", ".join(w.versions) or "none"
    body = [
        verdict,
        f"<p>{w.requests} request(s), {w.rows} logged row(s) and {w.labelled} labelled row(s) "
        f"from {w.since} to {w.until} (UTC days). Versions that answered: {esc(versions)}; "
        f"judged: {esc(result.model_version or 'none')}.</p>",
        "<h2>Checks</h2>",
        table(
            ["Check", "Status", "Value", "Limit", "What was seen"],
            [_row(c) for c in sorted(result.checks, key=lambda c: _ORDER[c.status])],
        ),
    ]
    if result.sample_path is not None:
        body.append(
            f"<p>A random sample of {result.sampled} recent request row(s) for people to read: "
            f"<code>{esc(result.sample_path.name)}</code> beside this page.</p>"
        )
    if result.notes:
        body += ["<h2>Notes</h2>", "<ul>", *(f"<li>{esc(n)}</li>" for n in result.notes), "</ul>"]
    return page(f"Monitor: {w.since} to {w.until}", body, css=_CSS)


def _row(check: Check) -> list[str]:
    return [
        text_cell(check.name),
        f'<td class="{check.status}">{check.status}</td>',
        text_cell("-" if check.value is None else number(check.value)),
        text_cell("-" if check.limit is None else number(check.limit)),
        text_cell(check.message),
    ]
