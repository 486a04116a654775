"""Incident ids, incident files and expectations: every bad input named, field by field."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from mlproj.errors import InvalidIncident
from mlproj.incidents.expectations import Expectation, expectation_from_mapping
from mlproj.incidents.flags import ExpectationFlags
from mlproj.incidents.incident import (
    Incident,
    IncidentRequest,
    LastResult,
    check_id,
    incident_from_yaml,
    incident_request,
    incident_to_yaml,
    read_request,
)
from tests.conftest import write

RULE = "use letters, digits, '-', '_' and '.', such as INC-42."


@pytest.mark.parametrize("incident_id", ["INC-42", "inc_7", "2024.01.31", "A", "x" * 64])
def test_good_ids(incident_id: str) -> None:
    assert check_id(incident_id) == incident_id


@pytest.mark.parametrize(
    ("incident_id", "message"),
    [
        ("", f"incident id is empty; {RULE}"),
        ("a/b", f"incident id 'a/b' contains '/'; {RULE}"),
        ("../x", f"incident id '../x' contains '/'; {RULE}"),
        ("..", f"incident id '..' starts with '.'; {RULE}"),
        (".hidden", f"incident id '.hidden' starts with '.'; {RULE}"),
        ("a..b", f"incident id 'a..b' contains '..'; {RULE}"),
        ("INC 42", f"incident id 'INC 42' contains ' '; {RULE}"),
        ("café", f"incident id 'café' contains 'é'; {RULE}"),
        ("a\\b:c", f"incident id 'a\\\\b:c' contains ':', '\\\\'; {RULE}"),
        ("x" * 65, f"incident id '{'x' * 65}' is longer than 64 characters; {RULE}"),
    ],
    ids=[
        "empty",
        "slash",
        "parent",
        "dotdot",
        "leading-dot",
        "inner-dotdot",
        "space",
        "accent",
        "backslash",
        "long",
    ],
)
def test_bad_ids(incident_id: str, message: str) -> None:
    with pytest.raises(InvalidIncident) as caught:
        check_id(incident_id)
    assert str(caught.value) == message


YAML_REQUEST = """\
id: INC-42
rows: rows/failing.csv
description: Gentoo misread as Adelie on low body mass
link: https://tracker/INC-42
date: 2025-01-31
expectation:
  kind: label
  column: true_label
"""


def test_yaml_request_reads_rows_relative_to_the_file(tmp_path: Path) -> None:
    path = write(tmp_path / "in" / "incident.yaml", YAML_REQUEST)
    assert read_request(path) == IncidentRequest(
        id="INC-42",
        rows=tmp_path / "in" / "rows" / "failing.csv",
        expectation=Expectation("label", column="true_label"),
        description="Gentoo misread as Adelie on low body mass",
        link="https://tracker/INC-42",
        date=date(2025, 1, 31),
    )


def test_json_request(tmp_path: Path) -> None:
    document = {
        "id": "INC-7",
        "rows": str(tmp_path / "abs.csv"),
        "expectation": {"kind": "min_probability", "class": "Gentoo", "threshold": 0.8},
    }
    path = write(tmp_path / "incident.json", json.dumps(document))
    assert read_request(path) == IncidentRequest(
        id="INC-7",
        rows=tmp_path / "abs.csv",
        expectation=Expectation("min_probability", label="Gentoo", threshold=0.8),
    )


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("i.json", '{"id": ', "not valid JSON at line 1: Expecting value"),
        ("i.yaml", "- a\n", "expected a mapping of field names to values"),
        ("i.yaml", "rows: r.csv\nexpectation: {kind: no_error}\n", "missing 'id'"),
        (
            "i.yaml",
            "id: A\nrows: r.csv\nexpectation: {kind: no_error}\nstatus: fixed\n",
            "unknown field 'status' (expected id, rows, expectation, description, link, date)",
        ),
        (
            "i.yaml",
            "id: 42\nrows: r.csv\nexpectation: {kind: no_error}\n",
            "'id' must be text, not 42",
        ),
        (
            "i.yaml",
            "id: a/b\nrows: r.csv\nexpectation: {kind: no_error}\n",
            f"incident id 'a/b' contains '/'; {RULE}",
        ),
        (
            "i.yaml",
            "id: A\nrows: r.csv\nexpectation: {kind: no_error}\ndate: yesterday\n",
            "'date' must be a date such as 2025-01-31, not 'yesterday'",
        ),
        (
            "i.yaml",
            "id: A\nrows: r.csv\nexpectation: {kind: no_error}\nlink: 7\n",
            "'link' must be text, not 7",
        ),
        (
            "i.json",
            '{"id": "A", "rows": "r.csv", "expectation": "no_error"}',
            "'expectation' must be a mapping such as {kind: no_error}",
        ),
        ("i.toml", "", "an incident file is .yaml, .yml or .json"),
    ],
    ids=[
        "bad-json",
        "not-mapping",
        "missing-id",
        "unknown-field",
        "id-not-text",
        "unsafe-id",
        "bad-date",
        "link-not-text",
        "expectation-not-mapping",
        "suffix",
    ],
)
def test_request_errors_name_the_file_and_field(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    path = write(tmp_path / name, text)
    with pytest.raises(InvalidIncident) as caught:
        read_request(path)
    prefix = "" if message.startswith("incident id") else f"{path}: "
    assert str(caught.value) == prefix + message


def test_missing_request_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidIncident) as caught:
        read_request(tmp_path / "none.yaml")
    assert str(caught.value) == f"{tmp_path / 'none.yaml'}: no such incident file"


@pytest.mark.parametrize(
    ("mapping", "expected"),
    [
        ({"kind": "label", "value": "Gentoo"}, Expectation("label", value="Gentoo")),
        ({"kind": "label", "value": 1}, Expectation("label", value="1")),
        ({"kind": "not_label", "column": "prod"}, Expectation("not_label", column="prod")),
        (
            {"kind": "min_probability", "class": "a", "threshold": 1},
            Expectation("min_probability", label="a", threshold=1.0),
        ),
        (
            {"kind": "value", "value": 3, "tolerance": 0.5},
            Expectation("value", value=3.0, tolerance=0.5),
        ),
        (
            {"kind": "value", "column": "y", "tolerance": 0},
            Expectation("value", column="y", tolerance=0.0),
        ),
        ({"kind": "range", "low": 0}, Expectation("range", low=0.0)),
        ({"kind": "range", "low": -1, "high": 1}, Expectation("range", low=-1.0, high=1.0)),
        ({"kind": "no_error"}, Expectation("no_error")),
    ],
)
def test_expectation_mappings(mapping: dict[str, object], expected: Expectation) -> None:
    parsed = expectation_from_mapping(mapping, "f.yaml")
    assert parsed == expected
    assert expectation_from_mapping(parsed.to_mapping(), "f.yaml") == expected


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        (
            {"kind": "best"},
            "f.yaml: expectation 'kind' must be one of label, not_label, min_probability, value, range, no_error, not 'best'",
        ),
        (
            {},
            "f.yaml: expectation 'kind' must be one of label, not_label, min_probability, value, range, no_error, not None",
        ),
        (
            {"kind": "label", "column": "a", "value": "b"},
            "f.yaml: expectation kind 'label' needs exactly one of 'column' and 'value'",
        ),
        (
            {"kind": "label"},
            "f.yaml: expectation kind 'label' needs exactly one of 'column' and 'value'",
        ),
        (
            {"kind": "label", "value": True},
            "f.yaml: expectation 'value' must be text, not True; put it in quotes",
        ),
        (
            {"kind": "label", "value": "a", "tolerance": 1},
            "f.yaml: expectation kind 'label' takes 'column' and 'value', not 'tolerance'",
        ),
        (
            {"kind": "no_error", "value": 1},
            "f.yaml: expectation kind 'no_error' takes no other key, not 'value'",
        ),
        (
            {"kind": "min_probability", "class": "a", "threshold": 1.5},
            "f.yaml: expectation 'threshold' must be a probability in (0, 1]",
        ),
        (
            {"kind": "min_probability", "class": "a"},
            "f.yaml: expectation needs 'threshold', a number",
        ),
        ({"kind": "value", "value": 3}, "f.yaml: expectation needs 'tolerance', a number"),
        (
            {"kind": "value", "value": 3, "tolerance": -1},
            "f.yaml: expectation 'tolerance' must be 0 or more, not -1",
        ),
        (
            {"kind": "value", "value": "three", "tolerance": 1},
            "f.yaml: expectation 'value' must be a number, not 'three'",
        ),
        ({"kind": "range"}, "f.yaml: expectation kind 'range' needs 'low', 'high' or both"),
        (
            {"kind": "range", "low": 2, "high": 1},
            "f.yaml: expectation 'low' 2 is above 'high' 1",
        ),
    ],
    ids=[
        "unknown-kind",
        "no-kind",
        "column-and-value",
        "neither",
        "bool-label",
        "extra-key",
        "no-error-extra",
        "threshold-above-one",
        "no-threshold",
        "no-tolerance",
        "negative-tolerance",
        "text-value",
        "empty-range",
        "inverted-range",
    ],
)
def test_expectation_mapping_errors(mapping: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidIncident) as caught:
        expectation_from_mapping(mapping, "f.yaml")
    assert str(caught.value) == message


def test_expectation_that_does_not_fit_the_task() -> None:
    expectation = expectation_from_mapping({"kind": "range", "low": 0}, "f.yaml")
    assert expectation.for_task("regression") is expectation
    with pytest.raises(InvalidIncident) as caught:
        expectation.for_task("classification")
    assert str(caught.value) == (
        "f.yaml: expectation kind 'range' fits regression models; this project does classification."
    )


CLASSIFICATION = "--expected-column, --expected-label, --not-label, --not-label-column, --min-probability or --no-error"
REGRESSION = "--expected-column or --expected-value with --tolerance, --range or --no-error"


@pytest.mark.parametrize(
    ("flags", "task", "expected"),
    [
        (ExpectationFlags(expected_column="y"), "classification", Expectation("label", column="y")),
        (
            ExpectationFlags(expected_column="y", tolerance=0.5),
            "regression",
            Expectation("value", column="y", tolerance=0.5),
        ),
        (
            ExpectationFlags(expected_label="Gentoo"),
            "classification",
            Expectation("label", value="Gentoo"),
        ),
        (
            ExpectationFlags(expected_value=3.5, tolerance=0),
            "regression",
            Expectation("value", value=3.5, tolerance=0.0),
        ),
        (
            ExpectationFlags(not_label="Adelie"),
            "classification",
            Expectation("not_label", value="Adelie"),
        ),
        (
            ExpectationFlags(not_label_column="prod"),
            "classification",
            Expectation("not_label", column="prod"),
        ),
        (
            ExpectationFlags(min_probability="Gentoo=0.8"),
            "classification",
            Expectation("min_probability", label="Gentoo", threshold=0.8),
        ),
        (
            ExpectationFlags(min_probability="a=b=1"),
            "classification",
            Expectation("min_probability", label="a=b", threshold=1.0),
        ),
        (ExpectationFlags(range="-5:5"), "regression", Expectation("range", low=-5.0, high=5.0)),
        (ExpectationFlags(range="0:"), "regression", Expectation("range", low=0.0)),
        (ExpectationFlags(range=":10"), "regression", Expectation("range", high=10.0)),
        (ExpectationFlags(no_error=True), "classification", Expectation("no_error")),
        (ExpectationFlags(no_error=True), "regression", Expectation("no_error")),
    ],
)
def test_flags_make_one_expectation(
    flags: ExpectationFlags, task: str, expected: Expectation
) -> None:
    assert flags.for_task(task) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("flags", "task", "message"),
    [
        (
            ExpectationFlags(),
            "classification",
            f"say what the model must do on these rows: {CLASSIFICATION}.",
        ),
        (
            ExpectationFlags(),
            "regression",
            f"say what the model must do on these rows: {REGRESSION}.",
        ),
        (
            ExpectationFlags(expected_label="a", no_error=True),
            "classification",
            "give one expectation, not --expected-label and --no-error.",
        ),
        (
            ExpectationFlags(expected_column="y", not_label="a", range="0:1"),
            "classification",
            "give one expectation, not --expected-column, --not-label and --range.",
        ),
        (
            ExpectationFlags(range="0:1"),
            "classification",
            f"--range fits regression models; this project does classification: use {CLASSIFICATION}.",
        ),
        (
            ExpectationFlags(expected_value=1.0, tolerance=1),
            "classification",
            f"--expected-value fits regression models; this project does classification: use {CLASSIFICATION}.",
        ),
        (
            ExpectationFlags(expected_label="a"),
            "regression",
            f"--expected-label fits classification models; this project does regression: use {REGRESSION}.",
        ),
        (
            ExpectationFlags(min_probability="a=0.5"),
            "regression",
            f"--min-probability fits classification models; this project does regression: use {REGRESSION}.",
        ),
        (
            ExpectationFlags(expected_column="y", tolerance=1),
            "classification",
            "--tolerance fits regression models; this project does classification.",
        ),
        (
            ExpectationFlags(range="0:1", tolerance=1),
            "regression",
            "--tolerance goes with --expected-column or --expected-value, not --range.",
        ),
        (
            ExpectationFlags(expected_column="y"),
            "regression",
            "--expected-column needs --tolerance: how far off a prediction may be.",
        ),
        (
            ExpectationFlags(expected_value=1.0, tolerance=-0.5),
            "regression",
            "--tolerance must be 0 or more, not -0.5.",
        ),
        (
            ExpectationFlags(min_probability="Gentoo"),
            "classification",
            "--min-probability 'Gentoo' is not CLASS=PROBABILITY with a probability in (0, 1], such as Gentoo=0.8.",
        ),
        (
            ExpectationFlags(min_probability="Gentoo=0"),
            "classification",
            "--min-probability 'Gentoo=0' is not CLASS=PROBABILITY with a probability in (0, 1], such as Gentoo=0.8.",
        ),
        (
            ExpectationFlags(range="1-2"),
            "regression",
            "--range '1-2' is not LOW:HIGH, such as 0:10 (leave a side empty for no bound).",
        ),
        (
            ExpectationFlags(range=":"),
            "regression",
            "--range ':' is not LOW:HIGH, such as 0:10 (leave a side empty for no bound).",
        ),
        (ExpectationFlags(range="5:1"), "regression", "--range '5:1': low 5 is above high 1."),
        (
            ExpectationFlags(expected_column=""),
            "classification",
            "--expected-column needs a column name.",
        ),
    ],
    ids=[
        "none-classification",
        "none-regression",
        "two",
        "three",
        "range-on-classifier",
        "value-on-classifier",
        "label-on-regressor",
        "probability-on-regressor",
        "tolerance-on-classifier",
        "tolerance-with-range",
        "no-tolerance",
        "negative-tolerance",
        "probability-without-value",
        "probability-zero",
        "range-without-colon",
        "range-unbounded",
        "range-inverted",
        "empty-column",
    ],
)
def test_flag_errors(flags: ExpectationFlags, task: str, message: str) -> None:
    with pytest.raises(InvalidIncident) as caught:
        flags.for_task(task)  # type: ignore[arg-type]
    assert str(caught.value) == message


def test_options_make_a_request(tmp_path: Path) -> None:
    flags = ExpectationFlags(no_error=True)
    request = incident_request("INC-1", tmp_path / "r.csv", flags, description="crash")
    assert request == IncidentRequest("INC-1", tmp_path / "r.csv", flags, "crash", None)
    file = write(tmp_path / "i.yaml", "id: INC-2\nrows: r.csv\nexpectation: {kind: no_error}\n")
    assert incident_request(None, None, ExpectationFlags(), from_file=file).id == "INC-2"


@pytest.mark.parametrize(
    ("incident_id", "rows", "flags", "from_file", "message"),
    [
        (
            None,
            None,
            ExpectationFlags(),
            None,
            "give INCIDENT and --rows FILE, or --from-file FILE.",
        ),
        (
            "INC-1",
            None,
            ExpectationFlags(),
            None,
            "INC-1 needs --rows FILE: the rows it failed on.",
        ),
        (
            "INC-1",
            None,
            ExpectationFlags(),
            Path("i.yaml"),
            "--from-file describes the whole incident; give no INCIDENT, --rows, expectation, --description or --link with it.",
        ),
        (
            None,
            None,
            ExpectationFlags(tolerance=0.0),
            Path("i.yaml"),
            "--from-file describes the whole incident; give no INCIDENT, --rows, expectation, --description or --link with it.",
        ),
    ],
    ids=["nothing", "no-rows", "id-and-file", "flag-and-file"],
)
def test_option_combinations_refused(
    incident_id: str | None,
    rows: Path | None,
    flags: ExpectationFlags,
    from_file: Path | None,
    message: str,
) -> None:
    with pytest.raises(InvalidIncident) as caught:
        incident_request(incident_id, rows, flags, from_file=from_file)
    assert str(caught.value) == message


STORED = """\
# An incident the model must never repeat: `mlproj regression run` checks every model on rows.csv.
# status: open (the model still fails it; reported, not blocking) or fixed (a model that fails it
# again is blocked). Once an open incident passes, `mlproj regression fix ID` marks it fixed.
id: INC-42
date: 2025-01-31
description: Gentoo misread as Adelie on low body mass
link: https://tracker/INC-42
expectation:
  kind: min_probability
  class: Gentoo
  threshold: 0.8
status: open
last_result:
  checked: '2025-02-01T09:30:00+00:00'
  passed: 3
  failed: 7
"""


def test_incident_yaml_round_trip() -> None:
    incident = Incident(
        id="INC-42",
        date=date(2025, 1, 31),
        description="Gentoo misread as Adelie on low body mass",
        link="https://tracker/INC-42",
        expectation=Expectation("min_probability", label="Gentoo", threshold=0.8),
        status="open",
        last_result=LastResult(datetime(2025, 2, 1, 9, 30, tzinfo=timezone.utc), 3, 7),
    )
    assert incident_to_yaml(incident) == STORED
    assert incident_from_yaml(STORED, source="incident.yaml") == incident


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("status: open", "status: done"), "'status' must be open or fixed, not 'done'"),
        (("status: open\n", ""), "missing 'status'"),
        (
            ("  passed: 3\n", "  passed: -3\n"),
            "'last_result': 'passed' and 'failed' must be counts of rows",
        ),
        (
            ("  passed: 3\n", ""),
            "'last_result' must map 'checked', 'passed' and 'failed', or be null",
        ),
        (
            ("'2025-02-01T09:30:00+00:00'", "soon"),
            "'last_result': 'checked' must be a time such as 2025-01-31T09:30:00+00:00",
        ),
    ],
    ids=["status", "no-status", "negative-count", "missing-count", "bad-time"],
)
def test_stored_incident_errors(edit: tuple[str, str], message: str) -> None:
    with pytest.raises(InvalidIncident) as caught:
        incident_from_yaml(STORED.replace(*edit), source="incident.yaml")
    assert str(caught.value) == f"incident.yaml: {message}"
