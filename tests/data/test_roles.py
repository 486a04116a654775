"""Column roles at profile time: what is left out, what is capped, and the look-alikes kept.

Issue 13 item 2: on a real Titanic table the free-text Name column became 1,300 one-hot
columns. Each test builds a small frame with one kind of column beside an ordinary feature.
"""

from __future__ import annotations

import uuid

import numpy as np
import pandas as pd
import pytest

from mlproj.data import roles
from mlproj.data.dataset import profile
from mlproj.data.roles import DATE_REASON, Role, summary

ROWS = 300


def with_label(**columns: object) -> pd.DataFrame:
    """COLUMNS beside a plain numeric feature and a two-class label, ROWS rows."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=ROWS), **columns})
    frame["label"] = ["ab"[i % 2] for i in range(ROWS)]
    return frame


def role_of(frame: pd.DataFrame, column: str) -> Role:
    found = {role.name: role for role in profile(frame, "label").roles}
    return found[column]


def titanic_like() -> pd.DataFrame:
    """A small table shaped like the Titanic passenger list: row numbers, names, a cabin."""
    rng = np.random.default_rng(1)
    first = ["Elisabeth Walton", "Helen Loraine", "Hudson Joshua", "Anna", "Karl Johan", "Mary"]
    last = ["Allen", "Allison", "Andersson", "Brown", "Carter", "Dean", "Evans", "Ford"]
    title = ["Miss", "Mr", "Mrs", "Master"]
    names = [
        f"{rng.choice(last)}, {rng.choice(title)} {rng.choice(first)} {i}" for i in range(ROWS)
    ]
    return pd.DataFrame(
        {
            "rownames": np.arange(1, ROWS + 1),
            "Name": names,
            "PClass": rng.choice(["1st", "2nd", "3rd"], ROWS),
            "Age": rng.uniform(0.5, 71, ROWS).round(1),
            "Sex": rng.choice(["female", "male"], ROWS),
            "Survived": rng.integers(0, 2, ROWS),
        }
    )


def test_a_titanic_like_table_leaves_out_its_names_and_row_numbers() -> None:
    data = profile(titanic_like(), "Survived")
    assert data.numeric == ("Age",)
    assert data.categorical == ("PClass", "Sex")
    # Issue 16: a passenger's name is personal data before it is free text.
    assert [(r.name, r.kind) for r in data.left_out] == [
        ("rownames", "identifier"),
        ("Name", "personal"),
    ]
    assert data.identifiers == ("rownames",)
    assert data.left_out[1].reason == (
        "personal data: person names (first names or titles in most values); left out"
    )


@pytest.mark.parametrize(
    ("column", "values", "reason"),
    [
        pytest.param(
            "code",
            [f"C{i:05d}" for i in range(ROWS)],
            "an identifier: a distinct value on every row",
            id="unique-strings",
        ),
        pytest.param(
            "n",
            list(range(1000, 1000 + ROWS)),
            "an identifier: a distinct whole number on every row",
            id="unique-row-numbers",
        ),
        pytest.param(
            "customer_id",
            [f"c{i % 120}" for i in range(ROWS)],
            "an identifier: named like one, 120 distinct values",
            id="named-id-repeating",
        ),
        pytest.param(
            "PassengerId",
            [i % 150 for i in range(ROWS)],
            "an identifier: named like one, 150 distinct values",
            id="camel-case-id",
        ),
        pytest.param(
            "token",
            [str(uuid.UUID(int=i * 7_919 + 1)) for i in range(ROWS)],
            "an identifier: UUID-like or hexadecimal values",
            id="uuid",
        ),
    ],
)
def test_identifiers_are_left_out(column: str, values: list[object], reason: str) -> None:
    assert role_of(with_label(**{column: values}), column) == Role(column, "identifier", reason)


@pytest.mark.parametrize(
    "values",
    [
        pytest.param([f"2020-{1 + i % 12:02d}-{1 + i % 28:02d}" for i in range(ROWS)], id="iso"),
        pytest.param([f"2013-01-01T{i % 24:02d}:00:00Z" for i in range(ROWS)], id="iso-timestamp"),
        pytest.param([f"{1 + i % 28}/{1 + i % 12}/2019" for i in range(ROWS)], id="day-first"),
        pytest.param([f"Mon Jan {1 + i % 28:02d} 2015" for i in range(ROWS)], id="words"),
        pytest.param([f"{i % 24}:{i % 60:02d}:00" for i in range(ROWS)], id="time-of-day"),
        pytest.param(
            list(pd.date_range("2020-01-01", periods=ROWS, freq="h")), id="datetime-dtype"
        ),
        pytest.param(
            list(pd.date_range("2020-01-01", periods=ROWS, freq="D").date), id="date-objects"
        ),
        pytest.param(pd.period_range("2001-01", periods=ROWS, freq="M"), id="periods"),
        pytest.param(
            pd.date_range("2020-01-01", periods=ROWS, freq="h", tz="Europe/Paris"), id="tz-aware"
        ),
    ],
)
def test_dates_are_left_out_saying_how_to_use_them(values: list[object]) -> None:
    role = role_of(with_label(when=values), "when")
    assert role == Role("when", "date", DATE_REASON)
    assert role.reason.startswith("a date or time: left out; to use it, add columns derived")


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        (["same"] * ROWS, "constant: one value on every row, nothing to learn from"),
        ([None] * ROWS, "constant: empty on every row, nothing to learn from"),
        ([7] * ROWS, "constant: one value on every row, nothing to learn from"),
    ],
    ids=["text", "empty", "number"],
)
def test_constant_columns_are_left_out(values: list[object], reason: str) -> None:
    assert role_of(with_label(flat=values), "flat") == Role("flat", "constant", reason)


def test_a_nearly_constant_column_is_kept_and_flagged() -> None:
    rng = np.random.default_rng(0)
    rows = 1_000
    rare = ["yes" if i in (3, 500, 900) else "no" for i in range(rows)]
    frame = pd.DataFrame({"x": rng.normal(size=rows), "rare": rare, "label": [0, 1] * 500})
    role = role_of(frame, "rare")
    assert (role.kind, role.flag, role.used) == ("categorical", "near-constant", True)
    assert role.reason == (
        "one value on 99.7% of rows: kept, though it tells little; "
        "move it to left_out if it is noise"
    )


def test_a_nearly_empty_column_says_empty() -> None:
    rows = 1_000
    frame = pd.DataFrame(
        {"x": [i % 7 for i in range(rows)], "fee": [2.5] + [None] * (rows - 1), "y": [0, 1] * 500}
    )
    role = role_of(frame.rename(columns={"y": "label"}), "fee")
    assert role.reason.startswith("empty on 99.9% of rows: kept, though it tells little")
    assert (role.kind, role.flag) == ("numeric", "near-constant")


def test_a_high_cardinality_categorical_is_kept_and_capped() -> None:
    cabins = [f"C{i % 90}" for i in range(ROWS)]
    role = role_of(with_label(cabin=cabins), "cabin")
    assert role == Role(
        "cabin",
        "categorical",
        "90 distinct values: kept; values rarer than conf/encoding's min_frequency, "
        "or beyond its most frequent max_categories, share one category",
        flag="capped",
    )


@pytest.mark.parametrize(
    ("column", "values", "kind"),
    [
        pytest.param(
            "weight", list(np.random.default_rng(0).normal(70, 9, ROWS)), "numeric", id="floats"
        ),
        pytest.param("year", [1990 + i % 31 for i in range(ROWS)], "numeric", id="year"),
        pytest.param(
            "income",
            list(np.random.default_rng(0).choice(10**7, ROWS, replace=False)),
            "numeric",
            id="unique-sparse-integers",
        ),
        pytest.param("plan", ["basic", "pro", "team"] * 100, "categorical", id="short-labels"),
        pytest.param(
            "answer",
            ["strongly agree", "agree", "do not agree", "no opinion"] * 75,
            "categorical",
            id="labels-with-spaces",
        ),
        pytest.param("paid", [True, False, True] * 100, "categorical", id="yes-no"),
        pytest.param("valid_grid", [i % 5 for i in range(ROWS)], "numeric", id="id-inside-word"),
        pytest.param("store_id", [i % 12 for i in range(ROWS)], "categorical", id="id-code"),
        pytest.param(
            "zip", [f"{10_000 + i % 40}" for i in range(ROWS)], "categorical", id="digit-labels"
        ),
    ],
)
def test_look_alikes_stay_features(column: str, values: list[object], kind: str) -> None:
    role = role_of(with_label(**{column: values}), column)
    assert (role.kind, role.flag) == (kind, None), role.reason


def test_odd_columns_get_a_role_without_a_warning() -> None:
    import warnings

    odd = {
        "mixed": [1, "a", 2.5, None] * (ROWS // 4),
        "category": pd.Categorical(["x", "y", "z"] * (ROWS // 3)),
        "gaps": pd.array([1, None, 3, 4] * (ROWS // 4), dtype="Int64"),
        "flags": pd.array([True, None, False, True] * (ROWS // 4), dtype="boolean"),
        "infinite": [np.inf, 1.0, 2.0, -np.inf] * (ROWS // 4),
        "blank": [""] * ROWS,
        "raw": [b"ab", b"cd"] * (ROWS // 2),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data = profile(with_label(**odd), "label")
    assert {role.name: role.kind for role in data.roles} == {
        "x": "numeric",
        "mixed": "categorical",
        "category": "categorical",
        "gaps": "numeric",
        "flags": "categorical",
        "infinite": "numeric",
        "blank": "constant",
        "raw": "categorical",
    }


def test_a_table_of_only_left_out_columns_is_refused_naming_them() -> None:
    frame = pd.DataFrame(
        {"id": [f"r{i}" for i in range(ROWS)], "flat": [1] * ROWS, "y": [0, 1] * (ROWS // 2)}
    )
    with pytest.raises(Exception) as caught:
        profile(frame, "y", source="d.csv")
    assert str(caught.value) == (
        "d.csv: no feature columns left besides the target 'y'; "
        "left out: id (identifier), flat (constant)."
    )


def test_roles_are_read_from_a_sample_of_long_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(roles, "SAMPLE_ROWS", 100)
    frame = with_label(cabin=[f"C{i % 90}" for i in range(ROWS)])
    role = role_of(frame, "cabin")
    assert role.reason.startswith("6")  # a sample of 100 rows holds fewer of the 90 values
    assert "distinct values in 100 rows sampled: kept; values rarer" in role.reason
    assert role.kind == "categorical"


def test_summary_is_a_line_per_kind_however_many_columns() -> None:
    many = [Role(f"t{i}", "text", "free text") for i in range(200)]
    lines = summary([*many, Role("id", "identifier", "x"), Role("c", "categorical", "y", "capped")])
    assert lines == [
        "free text (mostly distinct phrases; one column per value as a category): "
        "t0, t1, t2, t3, t4 and 195 more",
        "identifiers (a distinct value per row, UUIDs, or named like an id): id",
        "many values (over 50): kept, rare ones grouped (conf/encoding): c",
    ]
