"""What each column of a user's table is for: a feature, or left out, and why in one line.

A real table holds more than features: free text (names, comments), identifiers (row numbers,
customer ids, UUIDs), dates, constant columns. One-hot encoding those blindly turns a name
column into a thousand features and a row number into noise, so each is recognised here and
left out with its reason, which `mlproj new` prints and writes into `conf/data` for the user
to overrule. Categorical columns with more than `MAX_CATEGORIES` values stay features, flagged: the
project's conf/encoding groups their rare values.

Every decision is read from a seeded sample of at most `SAMPLE_ROWS` rows: profiling a
million rows costs about what profiling ten thousand does. Only the few checks that must be
exact (is a column really constant, really unique) look at the whole column, once.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, NamedTuple

from mlproj._core.text import listing, number, percent
from mlproj.data.personal import personal_reason

if TYPE_CHECKING:
    import pandas as pd

Kind = Literal["numeric", "categorical", "identifier", "text", "date", "constant", "personal"]
FEATURES: tuple[Kind, ...] = ("numeric", "categorical")
Flag = Literal["capped", "near-constant"]
SAMPLE_ROWS = 10_000
# Values of a column parsed as dates: enough to be sure, few enough that parsing stays cheap.
DATE_SAMPLE = 200
# Past this many distinct values a categorical column is capped: the encoders keep the most
# frequent ones and pool the rest, and the contract lists no allowed values (new ones come).
MAX_CATEGORIES = 50
# One value on this share of rows: under 1% of rows is under 10 examples per 1,000 of anything
# else, too few to learn from reliably; kept all the same, as a rare flag can matter (fraud).
NEAR_CONSTANT = 0.99
# Free text: most values distinct, and values are phrases (spaces) or long.
TEXT_DISTINCT = 0.5
TEXT_SPACES = 0.5
TEXT_LENGTH = 30
# Share of sampled values that must look like (and parse as) a date or an id.
DATE_SHARE = 0.95
UUID_SHARE = 0.9
DATE_REASON = (
    "a date or time: left out; to use it, add columns derived from it (year, month, weekday, "
    "hour) to the data and list them as features"
)
# Name tokens that say "identifier"; tokens, so `paid`, `grid` and `idle` are not ids.
ID_WORDS = frozenset({"id", "ids", "uuid", "guid", "identifier", "rownames"})

_UUID = re.compile(
    r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}|[0-9a-f]{24,64}",
    re.IGNORECASE,
)
_MONTH = r"[a-z]{3,9}\.?"
_DAY = r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}"
_WORDY = rf"(?:[a-z]{{3,9}},?\s+)?(?:\d{{1,2}}\s+{_MONTH}|{_MONTH}\s+\d{{1,2}}),?\s+\d{{4}}"
_CLOCK = r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
_ZONE = r"(?:\s*(?:z|utc|gmt|[ap]\.?m\.?|[+-]\d{2}:?\d{2}))?"
# A shape check before parsing: pandas' "mixed" parser reads "1st", "May" or "3 4" as dates.
_DATE = re.compile(
    rf"(?:(?:{_DAY}|{_WORDY})(?:[ T]{_CLOCK})?|{_CLOCK}){_ZONE}", re.IGNORECASE | re.ASCII
)


@dataclass(frozen=True)
class Role:
    """One column's role and the one-line reason for it, as a person reads it.

    `flag` marks a feature worth a second look (capped, or nearly constant): `mlproj new`
    prints those beside the columns left out.
    """

    name: str
    kind: Kind
    reason: str
    flag: Flag | None = None

    @property
    def used(self) -> bool:
        """Whether the model sees the column (numeric or categorical feature)."""
        return self.kind in FEATURES


# What `mlproj new` prints per group of columns: one line each, however many columns.
_GROUPS: tuple[tuple[Kind | Flag, str], ...] = (
    ("personal", "personal data (emails, phones, national ids, names, addresses)"),
    ("text", "free text (mostly distinct phrases; one column per value as a category)"),
    ("identifier", "identifiers (a distinct value per row, UUIDs, or named like an id)"),
    ("date", "dates and times (derive year, month, weekday columns to use them)"),
    ("constant", "constant (one value on every row)"),
    ("capped", f"many values (over {MAX_CATEGORIES}): kept, rare ones grouped (conf/encoding)"),
    ("near-constant", f"kept, nearly constant (one value on {NEAR_CONSTANT:.0%}+ of rows)"),
)


def summary(roles: Iterable[Role], shown: int = 5) -> list[str]:
    """One line per kind of column left out or flagged: 'free text (...): Name, Ticket'.

    Columns are named up to SHOWN per line; each column's own reason is in conf/data and
    the data profile page, so 200 columns never make 200 lines.
    """
    lines = []
    roles = list(roles)
    for group, label in _GROUPS:
        names = [r.name for r in roles if (r.flag if r.used else r.kind) == group]
        if names:
            lines.append(f"{label}: {listing(names, shown)}")
    return lines


def time_column(roles: Iterable[Role]) -> str | None:
    """The table's date column when it has exactly one: conf/data's `time_column`.

    The generated project's staleness check fits on older rows and scores newer ones by it;
    with two date columns or more, which one orders the rows is the user's call.
    """
    dates = [role.name for role in roles if role.kind == "date"]
    return dates[0] if len(dates) == 1 else None


def sample_rows(frame: pd.DataFrame, rows: int | None = None) -> pd.DataFrame:
    """At most ROWS rows of FRAME, the same ones on every run."""
    rows = SAMPLE_ROWS if rows is None else rows
    return frame if len(frame) <= rows else frame.sample(rows, random_state=0)


def assign_role(column: pd.Series, sample: pd.Series) -> Role:
    """The role of COLUMN, read from SAMPLE (its sampled rows).

    Only what must be exact (constant? unique? how many values?) is checked on the whole
    column, and only for the columns it decides.
    """
    import pandas as pd

    name = str(column.name)
    values = sample.dropna()
    top = _top_share(sample)
    sampled = len(sample) if len(sample) < len(column) else 0
    if top.share == 1.0 and column.nunique(dropna=False) <= 1:
        return Role(name, "constant", _constant_reason(column))
    # Before dates and identifiers: a birth date or an email is personal data first.
    personal = personal_reason(name, sample)
    if personal:
        return Role(name, "personal", personal)
    if _is_date_kind(column, values):
        return Role(name, "date", DATE_REASON)
    if pd.api.types.is_bool_dtype(column.dtype):
        return _feature(name, "categorical", "yes/no values", top)
    if pd.api.types.is_numeric_dtype(column.dtype):
        return _numeric(column, values, top, sampled)
    return _labels(column, values, top, sampled)


def _numeric(column: pd.Series, values: pd.Series, top: _Top, sampled: int) -> Role:
    import pandas as pd

    name = str(column.name)
    whole = pd.api.types.is_integer_dtype(column.dtype)
    if whole and len(values) > 1 and values.is_unique and _unique(column):
        # Row numbers and serials are dense or in order; a unique measure (incomes) is neither.
        low, high, count = int(column.min()), int(column.max()), int(column.count())
        if high - low < 2 * count or column.is_monotonic_increasing:
            return Role(name, "identifier", "an identifier: a distinct whole number on every row")
    if _named_like_id(name):
        if values.nunique() > MAX_CATEGORIES:
            return Role(
                name, "identifier", f"an identifier: named like one, {_many(values, sampled)}"
            )
        if whole:
            reason = "a code named like an identifier, not a quantity"
            return _feature(name, "categorical", reason, top)
    return _feature(name, "numeric", "numeric values", top)


def _labels(column: pd.Series, values: pd.Series, top: _Top, sampled: int) -> Role:
    name = str(column.name)
    texts = values.astype(str)
    if len(texts) and texts.str.fullmatch(_UUID).mean() >= UUID_SHARE:
        return Role(name, "identifier", "an identifier: UUID-like or hexadecimal values")
    if _looks_like_dates(texts):
        return Role(name, "date", DATE_REASON)
    distinct = int(texts.nunique())
    share = distinct / max(len(texts), 1)
    spaces = texts.str.contains(r"\s", regex=True).mean() if len(texts) else 0.0
    length = texts.str.len().mean() if len(texts) else 0.0
    if distinct > 1 and share >= TEXT_DISTINCT and (spaces >= TEXT_SPACES or length >= TEXT_LENGTH):
        words = round(float(texts.str.count(r"\S+").mean()), 1)
        said = f"{number(words)} word{'' if words == 1 else 's'} on average"
        reason = f"free text: {_many(values, sampled)}, {said}; as a category it "
        return Role(name, "text", reason + "would add a column per value")
    if distinct > 1 and share == 1.0 and _unique(column):
        return Role(name, "identifier", "an identifier: a distinct value on every row")
    if distinct > MAX_CATEGORIES:
        if _named_like_id(name):
            return Role(
                name, "identifier", f"an identifier: named like one, {_many(values, sampled)}"
            )
        reason = (
            f"{_many(values, sampled)}: kept; values rarer than conf/encoding's min_frequency, "
            "or beyond its most frequent max_categories, share one category"
        )
        return Role(name, "categorical", reason, flag="capped")
    return _feature(name, "categorical", "labels, not numbers", top)


def _feature(name: str, kind: Kind, reason: str, top: _Top) -> Role:
    if top.share >= NEAR_CONSTANT:
        what = "empty" if top.empty else "one value"
        return Role(
            name,
            kind,
            f"{what} on {_share(top.share)} of rows: kept, though it tells little; "
            "move it to left_out if it is noise",
            flag="near-constant",
        )
    return Role(name, kind, reason)


def _share(top: float) -> str:
    """TOP as a percentage that never rounds up to a misleading 100%."""
    import math

    return percent(math.floor(top * 1000) / 1000)


class _Top(NamedTuple):
    """The most common value's share of the sampled rows, and whether it is a gap."""

    share: float
    empty: bool


def _top_share(sample: pd.Series) -> _Top:
    if sample.empty:
        return _Top(1.0, True)
    counts = sample.value_counts(dropna=False)
    value = counts.index[0]
    return _Top(float(counts.iloc[0]) / len(sample), bool(value is None or value != value))


def _unique(column: pd.Series) -> bool:
    """Whether every row that has a value has a different one: a full pass, done rarely."""
    values = column.dropna()
    return len(values) > 1 and bool(values.is_unique)


def _constant_reason(column: pd.Series) -> str:
    if column.isna().all():
        return "constant: empty on every row, nothing to learn from"
    return "constant: one value on every row, nothing to learn from"


def _is_date_kind(column: pd.Series, values: pd.Series) -> bool:
    """A datetime column, or one of Python date/time objects (Parquet dates read by pandas)."""
    import datetime as dt

    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(column.dtype) or isinstance(
        column.dtype, pd.PeriodDtype
    ):
        return True
    if column.dtype != object or values.empty:
        return False
    head = values.iloc[:DATE_SAMPLE]
    return bool(head.map(lambda v: isinstance(v, (dt.date, dt.time))).all())


def _looks_like_dates(texts: pd.Series) -> bool:
    """Nearly all sampled values are shaped like dates or times, and parse as such."""
    import pandas as pd

    head = texts.iloc[:DATE_SAMPLE].str.strip()
    if head.empty or head.str.fullmatch(_DATE).mean() < DATE_SHARE:
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas warns about formats it guesses per value
        parsed = pd.to_datetime(head, format="mixed", errors="coerce")
    return bool(parsed.notna().mean() >= DATE_SHARE)


def _many(values: pd.Series, sampled: int) -> str:
    """'312 distinct values', or how many SAMPLED rows of a long table hold.

    An exact count of a million distinct strings would cost more than the rest of profiling.
    """
    distinct = number(int(values.nunique()))
    if not sampled:
        return f"{distinct} distinct values"
    return f"{distinct} distinct values in {number(sampled)} rows sampled"


def _named_like_id(name: str) -> bool:
    return bool(ID_WORDS & set(_tokens(name)))


def _tokens(name: str) -> list[str]:
    """NAME's words: `PassengerId`, `customer_id` and `subjectID` all end in the word `id`."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", name)
    return [word for word in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if word]
