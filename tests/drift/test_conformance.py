"""A batch held to the data contract: refused only when it cannot be compared, else counted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlproj.data.contract import ColumnRule, Contract
from mlproj.drift.conformance import OutOfContract, hold_to_contract
from mlproj.drift.rules import DriftResult, Thresholds
from mlproj.errors import DataError, DriftDetected

CONTRACT = Contract(
    (
        ColumnRule("age", "numeric", nullable=True, minimum=0.0, maximum=80.0),
        ColumnRule("deck", "integer", nullable=False, minimum=1, maximum=3),
        ColumnRule("sex", "categorical", nullable=False, allowed=("female", "male")),
        ColumnRule("survived", "categorical", nullable=False, allowed=("no", "yes")),
    )
)
FEATURES = ["age", "deck", "sex"]


def batch(rows: int = 100, **columns: list[object]) -> pd.DataFrame:
    """ROWS passengers inside the contract, with the first values of COLUMNS replaced."""
    frame = pd.DataFrame(
        {
            "age": np.linspace(1.0, 79.0, rows),
            "deck": [1, 2, 3, 2] * (rows // 4),
            "sex": ["female", "male"] * (rows // 2),
        }
    )
    for name, values in columns.items():
        frame[name] = frame[name].astype(object)
        frame.loc[: len(values) - 1, name] = values
    return frame


def held(frame: pd.DataFrame, limit: float = 0.01) -> OutOfContract:
    return hold_to_contract(frame, CONTRACT, FEATURES, source="b.csv", limit=limit).out_of_contract


def test_a_batch_inside_the_contract_has_nothing_to_report() -> None:
    result = hold_to_contract(batch(), CONTRACT, FEATURES, source="b.csv", limit=0.01)
    assert held(batch()) == OutOfContract(0, 100, 0.01)
    assert result.out_of_contract.status == "ok"
    assert result.inside.all()
    assert str(result.frame["deck"].dtype) == "int64"  # coerced as the contract says


def test_values_past_a_range_are_counted_and_shown_not_refused() -> None:
    found = held(batch(age=[91.5, -1.0], deck=[7]))
    assert (found.rows, found.total, found.share, found.status) == (2, 100, 0.02, "drift")
    assert [(c.column, c.rule, c.rows) for c in found.by_rule] == [
        ("age", "below min 0", 1),
        ("age", "above max 80", 1),
        ("deck", "above max 3", 1),
    ]
    assert [(e.row, e.breaks) for e in found.examples] == [
        (0, (("age", "above max 80", 91.5), ("deck", "above max 3", 7))),
        (1, (("age", "below min 0", -1.0),)),
    ]
    assert found.reason == (
        "2 of 100 rows (2%) break the data contract (limit: 1%): age below min 0 (1), "
        "age above max 80 (1), deck above max 3 (1)"
    )


def test_unknown_categories_and_gaps_where_never_missing_are_counted() -> None:
    found = held(batch(sex=["other", None]), limit=0.05)
    assert found.status == "warn"
    assert [(c.rule, c.rows) for c in found.by_rule] == [
        ("never missing", 1),
        ("not in allowed", 1),
    ]
    assert found.to_json()["examples"] == [
        {"row": 0, "breaks": [{"column": "sex", "rule": "not in allowed", "value": "other"}]},
        {"row": 1, "breaks": [{"column": "sex", "rule": "never missing", "value": None}]},
    ]


def test_an_infinity_is_out_of_range_and_written_as_text() -> None:
    found = held(batch(age=[float("inf"), float("-inf")]))
    assert [b for e in found.to_json()["examples"] for b in e["breaks"]] == [
        {"column": "age", "rule": "above max 80", "value": "inf"},
        {"column": "age", "rule": "below min 0", "value": "-inf"},
    ]


def test_only_a_few_rows_are_given_as_examples() -> None:
    found = held(batch(age=[100.0] * 30))
    assert found.rows == 30 and [e.row for e in found.examples] == [0, 1, 2, 3, 4]


def test_columns_the_model_does_not_use_are_not_judged() -> None:
    frame = batch()
    frame["survived"] = (
        "perhaps"  # a label outside its contract, in a batch that is not judged on it
    )
    assert held(frame).rows == 0


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (
            batch().drop(columns="sex"),
            "b.csv: cannot be compared with the training data: no column 'sex'.",
        ),
        (
            batch(age=["old", 30.0, "n/a"]),
            "b.csv: cannot be compared with the training data: column 'age' holds values that "
            "are not numeric in rows 0, 2 (values 'old', 'n/a').",
        ),
        (
            batch(deck=[2.5]).drop(columns="sex"),
            "b.csv: cannot be compared with the training data: column 'deck' holds values that "
            "are not integer in rows 0 (values 2.5); no column 'sex'.",
        ),
    ],
    ids=["missing-column", "text-in-a-number", "fraction-in-an-integer"],
)
def test_what_cannot_be_compared_is_refused_in_one_line(frame: pd.DataFrame, message: str) -> None:
    with pytest.raises(DataError) as caught:
        held(frame)
    assert str(caught.value) == message
    assert caught.value.exit_code == 4


def test_a_feature_the_contract_does_not_name_must_still_be_there() -> None:
    with pytest.raises(DataError, match=r"^b.csv: no column 'fare', a model feature.$"):
        hold_to_contract(batch(), CONTRACT, [*FEATURES, "fare"], source="b.csv", limit=0.01)


def result(found: OutOfContract) -> DriftResult:
    return DriftResult("b.csv", "train.parquet", found.total, 400, Thresholds(), (), None, found)


def test_a_share_past_the_threshold_is_drift_with_exit_17() -> None:
    under, over = held(batch(age=[99.0])), held(batch(age=[99.0, 99.0]))
    assert result(under).check() == result(under)  # 1% is allowed, a warning only
    with pytest.raises(DriftDetected) as caught:
        result(over).check()
    assert caught.value.exit_code == 17
    assert str(caught.value) == (
        "b.csv drifted from train.parquet beyond the thresholds in conf/drift/: "
        "2 of 100 rows (2%) outside the data contract (limit: 1%)"
    )
    report = result(over).to_json()
    assert report["drift"] is True and report["drifted"] == []
    assert report["out_of_contract"] == {
        "status": "drift",
        "rows": 2,
        "share": 0.02,
        "limit": 0.01,
        "by_rule": [{"column": "age", "rule": "above max 80", "rows": 2}],
        "examples": [
            {"row": 0, "breaks": [{"column": "age", "rule": "above max 80", "value": 99.0}]},
            {"row": 1, "breaks": [{"column": "age", "rule": "above max 80", "value": 99.0}]},
        ],
    }


def test_a_project_older_than_the_out_of_contract_gate_gets_its_default() -> None:
    from mlproj.drift.rules import Thresholds

    older = {
        "p_value": 0.01, "psi_warn": 0.1, "psi_fail": 0.25, "max_missing_increase": 0.05,
        "max_unseen_share": 0.01, "prediction_psi": 0.25, "bins": 10,
        "prediction_rows": 100_000, "seed": 0,
    }  # fmt: skip
    thresholds = Thresholds.from_mapping(older, source="params.yaml: drift")
    assert thresholds.max_out_of_contract_share == 0.01
