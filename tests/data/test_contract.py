from __future__ import annotations

import math
from pathlib import Path

# Start-up speed is the CLI's concern, not the tests'.
import numpy as np
import pandas as pd
import pytest

from mlproj.data.contract import (
    Break,
    ColumnRule,
    Contract,
    column_mismatches,
    contract_from_yaml,
    contract_to_yaml,
    infer_contract,
    load_contract,
    save_contract,
    validate_frame,
)
from mlproj.errors import CannotWrite, ConfigError, ContractViolation, DataError

PENGUIN_RULES = Contract(
    (
        ColumnRule("island", "categorical", nullable=False, allowed=("Biscoe", "Dream")),
        ColumnRule("bill_length_mm", "numeric", nullable=True, minimum=32.1, maximum=59.6),
        ColumnRule("year", "integer", nullable=False, minimum=2007, maximum=2009),
        ColumnRule("male", "boolean", nullable=False),
    )
)


def good_rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "island": ["Biscoe", "Dream", "Biscoe"],
            "bill_length_mm": [39.1, None, 59.6],
            "year": [2007, 2008, 2009],
            "male": [True, False, True],
        }
    )


def breaks_of(df: pd.DataFrame, source: str = "data") -> list[str]:
    with pytest.raises(ContractViolation) as caught:
        validate_frame(df, PENGUIN_RULES, source=source)
    return str(caught.value).splitlines()


# --- inference ---------------------------------------------------------------------------------


def test_infer_gives_each_kind_its_rule() -> None:
    df = pd.DataFrame(
        {
            "length": [1.5, np.nan, 3.25],
            "count": [3, 1, 2],
            "flag": [True, False, True],
            "flag_with_gaps": pd.Series([True, None, False], dtype=object),
            "island": ["Dream", "Biscoe", "Dream"],
            "empty": [None, None, None],
        }
    )
    assert infer_contract(df).columns == (
        ColumnRule("length", "numeric", nullable=True, minimum=1.5, maximum=3.25),
        ColumnRule("count", "integer", nullable=False, minimum=1, maximum=3),
        ColumnRule("flag", "boolean", nullable=False),
        ColumnRule("flag_with_gaps", "boolean", nullable=True),
        ColumnRule("island", "categorical", nullable=False, allowed=("Biscoe", "Dream")),
        ColumnRule("empty", "categorical", nullable=True),
    )


def test_infer_gives_plain_python_numbers() -> None:
    rule = infer_contract(pd.DataFrame({"x": np.array([0.1, 0.7], dtype="float32")})).rule("x")
    assert type(rule.minimum) is float
    assert type(rule.maximum) is float


@pytest.mark.parametrize("dtype", [object, "category", "str"], ids=["object", "category", "str"])
def test_infer_categories_from_any_text_dtype(dtype: object) -> None:
    df = pd.DataFrame({"sex": pd.Series(["male", None, "female"], dtype=dtype)})
    assert infer_contract(df).rule("sex") == ColumnRule(
        "sex", "categorical", nullable=True, allowed=("female", "male")
    )


def test_high_cardinality_text_allows_any_value() -> None:
    df = pd.DataFrame({"name": ["a", "b", "c", "d"]})
    assert infer_contract(df, max_categories=3).rule("name").allowed is None
    assert infer_contract(df, max_categories=4).rule("name").allowed == ("a", "b", "c", "d")


def test_infer_refuses_an_empty_table() -> None:
    with pytest.raises(DataError, match="no rows or no columns"):
        infer_contract(pd.DataFrame({"x": []}))


def test_rule_of_unknown_column_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        PENGUIN_RULES.rule("nope")


# --- YAML --------------------------------------------------------------------------------------


def test_yaml_is_readable_and_commented() -> None:
    text = contract_to_yaml(PENGUIN_RULES)
    assert text.startswith("# Data contract")
    assert "widen a range" in text
    body = text[text.index("columns:") :]
    assert body == (
        "columns:\n"
        "  island:\n"
        "    kind: categorical\n"
        "    nullable: false\n"
        "    allowed: [Biscoe, Dream]\n"
        "  bill_length_mm:\n"
        "    kind: numeric\n"
        "    nullable: true\n"
        "    min: 32.1\n"
        "    max: 59.6\n"
        "  year:\n"
        "    kind: integer\n"
        "    nullable: false\n"
        "    min: 2007\n"
        "    max: 2009\n"
        "  male:\n"
        "    kind: boolean\n"
        "    nullable: false\n"
    )


def test_yaml_round_trips_exactly() -> None:
    tricky = Contract(
        (
            ColumnRule(
                "answer", "categorical", True, allowed=("yes", "no", "1", "null", "a, b", "")
            ),
            ColumnRule("x", "numeric", False, minimum=0.1 + 0.2, maximum=1e20),
            ColumnRule("y", "numeric", True, minimum=-math.inf),
            ColumnRule("free text", "categorical", False),
            ColumnRule("true", "boolean", True),
        )
    )
    assert contract_from_yaml(contract_to_yaml(tricky)) == tricky
    assert contract_from_yaml(contract_to_yaml(PENGUIN_RULES)) == PENGUIN_RULES


def test_long_allowed_lists_get_a_line_per_value() -> None:
    values = tuple(f"a rather long category name, number {i}" for i in range(5))
    rules = Contract((ColumnRule("c", "categorical", False, allowed=values),))
    text = contract_to_yaml(rules)
    assert "    - a rather long category name, number 0\n" in text
    assert contract_from_yaml(text) == rules


def test_empty_contract_round_trips() -> None:
    assert contract_from_yaml(contract_to_yaml(Contract(()))) == Contract(())


MALFORMED = [  # id, contract text, message after the 'data/contract.yaml: ' prefix
    (
        "unknown-kind",
        "columns:\n  age: {kind: numbr, nullable: false}\n",
        "column 'age': unknown kind 'numbr' (expected numeric, integer, categorical or boolean)",
    ),
    ("no-columns", "colums: {}\n", "missing 'columns', the mapping of column name to rule"),
    ("empty-file", "", "missing 'columns', the mapping of column name to rule"),
    ("columns-not-mapping", "columns: [age]\n", "'columns' must map each column name to its rule"),
    (
        "unknown-top-key",
        "columns: {}\nversion: 2\n",
        "unknown key 'version' (expected only 'columns')",
    ),
    (
        "min-above-max",
        "columns:\n  age: {kind: numeric, nullable: false, min: 10, max: 5}\n",
        "column 'age': min 10 is greater than max 5",
    ),
    (
        "allowed-not-list",
        "columns:\n  island: {kind: categorical, nullable: false, allowed: Biscoe}\n",
        "column 'island': 'allowed' must be a list such as [a, b], not 'Biscoe'",
    ),
    (
        "unquoted-yes",
        "columns:\n  island: {kind: categorical, nullable: false, allowed: [yes, no]}\n",
        "column 'island': allowed value True is not text; put it in quotes",
    ),
    (
        "allowed-on-numeric",
        "columns:\n  island: {kind: numeric, nullable: false, allowed: [a]}\n",
        "column 'island': 'allowed' only applies to categorical columns",
    ),
    (
        "min-on-categorical",
        "columns:\n  island: {kind: categorical, nullable: false, min: 1}\n",
        "column 'island': 'min' only applies to numeric and integer columns",
    ),
    (
        "max-not-number",
        "columns:\n  age: {kind: numeric, nullable: false, max: high}\n",
        "column 'age': 'max' must be a number, not 'high'",
    ),
    (
        "nullable-not-bool",
        "columns:\n  age: {kind: numeric, nullable: maybe}\n",
        "column 'age': 'nullable' must be true or false, not 'maybe'",
    ),
    ("nullable-missing", "columns:\n  age: {kind: numeric}\n", "column 'age': missing 'nullable'"),
    (
        "unknown-field",
        "columns:\n  age: {kind: numeric, nullable: true, minimum: 3}\n",
        "column 'age': unknown key 'minimum' (expected kind, nullable, min, max, allowed)",
    ),
    (
        "rule-not-mapping",
        "columns:\n  age: numeric\n",
        "column 'age': expected a mapping with at least 'kind' and 'nullable'",
    ),
]


@pytest.mark.parametrize(
    ("text", "message"), [pytest.param(text, message, id=id_) for id_, text, message in MALFORMED]
)
def test_malformed_yaml_names_the_field(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        contract_from_yaml(text, source="data/contract.yaml")
    assert str(caught.value).startswith(f"data/contract.yaml: {message}")


# --- files -------------------------------------------------------------------------------------


def test_save_then_load(tmp_path: Path) -> None:
    path = tmp_path / "data" / "contract.yaml"
    save_contract(PENGUIN_RULES, path)
    save_contract(PENGUIN_RULES, path)
    assert load_contract(path) == PENGUIN_RULES
    assert [p.name for p in path.parent.iterdir()] == ["contract.yaml"]


def test_failed_save_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "contract.yaml"
    path.write_text("old\n")

    def broken_replace(source: object, target: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("os.replace", broken_replace)
    with pytest.raises(CannotWrite, match="disk full"):
        save_contract(PENGUIN_RULES, path)
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["contract.yaml"]


def test_load_missing_contract(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"contract\.yaml: data contract not found"):
        load_contract(tmp_path / "contract.yaml")


def test_load_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "contract.yaml"
    path.write_text("columns:\n  age: {kind: numbr, nullable: true}\n")
    with pytest.raises(ConfigError, match=rf"^{path}: column 'age': unknown kind 'numbr'"):
        load_contract(path)


# --- validation --------------------------------------------------------------------------------


def test_valid_frame_passes_and_is_coerced() -> None:
    df = good_rows().assign(
        bill_length_mm=["39.1", None, "59.6"],
        year=[2007.0, 2008.0, 2009.0],
        male=["True", "false", True],
        extra=["kept", "as", "is"],
    )
    out = validate_frame(df, PENGUIN_RULES)
    assert out["bill_length_mm"].dtype == "float64"
    assert out["bill_length_mm"].tolist()[::2] == [39.1, 59.6]
    assert out["year"].dtype == "int64"
    assert out["male"].tolist() == [True, False, True]
    assert out["extra"].tolist() == ["kept", "as", "is"]
    assert df["year"].dtype == "float64"  # the caller's frame is left alone


def test_integer_column_passes_as_numeric() -> None:
    rules = Contract((ColumnRule("x", "numeric", False, minimum=0.0, maximum=10.0),))
    out = validate_frame(pd.DataFrame({"x": [1, 10]}), rules)
    assert out["x"].dtype == "float64"


def test_text_as_object_dtype_passes_like_pandas_2() -> None:
    df = good_rows().astype({"island": object})
    validate_frame(df, PENGUIN_RULES)


def test_nullable_integer_and_boolean_keep_their_gaps() -> None:
    rules = Contract((ColumnRule("n", "integer", True), ColumnRule("b", "boolean", True)))
    df = pd.DataFrame({"n": [1.0, None], "b": pd.Series([True, None], dtype=object)})
    out = validate_frame(df, rules)
    assert str(out["n"].dtype) == "Int64"
    assert str(out["b"].dtype) == "boolean"
    assert out["n"].isna().tolist() == [False, True]


def test_out_of_range_values() -> None:
    df = good_rows().assign(bill_length_mm=[5.0, 40.0, -1.0])
    assert breaks_of(df) == [
        "data breaks the data contract in 1 place(s):",
        "  - column 'bill_length_mm': 2 row(s) break 'min 32.1': rows 0, 2 (values 5.0, -1.0)",
    ]


def test_above_maximum_uses_index_labels() -> None:
    df = good_rows().assign(year=[2007, 2010, 2009]).set_axis(["a", "b", "c"])
    assert breaks_of(df)[1] == "  - column 'year': 1 row(s) break 'max 2009': rows b (values 2010)"


def test_unknown_category() -> None:
    df = good_rows().assign(island=["Biscoe", "Atlantis", "Dream"])
    assert breaks_of(df)[1] == (
        "  - column 'island': 1 row(s) break 'allowed [Biscoe, Dream]': rows 1 (values 'Atlantis')"
    )


def test_missing_column() -> None:
    assert breaks_of(good_rows().drop(columns="male"), source="data/raw.csv") == [
        "data/raw.csv breaks the data contract in 1 place(s):",
        "  - column 'male': missing",
    ]


def test_null_in_a_column_that_is_never_missing() -> None:
    df = good_rows().assign(island=["Biscoe", None, "Dream"])
    assert breaks_of(df)[1] == (
        "  - column 'island': 1 row(s) are missing a value but the contract says it is never "
        "missing: rows 1"
    )


def test_text_in_a_numeric_column() -> None:
    df = good_rows().assign(bill_length_mm=["40.0", "abc", "n/a"])
    assert breaks_of(df)[1] == (
        "  - column 'bill_length_mm': expected numeric, found text in rows 1, 2 "
        "(values 'abc', 'n/a')"
    )


def test_fraction_in_an_integer_column() -> None:
    df = good_rows().assign(year=[2007.0, 2008.5, 2009.0])
    assert breaks_of(df)[1] == (
        "  - column 'year': expected integer, found non-integer values in rows 1 (values 2008.5)"
    )


def test_non_boolean_in_a_boolean_column() -> None:
    df = good_rows().assign(male=[True, "maybe", 1])
    assert breaks_of(df)[1] == (
        "  - column 'male': expected boolean, found text in rows 1, 2 (values 'maybe', 1)"
    )


def test_long_lists_of_rows_are_cut_short() -> None:
    df = pd.DataFrame(
        {"island": ["Biscoe"] * 13, "bill_length_mm": [1.0] * 13, "year": 2008, "male": True}
    )
    line = breaks_of(df)[1]
    assert line.startswith("  - column 'bill_length_mm': 13 row(s) break 'min 32.1': ")
    assert "rows 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 and 3 more (values 1.0, " in line


def test_every_break_is_reported_at_once_in_contract_order() -> None:
    df = (
        good_rows()
        .drop(columns="male")
        .assign(island=[None, "Atlantis", "Dream"], bill_length_mm=[1.0, "abc", 99.0])
    )
    with pytest.raises(ContractViolation) as caught:
        validate_frame(df, PENGUIN_RULES)
    failures = caught.value.failures  # type: ignore[attr-defined]
    assert [(f.column, f.rule) for f in failures] == [
        ("island", "nullable"),
        ("island", "allowed"),
        ("bill_length_mm", "kind"),
        ("bill_length_mm", "min"),
        ("bill_length_mm", "max"),
        ("male", "missing"),
    ]
    assert failures[1] == Break("island", "allowed", (1,), ("Atlantis",))
    assert str(caught.value).splitlines()[0] == "data breaks the data contract in 6 place(s):"


# --- columns -----------------------------------------------------------------------------------


def test_column_mismatches() -> None:
    columns = ["island", "bill_length_mm", "year", "foo", "incident_id"]
    assert column_mismatches(columns, PENGUIN_RULES, ignore=["incident_id"]) == [
        "missing column 'male'",
        "unexpected column 'foo'",
    ]
    assert column_mismatches(PENGUIN_RULES.names, PENGUIN_RULES) == []


# --- real data ---------------------------------------------------------------------------------


def test_penguins_keep_their_own_contract(tmp_path: Path) -> None:
    from palmerpenguins import load_penguins

    penguins = load_penguins()
    inferred = infer_contract(penguins)
    assert inferred.rule("island").allowed == ("Biscoe", "Dream", "Torgersen")
    assert inferred.rule("sex").nullable
    assert inferred.rule("year") == ColumnRule("year", "integer", False, 2007, 2009)
    path = tmp_path / "contract.yaml"
    save_contract(inferred, path)
    assert load_contract(path) == inferred
    csv = tmp_path / "penguins.csv"
    penguins.to_csv(csv, index=False)
    validated = validate_frame(pd.read_csv(csv), load_contract(path))
    assert len(validated) == len(penguins)
