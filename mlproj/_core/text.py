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


def brief(value: object, width: int = 60) -> str:
    """VALUE's repr cut to about WIDTH characters, for messages that quote what a user wrote.

    `reprlib` stops after a few items and levels, so even a value built from YAML aliases
    (shared lists nested many times) is shown without walking all of it.
    """
    import reprlib

    shortener = reprlib.Repr()
    shortener.maxstring = shortener.maxother = width
    shortener.maxlist = shortener.maxdict = shortener.maxtuple = shortener.maxset = 4
    shortener.maxlevel = 2
    text = shortener.repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."
