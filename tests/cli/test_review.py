"""`mlproj review check|render` and `mlproj flow check-branch`: exit codes and exact output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mlproj.cli import app
from tests.conftest import listing, write

runner = CliRunner()
CHECKLIST = """\
items:
  - id: code-reviewed
    text: Code reviewed
  - id: analysis-reviewed
    text: Analysis reviewed
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write(tmp_path / "review-checklist.yaml", CHECKLIST)
    return tmp_path


def test_check_passes_when_every_item_is_ticked(project: Path) -> None:
    body = write(project / "body.md", "- [x] Code reviewed\n- [x] Analysis reviewed\n")
    result = runner.invoke(app, ["review", "check", str(body), "-p", str(project)])
    assert result.exit_code == 0
    assert result.output == (
        "✓ Code reviewed\n✓ Analysis reviewed\nAll 2 required review items are ticked.\n"
    )


def test_check_lists_each_item_left_and_exits_14(project: Path) -> None:
    body = write(project / "body.md", "- [ ] Code reviewed\n")
    result = runner.invoke(app, ["review", "check", str(body), "-p", str(project)])
    assert result.exit_code == 14
    assert result.stdout == (
        "✗ not ticked: Code reviewed\n✗ missing from the description: Analysis reviewed\n"
    )
    assert result.stderr == (
        "Error: 2 required review item(s) not ticked: tick them in the description "
        "(restore deleted ones from the pull request template).\n"
    )


def test_check_reads_stdin(project: Path) -> None:
    result = runner.invoke(
        app,
        ["review", "check", "-", "-p", str(project)],
        input="- [x] Code reviewed\n- [x] Analysis reviewed\n",
    )
    assert result.exit_code == 0


def test_check_reads_githubs_event_payload(project: Path) -> None:
    event = write(
        project / "event.json", json.dumps({"pull_request": {"body": "- [x] Code reviewed"}})
    )
    result = runner.invoke(
        app, ["review", "check", "-p", str(project)], env={"GITHUB_EVENT_PATH": str(event)}
    )
    assert result.exit_code == 14
    assert "✓ Code reviewed\n✗ not ticked" not in result.stdout
    assert result.stdout.endswith("✗ missing from the description: Analysis reviewed\n")


def test_check_of_an_unreadable_file(project: Path) -> None:
    result = runner.invoke(app, ["review", "check", str(project / "nope.md"), "-p", str(project)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: Cannot read {project / 'nope.md'}:")


def test_render_then_check_mode(project: Path) -> None:
    result = runner.invoke(app, ["review", "render", "-p", str(project)])
    assert result.exit_code == 0
    assert result.output == (
        "Wrote .github/pull_request_template.md\nWrote .gitlab/merge_request_templates/Default.md\n"
    )
    assert runner.invoke(app, ["review", "render", "--check", "-p", str(project)]).exit_code == 0
    write(project / "review-checklist.yaml", CHECKLIST.replace("Code reviewed", "Code read"))
    before = listing(project)
    stale = runner.invoke(app, ["review", "render", "--check", "-p", str(project)])
    assert stale.exit_code == 5
    assert stale.stderr.startswith("Error: .github/pull_request_template.md, ")
    assert listing(project) == before


def test_report_outside_a_project(tmp_path: Path) -> None:
    result = runner.invoke(app, ["review", "report", "--base", "develop", "-p", str(tmp_path)])
    assert result.exit_code == 6
    assert result.stderr.startswith("Error: no params.yaml in ")


@pytest.mark.parametrize(
    ("args", "code", "stderr"),
    [
        (["feature/x"], 0, ""),
        (["main"], 15, "Error: Commits do not go on main directly"),
        (["--push", "main"], 0, ""),
        (["--push", "wip"], 15, "Error: Branch 'wip' is not a Gitflow branch"),
    ],
)
def test_check_branch(tmp_path: Path, args: list[str], code: int, stderr: str) -> None:
    result = runner.invoke(app, ["flow", "check-branch", *args, "-p", str(tmp_path)])
    assert result.exit_code == code
    assert result.stderr.startswith(stderr)
