"""`mlproj add-regression` and `mlproj regression`: exact messages, exit codes, nothing left."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from mlproj.cli import app
from mlproj.project.modelio import save_model
from tests.conftest import listing, write
from tests.toy_project import ROWS, classifier

pytestmark = pytest.mark.usefixtures("forget_toy_package")

runner = CliRunner()
RULE = "use letters, digits, '-', '_' and '.', such as INC-42."


def add(project: Path, *args: str) -> Result:
    return runner.invoke(app, ["add-regression", *args, "-p", str(project)])


def test_add_a_passing_incident(project: Path, tmp_path: Path) -> None:
    rows = write(tmp_path / "failing.csv", ROWS)
    result = add(project, "INC-42", "--rows", str(rows), "--expected-column", "truth")
    assert result.exit_code == 0
    assert result.stdout == (
        "Recorded INC-42 in tests/regressions/INC-42 (rows tracked by git).\n"
        "The current model passes it: all 2 rows pass\n"
        "It is fixed: any model that fails it from now on is blocked.\n"
    )


def test_add_a_failing_incident_then_fix_it(project: Path, tmp_path: Path) -> None:
    rows = write(tmp_path / "failing.csv", "x,color\n-2,red\n")
    result = runner.invoke(
        app,
        [
            "add-regression",
            "INC-7",
            "--rows",
            str(rows),
            "--expected-label",
            "b",
            "-p",
            str(project),
        ],
    )
    assert result.exit_code == 0
    assert result.stdout == (
        "Recorded INC-7 in tests/regressions/INC-7 (rows tracked by git).\n"
        "The current model fails it: 1 of 1 rows fails: row 0: predicted 'a', expected 'b'\n"
        "It is open: reported, not blocking, until `mlproj regression fix INC-7` once a model passes it.\n"
    )
    result = runner.invoke(app, ["regression", "fix", "INC-7", "-p", str(project)])
    assert result.exit_code == 12
    assert result.stderr == (
        "Error: INC-7 still fails with models/model.skops: 1 of 1 rows fails: "
        "row 0: predicted 'a', expected 'b'. It stays open.\n"
    )
    result = runner.invoke(app, ["regression", "run", "-p", str(project)])
    assert result.exit_code == 0
    assert result.stdout == (
        "• INC-7 open, still fails: 1 of 1 rows fails: row 0: predicted 'a', expected 'b'\n"
        "1 incident(s): 0 pass, 1 open and failing, 0 fixed and failing again.\n"
    )
    save_model(classifier(inverted=True), project / "models" / "model.skops")
    result = runner.invoke(app, ["regression", "run", "-p", str(project)])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == (
        "✓ INC-7 now passes: mark it fixed with `mlproj regression fix INC-7`"
    )
    result = runner.invoke(app, ["regression", "fix", "INC-7", "-p", str(project)])
    assert result.exit_code == 0
    assert result.stdout == "INC-7 is fixed: any model that fails it from now on is blocked.\n"


def test_run_fails_when_a_fixed_incident_fails_again(project: Path, tmp_path: Path) -> None:
    rows = write(tmp_path / "failing.csv", ROWS)
    add(project, "INC-42", "--rows", str(rows), "--expected-column", "truth")
    save_model(classifier(inverted=True), project / "models" / "model.skops")
    result = runner.invoke(app, ["regression", "run", "-p", str(project)])
    assert result.exit_code == 11
    assert result.stdout == (
        "✗ INC-42 fixed, fails again: 2 of 2 rows fail (rows 0, 1); row 0: predicted 'b', expected 'a'\n"
        "1 incident(s): 0 pass, 0 open and failing, 1 fixed and failing again.\n"
    )
    assert result.stderr == (
        "Error: models/model.skops fails 1 fixed incident again: "
        "INC-42: 2 of 2 rows fail (rows 0, 1); row 0: predicted 'b', expected 'a'\n"
    )
    assert (project / "reports" / "regressions.json").is_file()


def test_list(project: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["regression", "list", "-p", str(project)])
    assert result.stdout == "No incidents yet; record one with `mlproj add-regression`.\n"
    rows = write(tmp_path / "failing.csv", ROWS)
    add(project, "INC-42", "--rows", str(rows), "--expected-column", "truth", "--description", "x")
    result = runner.invoke(app, ["regression", "list", "-p", str(project)], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    row = next(line for line in result.stdout.splitlines() if "INC-42" in line)
    assert [cell.strip() for cell in row.strip("│ ").split("│")][:3] == [
        "INC-42",
        "fixed",
        "2/2 rows pass",
    ]


def test_add_from_a_file(project: Path, tmp_path: Path) -> None:
    write(tmp_path / "in" / "rows.csv", ROWS)
    file = write(
        tmp_path / "in" / "incident.yaml",
        "id: INC-3\nrows: rows.csv\nexpectation: {kind: label, column: truth}\n",
    )
    result = add(project, "--from-file", str(file))
    assert result.exit_code == 0
    assert listing(project / "tests" / "regressions") == [
        "INC-3",
        "INC-3/incident.yaml",
        "INC-3/rows.csv",
    ]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["a/b", "--rows", "{rows}", "--no-error"], 9, f"incident id 'a/b' contains '/'; {RULE}"),
        (["..", "--rows", "{rows}", "--no-error"], 9, f"incident id '..' starts with '.'; {RULE}"),
        (["", "--rows", "{rows}", "--no-error"], 9, f"incident id is empty; {RULE}"),
        (["INC-1", "--no-error"], 9, "INC-1 needs --rows FILE: the rows it failed on."),
        (
            ["INC-1", "--rows", "{rows}", "--no-error", "--expected-label", "a"],
            9,
            "give one expectation, not --expected-label and --no-error.",
        ),
        (
            ["INC-1", "--rows", "{rows}", "--range", "0:1"],
            9,
            "--range fits regression models; this project does classification: use --expected-column, "
            "--expected-label, --not-label, --not-label-column, --min-probability or --no-error.",
        ),
        (
            ["INC-1", "--rows", "{rows}", "--expected-column", "truth", "--tolerance", "1"],
            9,
            "--tolerance fits regression models; this project does classification.",
        ),
        (
            ["INC-1", "--rows", "{rows}", "--min-probability", "b"],
            9,
            "--min-probability 'b' is not CLASS=PROBABILITY with a probability in (0, 1], such as Gentoo=0.8.",
        ),
        (
            ["--from-file", "{rows}", "--no-error"],
            9,
            "--from-file describes the whole incident; give no INCIDENT, --rows, expectation, --description or --link with it.",
        ),
        (["INC-1", "--rows", "{missing}", "--no-error"], 4, "{missing}: no such file."),
        (
            ["INC-1", "--rows", "{bad}", "--no-error"],
            4,
            "{bad}: the columns do not match the data contract: missing column 'x'.",
        ),
    ],
    ids=[
        "slash",
        "dotdot",
        "empty",
        "no-rows",
        "two-expectations",
        "wrong-task",
        "tolerance",
        "probability",
        "file-and-flags",
        "missing-rows",
        "contract",
    ],
)
def test_bad_input_is_one_line_and_leaves_nothing(
    project: Path, tmp_path: Path, args: list[str], code: int, message: str
) -> None:
    paths = {
        "rows": str(write(tmp_path / "r.csv", ROWS)),
        "missing": str(tmp_path / "missing.csv"),
        "bad": str(write(tmp_path / "bad.csv", "color\nred\n")),
    }
    result = add(project, *[arg.format(**paths) for arg in args])
    assert result.exit_code == code
    assert result.stderr == f"Error: {message.format(**paths)}\n"
    assert not (project / "tests" / "regressions").exists()


def test_an_existing_incident_is_kept(project: Path, tmp_path: Path) -> None:
    rows = write(tmp_path / "r.csv", ROWS)
    add(project, "INC-1", "--rows", str(rows), "--expected-column", "truth")
    plain = write(tmp_path / "plain.csv", "x,color\n-1,red\n")
    result = add(project, "INC-1", "--rows", str(plain), "--expected-label", "a")
    assert result.exit_code == 10
    assert result.stderr == (
        "Error: incident INC-1 already exists in tests/regressions/INC-1; give --force to replace it.\n"
    )
    result = add(project, "INC-1", "--rows", str(plain), "--expected-label", "a", "--force")
    assert result.exit_code == 0
    assert (
        "kind: label\n  value: a\n"
        in (project / "tests/regressions/INC-1/incident.yaml").read_text()
    )


def test_outside_a_project(tmp_path: Path) -> None:
    for args in (
        ["add-regression", "INC-1", "--rows", "r.csv", "--no-error"],
        ["regression", "run"],
    ):
        result = runner.invoke(app, [*args, "-p", str(tmp_path)])
        assert result.exit_code == 6
        assert result.stderr == (
            f"Error: no params.yaml in {tmp_path}: run this inside a project made by `mlproj new`, "
            "or give --project DIR.\n"
        )


@pytest.mark.e2e
def test_in_a_generated_project(tmp_path: Path) -> None:
    """A real project: scaffolded, trained by DVC, then an incident big enough for DVC."""
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
    }
    new = [sys.executable, "-m", "mlproj", "new", "demo", "--no-input", "--no-run", "-o", "."]
    subprocess.run(new, cwd=tmp_path, env=env, check=True, capture_output=True)
    project = tmp_path / "demo"
    repro = [sys.executable, "-m", "dvc", "repro", "--quiet", "train"]
    subprocess.run(repro, cwd=project, env=env, check=True, capture_output=True)

    import pandas as pd

    table = pd.read_csv(project / "data" / "raw" / "penguins.csv")
    gentoo = table[table["species"] == "Gentoo"].head(8)
    gentoo.to_csv(tmp_path / "gentoo.csv", index=False)
    result = add(
        project, "INC-1", "--rows", str(tmp_path / "gentoo.csv"), "--expected-column", "species"
    )
    assert result.exit_code == 0, result.stderr
    assert "It is fixed" in result.stdout
    # Over 1 MiB of rows: kept out of git, tracked by DVC.
    big = pd.concat([table] * 100, ignore_index=True).assign(island="Atlantis")
    big.to_csv(tmp_path / "big.csv", index=False)
    result = add(project, "BIG", "--rows", str(tmp_path / "big.csv"), "--no-error")
    assert result.exit_code == 0, result.stderr
    assert "(rows tracked by DVC)" in result.stdout
    assert (project / "tests/regressions/BIG/rows.csv.dvc").is_file()
    result = runner.invoke(app, ["regression", "run", "-p", str(project)])
    assert result.exit_code == 0, result.stderr
    assert "✓ INC-1 fixed, passes" in result.stdout
