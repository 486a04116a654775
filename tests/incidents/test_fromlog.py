"""`add-regression --from-log`: logged requests become an incident, or a one-line refusal."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner, Result

from mlproj.cli import app
from mlproj.predictionlog.schema import write_part
from tests.conftest import listing
from tests.monitor.builder import feedback_frame, log_frame, refused_frame

pytestmark = pytest.mark.usefixtures("forget_toy_package")

runner = CliRunner()
ROWS = pd.DataFrame({"x": [-2.0, 2.0, -1.0, 1.5], "color": ["red", "blue", "blue", "red"]})


def add(project: Path, *args: str) -> Result:
    return runner.invoke(app, ["add-regression", *args, "-p", str(project)])


@pytest.fixture
def logged(project: Path) -> Path:
    """Two requests of two rows (r0, r1), answered; one refused (bad0)."""
    log = log_frame(ROWS, per_request=2)
    write_part(project / "logs" / "predictions", log)
    write_part(project / "logs" / "predictions", refused_frame(1))
    return project


def label(project: Path, request: str, labels: list[str]) -> None:
    log = log_frame(ROWS, per_request=2)
    write_part(
        project / "logs" / "feedback", feedback_frame(log[log["_request_id"] == request], labels)
    )


def test_labelled_requests_become_an_incident_expecting_their_labels(logged: Path) -> None:
    label(logged, "r1", ["b", "b"])  # the model answered a, b: the first row failed
    result = add(logged, "INC-7", "--from-log", "r1")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:2] == [
        "Recorded INC-7 in tests/regressions/INC-7 (rows tracked by git).",
        "The current model fails it: 1 of 2 rows fails: row 0: predicted 'a', expected 'b'",
    ]
    folder = logged / "tests" / "regressions" / "INC-7"
    assert (folder / "rows.csv").read_text() == "x,color,_label\n-1.0,blue,b\n1.5,red,b\n"
    incident = (folder / "incident.yaml").read_text()
    assert "description: Logged request(s) r1\n" in incident
    assert "date: 2026-11-20\n" in incident
    assert "expectation:\n  kind: label\n  column: _label\n" in incident


def test_rows_without_labels_need_an_expectation(logged: Path) -> None:
    before = listing(logged)
    result = add(logged, "INC-7", "--from-log", "r0", "r1")
    assert result.exit_code == 9
    assert result.stderr == (
        "Error: 4 of 4 row(s) of those requests have no feedback label; say what the model must "
        "do on them: --expected-column, --expected-label, --not-label, --not-label-column, "
        "--min-probability or --no-error.\n"
    )
    assert listing(logged) == before


def test_an_expectation_option_is_used_instead(logged: Path) -> None:
    result = add(logged, "INC-8", "--from-log", "r1", "r0", "--no-error")
    assert result.exit_code == 0, result.output
    rows = (logged / "tests" / "regressions" / "INC-8" / "rows.csv").read_text()
    assert rows == "x,color\n-1.0,blue\n1.5,red\n-2.0,red\n2.0,blue\n"  # in the order given


def test_unknown_ids_are_refused_in_one_line(logged: Path) -> None:
    before = listing(logged)
    result = add(logged, "INC-7", "--from-log", "r0", "nope", "gone", "--no-error")
    assert result.exit_code == 9
    assert result.stderr == (
        "Error: logs/predictions: no logged request 'nope', 'gone'; check the "
        "id(s) (X-Request-ID).\n"
    )
    assert listing(logged) == before


def test_a_refused_request_is_refused(logged: Path) -> None:
    before = listing(logged)
    result = add(logged, "INC-7", "--from-log", "bad0", "--no-error")
    assert result.exit_code == 9
    assert result.stderr == (
        "Error: logs/predictions: request 'bad0' was refused by the data "
        "contract, never answered: there is no prediction to keep from coming back.\n"
    )
    assert listing(logged) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["INC-7", "r0", "--no-error"],
            "unexpected argument 'r0': request ids go with --from-log.",
        ),
        (
            ["INC-7", "--from-log", "--no-error"],
            "--from-log needs the REQUEST_ID of at least one logged request.",
        ),
        (
            ["INC-7", "--from-log", "r0", "--rows", "x.csv", "--no-error"],
            "--from-log takes its rows from the log; give no --rows or --from-file.",
        ),
    ],
)
def test_options_that_do_not_go_with_from_log(logged: Path, args: list[str], message: str) -> None:
    result = add(logged, *args)
    assert result.exit_code == 9
    assert result.stderr == f"Error: {message}\n"


def test_a_regression_needs_a_tolerance_to_use_its_labels(tmp_path: Path) -> None:
    from tests.toy_project import make_project, regressor

    project = make_project(tmp_path / "reg", task="regression", model=regressor())
    log = log_frame(ROWS, per_request=2, model=regressor())
    write_part(project / "logs" / "predictions", log)
    write_part(project / "logs" / "feedback", feedback_frame(log, [-4.0, 4.0, -2.0, 3.0]))
    refused = add(project, "INC-1", "--from-log", "r0")
    assert refused.exit_code == 9
    assert refused.stderr == (
        "Error: --from-log: the feedback labels give each row's right value; add "
        "--expected-column _label --tolerance T to say how far off a prediction may be.\n"
    )
    added = add(
        project, "INC-1", "--from-log", "r0", "--expected-column", "_label", "--tolerance", "0.1"
    )
    assert added.exit_code == 0, added.output
    assert "The current model passes it: all 2 rows pass" in added.stdout
    rows = (project / "tests" / "regressions" / "INC-1" / "rows.csv").read_text()
    assert rows == "x,color,_label\n-2.0,red,-4.0\n2.0,blue,4.0\n"
