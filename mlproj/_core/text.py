"""The few phrasings every message shares, so lists and causes read the same everywhere."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


def listing(items: Sequence[str], shown: int = 5, *, sep: str = ", ", last: str = " and ") -> str:
    """'a, b, c and 4 more': at most SHOWN items, so one message never floods a terminal."""
    more = len(items) - shown
    return sep.join(items[:shown]) + (f"{last}{more} more" if more > 0 else "")


def path_in(path: Path, root: Path) -> str:
    """PATH as a message names it: relative to ROOT (with `/`) when inside it, else as given."""
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


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


# Outside this band a number is shown as m times a power of ten: below it, zeros after the
# point hide the digits that matter; above it, a row of digit groups is harder to read.
_SMALLEST_PLAIN, _LARGEST_PLAIN = 1e-4, 1e9
_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def number(value: float, digits: int = 4, *, sign: bool = False, grouping: bool = True) -> str:
    """VALUE as a person reads it in a report: the one formatter for every number shown.

    Integers exactly, with thousands separators ("12,810"); other numbers to DIGITS significant
    digits, never rounding away digits before the point ("3,021", "0.8734"), with no trailing
    zeros or dot; very small or very large ones as -7 times 10⁻⁵. NaN reads "NaN", infinities "∞".
    SIGN puts "+" before positive values, for changes; GROUPING=False leaves out the thousands
    separators, for values quoted from data (a year 2008 is no count of 2,008 things).
    """
    import math
    import numbers

    plus, separator = ("+" if sign else ""), ("," if grouping else "")
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        whole = int(value)
        return f"{plus if whole > 0 else ''}{whole:{separator}}"
    x = float(value)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return ("-" if x < 0 else plus) + "∞"
    if x == 0:
        return "0"
    lead = "-" if x < 0 else plus
    size = abs(x)
    if _SMALLEST_PLAIN <= size < _LARGEST_PLAIN:
        decimals = max(digits - 1 - math.floor(math.log10(size)), 0)
        text = _strip(f"{size:{separator}.{decimals}f}")
        return "0" if text == "0" else lead + text
    mantissa, exponent = f"{size:.{max(digits - 1, 0)}e}".split("e")
    power = str(int(exponent)).translate(_SUPERSCRIPTS)
    return f"{lead}{_strip(mantissa)}×10{power}"


def percent(share: float, digits: int = 3) -> str:
    """SHARE (0.234) as a percentage ("23.4%") with the same rules as `number`."""
    return f"{number(100 * float(share), digits)}%"


def _strip(text: str) -> str:
    """'2.500' -> '2.5', '3021.' -> '3021': trailing zeros after the point say nothing."""
    return text.rstrip("0").rstrip(".") if "." in text else text
