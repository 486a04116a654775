"""Hostile `mlproj add-regression` inputs: ids that are paths or commands, rows that lie.

An incident's id names a folder under tests/regressions/ and its rows file comes from
production: neither may escape the folder, run anything, or leave a half-recorded incident.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from mlproj.cli import app
from tests.conftest import write
from tests.toy_project import classifier, make_project

pytestmark = pytest.mark.usefixtures("forget_toy_package")

runner = CliRunner()
ROWS = "id,x,color,truth\n1,-2.0,red,a\n2,2.0,blue,b\n"
RULE = "use letters, digits, '-', '_' and '.', such as INC-42."

IDS = [
    ("parent-path", "../escape", "contains '/'"),
    ("space", "INC 42", "contains ' '"),
    ("slash", "a/b", "contains '/'"),
    ("unicode", "café", "contains 'é'"),
    ("newline", "INC-1\n", "contains '\\n'"),
    ("dot-dot", "..", "starts with '.'"),
    ("hidden", ".hidden", "starts with '.'"),
    ("shell", "INC-1;rm -rf", "contains ' ', ';'"),
    ("jinja", "{{7*7}}", "contains '*', '{', '}'"),
    ("backslash", "INC\\1", "contains '\\\\'"),
    ("nul", "INC\x001", "contains '\\x00'"),
    ("option", "-rf", "starts with '-'"),
]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "proj", model=classifier())


def add(project: Path, incident: str, rows: Path) -> tuple[int, str]:
    args = ["add-regression", "--project", str(project), "--rows", str(rows)]
    result = runner.invoke(app, [*args, "--expected-column", "truth", "--", incident])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stderr


@pytest.mark.parametrize(("incident", "why"), [c[1:] for c in IDS], ids=[c[0] for c in IDS])
def test_an_id_that_is_not_a_plain_name_is_refused(
    project: Path, tmp_path: Path, incident: str, why: str
) -> None:
    code, stderr = add(project, incident, write(tmp_path / "rows.csv", ROWS))
    assert code == 9
    assert stderr == f"Error: incident id {incident!r} {why}; {RULE}\n"
    assert not (project / "tests" / "regressions").exists()
    assert not (project.parent / "escape").exists()


def test_a_very_long_id_is_refused_in_one_line(project: Path, tmp_path: Path) -> None:
    code, stderr = add(project, "INC-" + "9" * 300, write(tmp_path / "rows.csv", ROWS))
    assert code == 9
    assert stderr.count("\n") == 1 and stderr.startswith("Error: incident id 'INC-999")
    assert not (project / "tests" / "regressions").exists()


ROW_FILES = [
    ("header-only", "id,x,color,truth\n", "{rows}: the file has a header but no rows."),
    ("missing-column", "id,x,truth\n1,-2.0,a\n", "{rows}: the columns do not match the data contract: missing column 'color'."),
    ("nul-byte", "id,x,color,truth\n1,-2.0,r\0ed,a\n", "{rows}: a NUL byte at offset 25; a CSV file is text, and this one is binary or damaged from there on."),
    ("unknown-label", "id,x,color,truth\n1,-2.0,red,zzz\n", "{rows}: 'zzz' not among the classes of the target (a, b); check the spelling, or widen the contract first."),
    ("empty-label", "id,x,color,truth\n1,-2.0,red,\n", "{rows}: column 'truth' has no value in row 0."),
    ("formula-label", "id,x,color,truth\n1,-2.0,red,=1+1\n", "{rows}: '=1+1' not among the classes of the target (a, b); check the spelling, or widen the contract first."),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "message"), [c[1:] for c in ROW_FILES], ids=[c[0] for c in ROW_FILES]
)
def test_rows_that_cannot_be_an_incident_are_refused(
    project: Path, tmp_path: Path, text: str, message: str
) -> None:
    rows = write(tmp_path / "rows.csv", text)
    code, stderr = add(project, "INC-1", rows)
    assert (code, stderr) == (4, f"Error: {message.format(rows=rows)}\n")
    assert not (project / "tests" / "regressions").exists()


def test_an_empty_id_is_refused(project: Path, tmp_path: Path) -> None:
    code, stderr = add(project, "", write(tmp_path / "rows.csv", ROWS))
    assert (code, stderr) == (9, f"Error: incident id is empty; {RULE}\n")
