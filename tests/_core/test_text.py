from __future__ import annotations

import pytest

from mlproj._core.text import first_line, listing


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
