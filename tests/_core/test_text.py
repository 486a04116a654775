from __future__ import annotations

import pytest

from mlproj._core.text import first_line, listing, number, percent


@pytest.mark.parametrize(
    ("items", "shown", "expected"),
    [
        ([], 3, ""),
        (["a"], 3, "a"),
        (["a", "b", "c"], 3, "a, b, c"),
        (["a", "b", "c", "d", "e"], 3, "a, b, c and 2 more"),
    ],
)
def test_listing_names_at_most_shown_items(items: list[str], shown: int, expected: str) -> None:
    assert listing(items, shown) == expected


def test_listing_with_another_separator() -> None:
    assert listing(["x: 1", "y: 2", "z: 3"], 2, sep="; ", last="; and ") == "x: 1; y: 2; and 1 more"


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (ValueError("bad value\nat line 3"), "bad value"),
        (ValueError("  \n"), "ValueError"),
        (OSError(), "OSError"),
    ],
)
def test_first_line(exc: BaseException, expected: str) -> None:
    assert first_line(exc) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "0"),
        (0.0, "0"),
        (-0.0, "0"),
        (3021, "3,021"),
        (-1234567, "-1,234,567"),
        (3021.0, "3,021"),
        (12810.4, "12,810"),
        (12814.6, "12,815"),
        (0.87341, "0.8734"),
        (-0.87341, "-0.8734"),
        (0.5, "0.5"),
        (1.0, "1"),
        (999.96, "1,000"),
        (0.99996, "1"),
        (0.000123456, "0.0001235"),
        (-7e-05, "-7×10⁻⁵"),
        (1.234567e-12, "1.235×10⁻¹²"),
        (1.5e12, "1.5×10¹²"),
        (123456789.4, "123,456,789"),
        (float("nan"), "NaN"),
        (float("inf"), "∞"),
        (float("-inf"), "-∞"),
    ],
)
def test_number_reads_as_a_person_writes_it(value: float, expected: str) -> None:
    assert number(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.0123, "+0.0123"), (-0.0123, "-0.0123"), (0.0, "0"), (5, "+5"), (float("inf"), "+∞")],
)
def test_number_with_sign_marks_increases(value: float, expected: str) -> None:
    assert number(value, sign=True) == expected


def test_number_takes_numpy_scalars_and_fewer_digits() -> None:
    import numpy as np

    assert [number(np.int64(12810)), number(np.float32(0.1)), number(2 / 3, 2)] == [
        "12,810",
        "0.1",
        "0.67",
    ]


def test_number_without_grouping_for_values_quoted_from_data() -> None:
    assert [number(2008, grouping=False), number(4100.0, grouping=False)] == ["2008", "4100"]
    assert number(1234.5678, grouping=False) == "1235"


def test_percent_of_a_share() -> None:
    assert [percent(0.2345), percent(1), percent(0)] == ["23.4%", "100%", "0%"]
