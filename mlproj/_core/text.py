"""The few phrasings every message shares, so lists and causes read the same everywhere."""

from __future__ import annotations

from collections.abc import Sequence


def listing(items: Sequence[str], shown: int = 5, *, sep: str = ", ", last: str = " and ") -> str:
    """'a, b, c and 4 more': at most SHOWN items, so one message never floods a terminal."""
    more = len(items) - shown
    return sep.join(items[:shown]) + (f"{last}{more} more" if more > 0 else "")


def first_line(exc: BaseException) -> str:
    """The first line of EXC's message (its class name when empty), for a one-line error."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
