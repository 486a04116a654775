"""The regression suite: each expectation judged on a tiny fitted model, and the lifecycle
of incidents in a small project built inline (params, contract, model), with nothing left
behind by any refusal."""

from __future__ import annotations

import json
import math
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from mlproj.errors import (
    CannotWrite,
    CommandFailed,
    ContractViolation,
    DataError,
    IncidentExists,
    IncidentStillFails,
    InvalidIncident,
    NotAProject,
    RegressionFailed,
)
from mlproj.incidents.commands import (
    add_regression,
    check_suite,
    evaluate_suite,
    fix_incident,
    list_incidents,
    run_suite,
)
from mlproj.incidents.expectations import Expectation
from mlproj.incidents.flags import ExpectationFlags
from mlproj.incidents.incident import Incident, IncidentRequest
from mlproj.incidents.store import read_rows, save_incident
from mlproj.incidents.suite import evaluate
from mlproj.project.modelio import save_model
from tests.conftest import listing, write
from tests.toy_project import ROWS, TRAIN, classifier, make_project, pipeline, regressor

pytestmark = pytest.mark.usefixtures("forget_toy_package")

NOW = datetime(2025, 2, 1, 9, 30, tzinfo=timezone.utc)


def incident(expectation: Expectation, status: str = "open", name: str = "INC-1") -> Incident:
    return Incident(name, date(2025, 1, 31), "", None, expectation, status)  # type: ignore[arg-type]


def judged(
    model: Any, expectation: Expectation, rows: dict[str, list[Any]]
) -> tuple[tuple[int, ...], str]:
    result = evaluate([(incident(expectation), pd.DataFrame(rows))], model).results[0]
    return result.verdict.failing, result.verdict.message


# Judging each expectation kind --------------------------------------------------------------


def test_label_from_a_column_and_for_all_rows() -> None:
    model = classifier()
    rows = {"x": [-2.0, 2.0, 1.5], "color": ["red", "blue", "red"], "truth": ["a", "b", "a"]}
    assert judged(model, Expectation("label", column="truth"), rows) == (
        (2,),
        "1 of 3 rows fails: row 2: predicted 'b', expected 'a'",
    )
    assert judged(model, Expectation("label", value="b"), rows) == (
        (0,),
        "1 of 3 rows fails: row 0: predicted 'a', expected 'b'",
    )


def test_labels_compare_as_text() -> None:
    from sklearn.linear_model import LogisticRegression

    model = pipeline(LogisticRegression()).fit(TRAIN, [int(x > 0) for x in TRAIN["x"]])
    rows = {"x": [-2.0, 2.0], "color": ["red", "red"], "truth": [0.0, 1.0]}
    assert judged(model, Expectation("label", column="truth"), rows) == ((), "all 2 rows pass")
    assert judged(model, Expectation("label", value="1"), rows)[0] == (0,)


def test_not_label() -> None:
    model = classifier()
    rows = {"x": [-2.0, 2.0], "color": ["red", "red"], "prod": ["b", "b"]}
    assert judged(model, Expectation("not_label", column="prod"), rows) == (
        (1,),
        "1 of 2 rows fails: row 1: predicted 'b', the label it must not give",
    )
    assert judged(model, Expectation("not_label", value="a"), rows)[0] == (0,)


def test_min_probability() -> None:
    model = classifier()
    rows = {"x": [3.0, 0.5], "color": ["red", "red"]}
    assert judged(model, Expectation("min_probability", label="b", threshold=0.9), rows) == (
        (1,),
        "1 of 2 rows fails: row 1: P(b) = 0.617, below 0.9",
    )
    assert judged(model, Expectation("min_probability", label="b", threshold=0.6), rows)[0] == ()
    assert judged(model, Expectation("min_probability", label="c", threshold=0.5), rows) == (
        (0, 1),
        "2 of 2 rows fail (rows 0, 1); the model has no class 'c' (its classes: a, b)",
    )


def test_value_within_tolerance_and_range() -> None:
    model = regressor()
    rows = {"x": [1.0, 2.0, -1.0], "color": ["red"] * 3, "truth": [2.1, 3.0, -2.0]}
    assert judged(model, Expectation("value", column="truth", tolerance=0.5), rows) == (
        (1,),
        "1 of 3 rows fails: row 1: predicted 4, expected 3 ± 0.5",
    )
    assert judged(model, Expectation("value", value=2.0, tolerance=1e-9), rows)[0] == (1, 2)
    assert judged(model, Expectation("range", low=-3.0, high=3.0), rows) == (
        (1,),
        "1 of 3 rows fails: row 1: predicted 4, outside [-3, 3]",
    )
    assert judged(model, Expectation("range", low=0.0), rows)[0] == (2,)


class NaNRegressor:
    """A duck-typed model whose answer for a negative x is NaN: not a prediction at all."""

    feature_names_in_ = ("x",)

    def predict(self, frame: pd.DataFrame) -> Any:
        return [math.nan if x < 0 else x for x in frame["x"]]


def test_no_error_refuses_crashes_and_non_numbers() -> None:
    rows = {"x": [1.0, -1.0, 2.0], "color": ["red", "red", "red"]}
    assert judged(NaNRegressor(), Expectation("no_error"), rows) == (
        (1,),
        "1 of 3 rows fails: row 1: predicted nan, not a finite number",
    )
    crash = {"x": [1.0, None, 2.0], "color": ["red", "green", None]}
    assert judged(classifier(), Expectation("no_error"), crash) == (
        (1,),
        "1 of 3 rows fails: row 1: the model raised ValueError: Found unknown categories ['green'] in column 0 during transform",
    )


def test_a_crash_in_the_last_step_is_found_too() -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    # The scaler lets a gap through; the classifier then refuses it.
    model = Pipeline([("scale", StandardScaler()), ("model", LogisticRegression())])
    model.fit(TRAIN[["x"]], [x > 0 for x in TRAIN["x"]])
    failing, message = judged(model, Expectation("no_error"), {"x": [1.0, 2.0, None, 3.0]})
    assert failing == (2,)
    assert message.startswith(
        "1 of 4 rows fails: row 2: the model raised ValueError: Input X contains NaN"
    )


def test_rows_without_a_feature_column() -> None:
    assert judged(classifier(), Expectation("no_error"), {"x": [1.0]}) == (
        (0,),
        "1 of 1 rows fails: row 0: the rows lack the model's column(s) 'color'",
    )


class Counting:
    """A model that counts the calls made to it."""

    def __init__(self, model: Any) -> None:
        self.model, self.calls = model, 0
        self.feature_names_in_ = model.feature_names_in_
        self.classes_ = model.classes_

    def predict(self, frame: pd.DataFrame) -> Any:
        self.calls += 1
        return self.model.predict(frame)


def test_incidents_are_judged_in_one_call_per_column_types() -> None:
    model = Counting(classifier())
    good = pd.DataFrame({"x": [-1.0, 2.0], "color": ["red", "blue"], "truth": ["a", "b"]})
    text = pd.DataFrame({"x": ["heavy", "2"], "color": ["red", "red"]})
    cases = [
        (incident(Expectation("label", column="truth"), name=f"OK-{i}"), good) for i in range(50)
    ]
    cases.insert(10, (incident(Expectation("no_error"), name="TEXT"), text))
    results = evaluate(cases, model).results
    assert [r.id for r in results if not r.passed] == ["TEXT"]
    assert results[10].verdict.failing == (0,)
    assert model.calls < 10  # one call for the 50, a few to find the row that crashes


def test_check_names_the_fixed_incidents_that_fail_again() -> None:
    rows = pd.DataFrame({"x": [-2.0, 2.0], "color": ["red", "red"]})
    cases = [
        (incident(Expectation("label", value="a"), "fixed", "INC-7"), rows),
        (incident(Expectation("label", value="b"), "open", "INC-8"), rows),
        (incident(Expectation("no_error"), "fixed", "INC-9"), rows),
    ]
    result = evaluate(cases, classifier(), model_name="models/model.skops", checked=NOW)
    assert [r.id for r in result.regressions] == ["INC-7"]
    with pytest.raises(RegressionFailed) as caught:
        result.check()
    assert str(caught.value) == (
        "models/model.skops fails 1 fixed incident again: "
        "INC-7: 1 of 2 rows fails: row 1: predicted 'b', expected 'a'"
    )
    assert result.to_json() == {
        "model": "models/model.skops",
        "passed": False,
        "regressed": ["INC-7"],
        "now_passing": [],
        "incidents": [
            {
                "id": "INC-7",
                "status": "fixed",
                "passed": False,
                "rows": 2,
                "failing_rows": [1],
                "message": "1 of 2 rows fails: row 1: predicted 'b', expected 'a'",
            },
            {
                "id": "INC-8",
                "status": "open",
                "passed": False,
                "rows": 2,
                "failing_rows": [0],
                "message": "1 of 2 rows fails: row 0: predicted 'a', expected 'b'",
            },
            {
                "id": "INC-9",
                "status": "fixed",
                "passed": True,
                "rows": 2,
                "failing_rows": [],
                "message": "all 2 rows pass",
            },
        ],
    }


# Recording incidents in a project ------------------------------------------------------------


def request(rows: Path, name: str = "INC-42", **flags: Any) -> IncidentRequest:
    return IncidentRequest(
        name,
        rows,
        ExpectationFlags(**(flags or {"expected_column": "truth"})),
        "Misread on low x",
        "https://tracker/INC-42",
    )


def test_a_passing_incident_is_recorded_fixed(project: Path, tmp_path: Path) -> None:
    rows = write(tmp_path / "failing.csv", ROWS)
    added = add_regression(project, request(rows), now=NOW)
    folder = project / "tests" / "regressions" / "INC-42"
    assert added.folder == Path("tests/regressions/INC-42")
    assert not added.tracked_by_dvc
    assert added.result is not None and added.result.passed
    assert listing(folder) == ["incident.yaml", "rows.csv"]
    assert (folder / "rows.csv").read_text() == ROWS
    assert (folder / "incident.yaml").read_text().split("\n", 3)[3] == (
        "id: INC-42\n"
        "date: 2025-02-01\n"
        "description: Misread on low x\n"
        "link: https://tracker/INC-42\n"
        "expectation:\n"
        "  kind: label\n"
        "  column: truth\n"
        "status: fixed\n"
        "last_result:\n"
        "  checked: '2025-02-01T09:30:00+00:00'\n"
        "  passed: 2\n"
        "  failed: 0\n"
    )


def test_a_failing_incident_is_recorded_open(project: Path, tmp_path: Path) -> None:
    rows = write(tmp_path / "failing.csv", ROWS.replace(",b\n", ",a\n"))
    added = add_regression(project, request(rows), now=NOW)
    assert added.incident.status == "open"
    assert added.result is not None
    assert added.result.verdict.message == "1 of 2 rows fails: row 1: predicted 'b', expected 'a'"


def test_without_a_model_an_incident_is_open(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj")
    rows = write(tmp_path / "failing.csv", ROWS)
    added = add_regression(project, request(rows), now=NOW)
    assert (added.incident.status, added.result, added.incident.last_result) == ("open", None, None)


def test_an_existing_id_is_kept_unless_forced(project: Path, tmp_path: Path) -> None:
    rows = write(tmp_path / "failing.csv", ROWS)
    add_regression(project, request(rows), now=NOW)
    crash = write(tmp_path / "crash.csv", "x,color\n1,green\n")
    with pytest.raises(IncidentExists) as caught:
        add_regression(project, request(crash, no_error=True), now=NOW)
    assert str(caught.value) == (
        "incident INC-42 already exists in tests/regressions/INC-42; give --force to replace it."
    )
    replaced = add_regression(project, request(crash, no_error=True), force=True, now=NOW)
    assert (replaced.incident.expectation, replaced.incident.status) == (
        Expectation("no_error"),
        "open",
    )
    assert (project / replaced.folder / "rows.csv").read_text() == "x,color\n1,green\n"
    assert listing(project / "tests" / "regressions") == [
        "INC-42",
        "INC-42/incident.yaml",
        "INC-42/rows.csv",
    ]


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        (
            "x,colour,truth\n1,red,a\n",
            ContractViolation,
            "{rows}: the columns do not match the data contract: missing column 'color'; unexpected column 'colour' "
            "(besides the contract's columns, rows may hold only the expectation's column).",
        ),
        ("", DataError, "{rows}: the file is empty."),
        ("x,color,truth\n", DataError, "{rows}: the file has a header but no rows."),
        (
            "x,color\n1,red\n",
            DataError,
            "{rows}: no column 'truth' for --expected-column truth (columns: x, color).",
        ),
        (
            "x,color,truth\n1,red,a\n2,red,\n",
            DataError,
            "{rows}: column 'truth' has no value in row 1.",
        ),
        (
            "x,color,truth\n1,red,Gentoo\n",
            DataError,
            "{rows}: 'Gentoo' not among the classes of the target (a, b); check the spelling, or widen the contract first.",
        ),
    ],
    ids=["contract", "empty", "header-only", "no-expected-column", "gap", "unknown-class"],
)
def test_bad_rows_are_refused_and_nothing_is_written(
    project: Path, tmp_path: Path, text: str, error: type[Exception], message: str
) -> None:
    rows = write(tmp_path / "failing.csv", text)
    with pytest.raises(error) as caught:
        add_regression(project, request(rows))
    assert str(caught.value) == message.format(rows=rows)
    assert not (project / "tests" / "regressions").exists()


def test_identifier_and_target_columns_may_be_absent_or_present(
    project: Path, tmp_path: Path
) -> None:
    rows = write(tmp_path / "r.csv", "x,color,y\n1,red,b\n")
    assert add_regression(project, request(rows, expected_column="y")).incident.status == "fixed"


def test_rows_must_be_csv(project: Path, tmp_path: Path) -> None:
    rows = write(tmp_path / "r.parquet", "")
    with pytest.raises(DataError) as caught:
        add_regression(project, request(rows))
    assert (
        str(caught.value)
        == f"{rows}: incident rows must be a .csv file; they are kept as rows.csv."
    )


def test_an_expectation_for_another_task_is_refused(project: Path, tmp_path: Path) -> None:
    rows = write(tmp_path / "r.csv", ROWS)
    with pytest.raises(InvalidIncident) as caught:
        add_regression(project, request(rows, range="0:1"))
    assert str(caught.value).startswith(
        "--range fits regression models; this project does classification"
    )


def test_outside_a_project(tmp_path: Path) -> None:
    with pytest.raises(NotAProject) as caught:
        add_regression(tmp_path, request(tmp_path / "r.csv"))
    assert str(caught.value) == (
        f"no params.yaml in {tmp_path}: run this inside a project made by `mlproj new`, or give --project DIR."
    )


def test_a_failed_write_leaves_nothing(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(path: Path, text: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("mlproj.incidents.store.write_text", broken)
    rows = write(tmp_path / "r.csv", ROWS)
    with pytest.raises(CannotWrite) as raised:
        add_regression(project, request(rows))
    assert str(raised.value) == f"Cannot write tests/regressions/INC-42 in {project}: disk full."
    assert not (project / "tests" / "regressions").exists()


def test_a_failed_dvc_add_restores_the_replaced_incident(project: Path, tmp_path: Path) -> None:
    rows = write(tmp_path / "r.csv", ROWS)
    old = incident(Expectation("no_error"), name="BIG")
    save_incident(project, old, rows)
    before = (project / "tests" / "regressions" / "BIG" / "incident.yaml").read_text()
    # Not a DVC repository: `dvc add` fails after the new folder is in place.
    with pytest.raises(CommandFailed):
        save_incident(
            project,
            incident(Expectation("label", value="a"), name="BIG"),
            rows,
            force=True,
            large=0,
        )
    assert listing(project / "tests" / "regressions") == [
        "BIG",
        "BIG/incident.yaml",
        "BIG/rows.csv",
    ]
    assert (project / "tests" / "regressions" / "BIG" / "incident.yaml").read_text() == before


def test_rows_left_to_dvc_say_how_to_fetch_them(project: Path) -> None:
    write(project / "tests" / "regressions" / "A" / "rows.csv.dvc", "outs: []\n")
    with pytest.raises(DataError) as caught:
        read_rows(project, "A")
    assert str(caught.value) == (
        "tests/regressions/A/rows.csv: tracked by DVC and not here; run `dvc pull tests/regressions/A/rows.csv`."
    )


# The lifecycle: run, regress, fix, list ------------------------------------------------------


def test_a_fixed_incident_blocks_a_model_that_fails_it_again(project: Path, tmp_path: Path) -> None:
    rows = write(tmp_path / "r.csv", ROWS)
    add_regression(project, request(rows), now=NOW)
    assert run_suite(project).passed
    save_model(classifier(inverted=True), project / "models" / "model.skops")
    result = run_suite(project)
    report = json.loads((project / "reports" / "regressions.json").read_text())
    assert (report["passed"], report["regressed"]) == (False, ["INC-42"])
    assert report["incidents"][0]["failing_rows"] == [0, 1]
    with pytest.raises(RegressionFailed) as caught:
        result.check()
    assert str(caught.value) == (
        "models/model.skops fails 1 fixed incident again: INC-42: 2 of 2 rows fail (rows 0, 1); "
        "row 0: predicted 'b', expected 'a'"
    )
    with pytest.raises(RegressionFailed):
        check_suite(project)
    assert check_suite(project, classifier()).passed


def test_an_open_incident_that_passes_is_marked_fixed(project: Path, tmp_path: Path) -> None:
    rows = write(tmp_path / "r.csv", "id,x,color,truth\n1,-2.0,red,b\n2,2.0,blue,a\n")
    add_regression(project, request(rows), now=NOW)
    with pytest.raises(IncidentStillFails) as caught:
        fix_incident(project, "INC-42")
    assert str(caught.value) == (
        "INC-42 still fails with models/model.skops: 2 of 2 rows fail (rows 0, 1); "
        "row 0: predicted 'a', expected 'b'. It stays open."
    )
    save_model(classifier(inverted=True), project / "models" / "model.skops")
    result = evaluate_suite(project)
    assert [r.id for r in result.results if r.now_passes] == ["INC-42"]
    fixed = fix_incident(project, "INC-42")
    assert (fixed.was, fixed.incident.status) == ("open", "fixed")
    assert list_incidents(project)[0].incident.status == "fixed"


def test_list_shows_the_latest_result(project: Path, tmp_path: Path) -> None:
    rows = write(tmp_path / "r.csv", ROWS)
    add_regression(project, request(rows), now=NOW)
    [listed] = list_incidents(project)
    assert listed.last_result is not None
    assert (listed.last_result.checked, listed.last_result.passed) == (NOW, 2)
    save_model(classifier(inverted=True), project / "models" / "model.skops")
    run_suite(project)
    [listed] = list_incidents(project)
    assert listed.last_result is not None
    assert (listed.last_result.passed, listed.last_result.failed) == (0, 2)
    assert listed.last_result.checked > NOW


def test_fix_an_unknown_incident(project: Path) -> None:
    with pytest.raises(InvalidIncident) as caught:
        fix_incident(project, "INC-9")
    assert str(caught.value) == "no incident 'INC-9' in tests/regressions (incidents: none yet)."


def test_an_empty_suite_needs_no_model(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj")
    assert run_suite(project).results == ()
    assert json.loads((project / "reports" / "regressions.json").read_text())["incidents"] == []


def test_regression_project(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj", task="regression", model=regressor())
    rows = write(tmp_path / "r.csv", "x,color,truth\n1,red,2.2\n2,blue,oops\n")
    with pytest.raises(DataError) as caught:
        add_regression(project, request(rows, expected_column="truth", tolerance=0.5))
    assert (
        str(caught.value)
        == f"{rows}: column 'truth' holds text, not numbers, in row 1 (first: 'oops')."
    )
    rows = write(tmp_path / "r.csv", "x,color,truth\n1,red,2.2\n2,blue,3.0\n")
    added = add_regression(project, request(rows, expected_column="truth", tolerance=0.5))
    assert added.result is not None
    assert added.result.verdict.message == "1 of 2 rows fails: row 1: predicted 4, expected 3 ± 0.5"
    rows = write(tmp_path / "r.csv", "x,color\n1,red\n2,blue\n")
    added = add_regression(project, request(rows, name="R", range="0:5"))
    assert added.incident.status == "fixed"
