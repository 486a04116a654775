"""The data contract: what the training data may look like, kept in YAML and enforced with pandera.

A project infers its contract once, from the data it was made with, and commits it. Every new
version of the data, every batch of incident rows and every drift check is held against it, so a
change in the shape of the data becomes a reviewed edit of the contract instead of a quiet surprise.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from mlproj._core.atomic import write_text
from mlproj._core.text import brief, listing
from mlproj._core.yamlio import load_yaml
from mlproj.errors import ConfigError, ContractViolation, DataError

if TYPE_CHECKING:
    import pandas as pd

Kind = Literal["numeric", "integer", "categorical", "boolean"]
KINDS: tuple[Kind, ...] = ("numeric", "integer", "categorical", "boolean")
_KEYS = ("kind", "nullable", "min", "max", "allowed")
# The order breaks are reported in, within one column: the most basic problem first.
_RULES = ("missing", "kind", "nullable", "min", "max", "allowed")
_LISTED = 10

HEADER = """\
# Data contract: the columns the training data must have and the values each may hold.
# mlproj inferred it from the data the project was made with; the pipeline checks every new
# version of the data against it, and so do incident batches and drift checks.
# It is yours to edit: widen a range (min/max), add an allowed value, or set nullable: true.
# A categorical column without `allowed` accepts any value; a missing min or max means no bound.
"""


@dataclass(frozen=True)
class ColumnRule:
    """What one column must hold; `allowed=None` lets a categorical column take any value."""

    name: str
    kind: Kind
    nullable: bool
    minimum: float | None = None
    maximum: float | None = None
    allowed: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Contract:
    """The rules for every column the data must have, in the order the data had them."""

    columns: tuple[ColumnRule, ...]

    @property
    def names(self) -> list[str]:
        """The column names the contract requires, in order."""
        return [rule.name for rule in self.columns]

    def rule(self, name: str) -> ColumnRule:
        """Return the rule for column `name`; asking for another name is a caller's bug."""
        for rule in self.columns:
            if rule.name == name:
                return rule
        raise KeyError(f"no column {name!r} in the data contract")


@dataclass(frozen=True)
class Break:
    """One rule one column breaks, with the rows (index labels) and values that break it."""

    column: str
    rule: str
    rows: tuple[Any, ...] = ()
    values: tuple[Any, ...] = ()


def infer_contract(df: pd.DataFrame, *, max_categories: int = 50) -> Contract:
    """Describe `df` as the contract its future versions must keep to."""
    if df.empty:
        raise DataError("cannot infer a data contract from a table with no rows or no columns")
    duplicated = df.columns[df.columns.duplicated()]
    if len(duplicated):
        raise DataError(f"column {str(duplicated[0])!r} appears more than once in the table")
    return Contract(tuple(_infer_rule(str(name), df[name], max_categories) for name in df.columns))


def _infer_rule(name: str, series: pd.Series, max_categories: int) -> ColumnRule:
    import numpy as np
    import pandas as pd

    nullable = bool(series.isna().any())
    values = series.dropna()
    if values.empty:
        return ColumnRule(name, "categorical", nullable=True)
    # read_csv leaves a True/False column with gaps as object, but it is still boolean data.
    if pd.api.types.is_bool_dtype(series.dtype) or (
        series.dtype == object and all(isinstance(v, (bool, np.bool_)) for v in values)
    ):
        return ColumnRule(name, "boolean", nullable)
    if pd.api.types.is_integer_dtype(series.dtype):
        return ColumnRule(name, "integer", nullable, int(values.min()), int(values.max()))
    if pd.api.types.is_numeric_dtype(series.dtype):
        return ColumnRule(name, "numeric", nullable, float(values.min()), float(values.max()))
    distinct = values.unique()
    # Counted before any value is turned into text: a million distinct strings or timestamps
    # took 10 to 20 s to stringify and sort, for a list that is then dropped.
    if len(distinct) > max_categories:
        return ColumnRule(name, "categorical", nullable)
    return ColumnRule(
        name, "categorical", nullable, allowed=tuple(sorted({str(v) for v in distinct}))
    )


def contract_to_yaml(contract: Contract) -> str:
    """Render the contract as the commented YAML a reviewer reads in a diff."""
    import yaml

    # A private Dumper, so the list style chosen here never leaks into other yaml users. Short
    # `allowed` lists stay on one line; long ones get a line per value, which diffs cleanly.
    dumper: Any = type("_ContractDumper", (yaml.SafeDumper,), {})
    dumper.add_representer(
        tuple,
        lambda d, items: d.represent_sequence(
            "tag:yaml.org,2002:seq", items, flow_style=sum(len(i) + 2 for i in items) <= 60
        ),
    )
    columns = {rule.name: _rule_fields(rule) for rule in contract.columns}
    # An unlimited width: a long value folded over two lines is hard to read and to diff.
    body = yaml.dump(
        {"columns": columns}, Dumper=dumper, sort_keys=False, allow_unicode=True, width=1_000_000
    )
    return HEADER + body


def _rule_fields(rule: ColumnRule) -> dict[str, Any]:
    fields: dict[str, Any] = {"kind": rule.kind, "nullable": rule.nullable, "min": rule.minimum}
    fields |= {"max": rule.maximum, "allowed": rule.allowed}
    return {key: value for key, value in fields.items() if value is not None}


def contract_from_yaml(text: str | bytes | Path, *, source: str = "contract") -> Contract:
    """Read a contract, naming the file, column and field of the first thing wrong with it."""
    document = load_yaml(text, source=source)
    if not isinstance(document, dict) or "columns" not in document:
        raise ConfigError(f"{source}: missing 'columns', the mapping of column name to rule")
    for key in document:
        if key != "columns":
            raise ConfigError(f"{source}: unknown key {key!r} (expected only 'columns')")
    columns = document["columns"]
    if not isinstance(columns, dict):
        raise ConfigError(f"{source}: 'columns' must map each column name to its rule")
    rules = []
    for name, fields in columns.items():
        text_name = _text(name, f"{source}: column name")
        rules.append(_rule_from_fields(text_name, fields, f"{source}: column {text_name!r}"))
    return Contract(tuple(rules))


def _rule_from_fields(name: str, fields: object, where: str) -> ColumnRule:
    if not isinstance(fields, dict):
        raise ConfigError(f"{where}: expected a mapping with at least 'kind' and 'nullable'")
    for key in fields:
        if key not in _KEYS:
            raise ConfigError(f"{where}: unknown key {key!r} (expected {', '.join(_KEYS)})")
    if "kind" not in fields or "nullable" not in fields:
        raise ConfigError(f"{where}: missing {'kind' if 'kind' not in fields else 'nullable'!r}")
    kind = fields["kind"]
    if kind not in KINDS:
        raise ConfigError(
            f"{where}: unknown kind {kind!r} (expected numeric, integer, categorical or boolean)"
        )
    if not isinstance(fields["nullable"], bool):
        shown = brief(fields["nullable"])
        raise ConfigError(f"{where}: 'nullable' must be true or false, not {shown}")
    minimum, maximum = _number(fields, "min", kind, where), _number(fields, "max", kind, where)
    if minimum is not None and maximum is not None and minimum > maximum:
        raise ConfigError(f"{where}: min {minimum} is greater than max {maximum}")
    return ColumnRule(
        name, kind, fields["nullable"], minimum, maximum, _allowed(fields, kind, where)
    )


def _number(fields: dict[Any, Any], key: str, kind: str, where: str) -> float | None:
    value = fields.get(key)
    if value is None:
        return None
    if kind not in ("numeric", "integer"):
        raise ConfigError(f"{where}: {key!r} only applies to numeric and integer columns")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{where}: {key!r} must be a number, not {brief(value)}")
    return value


def _allowed(fields: dict[Any, Any], kind: str, where: str) -> tuple[str, ...] | None:
    value = fields.get("allowed")
    if value is None:
        return None
    if kind != "categorical":
        raise ConfigError(f"{where}: 'allowed' only applies to categorical columns")
    if not isinstance(value, list):
        raise ConfigError(f"{where}: 'allowed' must be a list such as [a, b], not {brief(value)}")
    return tuple(_text(item, f"{where}: allowed value") for item in value)


def _text(value: object, where: str) -> str:
    # YAML reads an unquoted yes/no/null as a boolean or nothing: make the author quote it.
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ConfigError(f"{where} {brief(value)} is not text; put it in quotes")
    return str(value)


def save_contract(contract: Contract, path: Path) -> None:
    """Write the contract so a crash never leaves a half-written file where the old one was."""
    write_text(path, contract_to_yaml(contract))


def load_contract(path: Path) -> Contract:
    """Read the contract at `path`: `ConfigError` if missing or wrong, `InvalidYaml` if unsafe."""
    try:
        return contract_from_yaml(path, source=str(path))
    except FileNotFoundError:
        raise ConfigError(f"{path}: data contract not found") from None


def validate_frame(df: pd.DataFrame, contract: Contract, *, source: str = "data") -> pd.DataFrame:
    """Check `df` against the contract; return it with numeric and boolean columns coerced.

    Every break is collected before raising, so one run shows all that needs fixing. Columns
    the contract does not name are left alone.
    """
    import pandera.pandas as pa

    schema = pa.DataFrameSchema({rule.name: _pandera_column(rule) for rule in contract.columns})
    try:
        # In place: the schema coerces nothing, and a copy would double the table in memory.
        schema.validate(df, lazy=True, inplace=True)
    except pa.errors.SchemaErrors as errors:
        raise contract_violation(
            _breaks(errors.failure_cases, contract), contract, source
        ) from errors
    # A shallow copy: each coerced column replaces its own, and the rest are shared, not copied.
    coerced = df.copy(deep=False)
    for rule in contract.columns:
        coerced[rule.name] = _coerce(df[rule.name], rule)
    return coerced


def _pandera_column(rule: ColumnRule) -> Any:
    import pandera.pandas as pa

    checks = []
    if rule.kind in ("numeric", "integer", "boolean"):
        checks.append(pa.Check(partial(_is_kind, kind=rule.kind), name="kind"))
    if rule.minimum is not None:
        checks.append(pa.Check(partial(_within, low=rule.minimum), name="min"))
    if rule.maximum is not None:
        checks.append(pa.Check(partial(_within, high=rule.maximum), name="max"))
    if rule.allowed is not None:
        checks.append(
            pa.Check(partial(_is_allowed, allowed=frozenset(rule.allowed)), name="allowed")
        )
    # No dtype: types are checked by `kind`, so a bad value is reported by row, not as a crash.
    return pa.Column(checks=checks, nullable=rule.nullable, required=True)


def _numbers(series: pd.Series) -> pd.Series:
    import pandas as pd

    if pd.api.types.is_numeric_dtype(series.dtype):
        return series.astype("float64")
    return pd.to_numeric(series.astype(object), errors="coerce").astype("float64")


def as_flag(value: object) -> bool | None:
    """A boolean (numpy's too), or the text `true`/`false` in any case; None for anything else."""
    import numpy as np

    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def _is_kind(series: pd.Series, kind: str) -> pd.Series:
    if kind == "boolean":
        return series.astype(object).map(lambda v: as_flag(v) is not None).astype(bool)
    numbers = _numbers(series)
    fits = numbers.notna()
    if kind == "integer":
        fits &= numbers % 1 == 0
    return fits | series.isna()


def _within(series: pd.Series, low: float | None = None, high: float | None = None) -> pd.Series:
    # Values that are not numbers fail the `kind` check; failing them here too would double-count.
    numbers = _numbers(series)
    return numbers.isna() | (numbers >= low if low is not None else numbers <= high)


def _is_allowed(series: pd.Series, allowed: frozenset[str]) -> pd.Series:
    return series.astype(str).isin(allowed)


def _coerce(series: pd.Series, rule: ColumnRule) -> pd.Series:
    # The dtype follows from the contract alone, so every valid batch comes out the same.
    if rule.kind == "numeric":
        return _numbers(series)
    if rule.kind == "integer":
        return _numbers(series).astype("Int64" if rule.nullable else "int64")
    if rule.kind == "boolean":
        flags = series.astype(object).map(as_flag, na_action="ignore")
        return flags.astype("boolean" if rule.nullable else "bool")
    return series


def _breaks(failure_cases: pd.DataFrame, contract: Contract) -> list[Break]:
    found: dict[tuple[str, str], tuple[list[Any], list[Any]]] = {}
    cases = failure_cases[["column", "check", "failure_case", "index"]]
    for column, check, value, row in cases.itertuples(index=False, name=None):
        if check == "column_in_dataframe":
            found.setdefault((str(value), "missing"), ([], []))
            continue
        rule = "nullable" if check == "not_nullable" else str(check)
        rows, values = found.setdefault((str(column), rule), ([], []))
        rows.append(row)
        values.append(value)
    return _ranked(
        [Break(column, rule, tuple(r), tuple(v)) for (column, rule), (r, v) in found.items()],
        contract,
    )


def _ranked(breaks: list[Break], contract: Contract) -> list[Break]:
    columns = {name: index for index, name in enumerate(contract.names)}
    rules = {name: index for index, name in enumerate(_RULES)}
    return sorted(breaks, key=lambda b: (columns.get(b.column, -1), rules.get(b.rule, -1)))


def contract_violation(
    breaks: Iterable[Break], contract: Contract, source: str
) -> ContractViolation:
    """The one error for BREAKS, in the contract's column order, each rule's rows merged.

    Breaks of the same column and rule (from several parts of one table) become one, their rows
    and values in the order given, so a table checked in parts reads as if checked whole.
    """
    merged: dict[tuple[str, str], tuple[list[Any], list[Any]]] = {}
    for part in breaks:
        rows, values = merged.setdefault((part.column, part.rule), ([], []))
        rows += part.rows
        values += part.values
    joined = [Break(c, rule, tuple(r), tuple(v)) for (c, rule), (r, v) in merged.items()]
    ranked = _ranked(joined, contract)
    violation = ContractViolation(_report(ranked, contract, source))
    # errors.py is the one home of error classes, so the structured breaks ride along here.
    violation.failures = ranked  # type: ignore[attr-defined]
    return violation


def _report(breaks: list[Break], contract: Contract, source: str) -> str:
    lines = [f"{source} breaks the data contract in {len(breaks)} place(s):"]
    lines += [f"  - column {b.column!r}: {_describe(b, contract)}" for b in breaks]
    return "\n".join(lines)


def _describe(failure: Break, contract: Contract) -> str:
    rule = contract.rule(failure.column) if failure.column in contract.names else None
    rows = "rows " + listing([str(row) for row in failure.rows], _LISTED)
    values = ", ".join(repr(v) if isinstance(v, str) else str(v) for v in failure.values[:_LISTED])
    label = failure.rule
    if failure.rule == "missing":
        return "missing"
    if failure.rule == "nullable":
        count = len(failure.rows)
        return (
            f"{count} row(s) are missing a value but the contract says it is never missing: {rows}"
        )
    if rule is not None and failure.rule == "kind":
        text = any(isinstance(value, str) for value in failure.values)
        found = "text" if text else f"non-{rule.kind} values"
        return f"expected {rule.kind}, found {found} in {rows} (values {values})"
    if rule is not None and failure.rule in ("min", "max"):
        label = f"{failure.rule} {rule.minimum if failure.rule == 'min' else rule.maximum}"
    if rule is not None and rule.allowed is not None and failure.rule == "allowed":
        more_allowed = f", ... {len(rule.allowed) - 5} more" if len(rule.allowed) > 5 else ""
        label = f"allowed [{', '.join(rule.allowed[:5])}{more_allowed}]"
    return f"{len(failure.rows)} row(s) break '{label}': {rows} (values {values})"


def column_mismatches(
    columns: Iterable[str], contract: Contract, *, ignore: Iterable[str] = ()
) -> list[str]:
    """Say which contract columns a table lacks and which columns it has that the contract lacks.

    Cheap enough to run on a header alone, before reading any rows.
    """
    present = [str(column) for column in columns]
    skipped, expected, seen = set(ignore), set(contract.names), set(present)
    missing = [f"missing column {n!r}" for n in contract.names if n not in seen | skipped]
    extra = [f"unexpected column {c!r}" for c in present if c not in expected | skipped]
    return missing + extra
