"""`mlproj monitor`: the lines it prints, exit 1 naming each alert, --json, bad options."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from mlproj.cli import app
from tests.monitor.builder import (
    feedback_frame,
    holdout,
    log_frame,
    monitor_project,
    truth,
    write_log,
)

pytestmark = pytest.mark.usefixtures("forget_toy_package")

runner = CliRunner()


def run(project: Path, *args: str) -> Result:
    return runner.invoke(app, ["monitor", "--until", "2026-11-20", "-q", *args, "-p", str(project)])


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = monitor_project(tmp_path / "proj", extra="monitor:\n  min_labelled: 10\n")
    log = log_frame(holdout().head(30))
    write_log(root, log)
    write_log(root, feedback_frame(log, truth(log)), "logs/feedback")
    return root


def test_a_healthy_log_exits_0_with_a_line_per_check(project: Path) -> None:
    result = run(project)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "✓ traffic: 10 request(s) logged from 2026-11-14 to 2026-11-20"
    assert "• model age: " in result.stdout
    report = project / "reports" / "monitor"
    assert lines[-1] == (
        f"Checked 10 request(s) from 2026-11-14 to 2026-11-20: 0 alert(s). Report: "
        f"{report / 'index.html'}; rows to review: {report / 'review-sample.csv'}"
    )


def test_wrong_labels_exit_1_naming_quality(project: Path) -> None:
    log = log_frame(holdout().head(30), prefix="w")
    write_log(project, log)
    wrong = ["a" if label == "b" else "b" for label in truth(log)]
    write_log(project, feedback_frame(log, wrong), "logs/feedback")
    result = run(project)
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: 1 monitor alert(s) over 2026-11-14 to 2026-11-20: quality (balanced_accuracy 0.5 "
        "against 1 at metrics.json, down 0.5 on 60 labelled row(s) (limit 0.05)); see "
        f"{project / 'reports' / 'monitor' / 'index.html'}\n"
    )


def test_json_prints_the_report(project: Path) -> None:
    result = run(project, "--json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["status"] == "ok"
    assert result.stdout == (project / "reports" / "monitor" / "monitor.json").read_text()


def test_an_empty_window_exits_1(project: Path) -> None:
    result = runner.invoke(app, ["monitor", "--until", "2026-10-01", "-q", "-p", str(project)])
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Error: 1 monitor alert(s) over 2026-09-25 to 2026-10-01: traffic (0 request(s) logged"
    )
    assert "• The window holds no request" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--until", "yesterday"], "'yesterday' is not a date such as 2026-11-30."),
        (
            ["--window-days", "0"],
            "Invalid value for '--window-days': Input should be greater than or equal to 1",
        ),
    ],
)
def test_bad_options_exit_2(project: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["monitor", *args, "-p", str(project)])
    assert result.exit_code == 2
    assert message in result.stderr
