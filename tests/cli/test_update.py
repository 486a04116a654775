"""`mlproj update`: exact messages and exit codes, on the tiny template of tests/scaffold."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from mlproj import __version__
from mlproj.cli import app
from tests.conftest import git
from tests.scaffold.tiny import SLUG, commit_all, edit, make_project, make_template

# Each test renders the template or merges in git: the full suite runs them, the fast one skips.
pytestmark = pytest.mark.slow

runner = CliRunner()
BRANCH = f"feature/mlproj-update-{__version__}"


@pytest.fixture
def template(tmp_path: Path) -> Path:
    return make_template(tmp_path / "template")


@pytest.fixture
def project(tmp_path: Path, template: Path) -> Path:
    return make_project(tmp_path, template)


def update(project: Path, template: Path, *args: str) -> Result:
    options = ["--project", str(project), "--template", str(template), *args]
    return runner.invoke(app, ["update", *options])


def test_clean_update_reports_and_commits(project: Path, template: Path) -> None:
    edit(template / SLUG / "README.md", "line three", "line three, template")
    edit(project / "README.md", "line one", "line one, mine")
    commit_all(project, "readme")

    result = update(project, template, "--no-input")

    assert result.exit_code == 0, result.output
    base = git(project, "rev-list", "--max-parents=0", "develop")[:7]
    commit = git(project, "rev-parse", "--short=7", "HEAD")
    assert result.stdout == (
        f"Updating demo from the template of mlproj 0.1.0 to {__version__}, on {BRANCH} "
        "(from develop).\n"
        f"Base: {base}, the commit mlproj new made.\n"
        "Template changes: 2 files (2 modified).\n"
        "Taken from the template (1):\n"
        "  .mlproj-answers.yaml\n"
        "Merged with your changes (1):\n"
        "  README.md\n"
        f"Committed {commit} on {BRANCH}. Review it, run `dvc repro` and the tests, then "
        f"`mlproj flow feature finish mlproj-update-{__version__}`.\n"
    )


def test_conflict_exits_27_with_the_merge_left_in_progress(project: Path, template: Path) -> None:
    edit(template / SLUG / "README.md", "line two", "line two, template")
    edit(project / "README.md", "line two", "line two, mine")
    commit_all(project, "readme")

    result = update(project, template, "--no-input")

    assert result.exit_code == 27
    assert result.stdout.endswith(
        "Conflicts (1):\n  README.md\n"
        "Resolve the conflicts (`git status` lists them), `git add` them and `git commit`; "
        "`git merge --abort` gives up.\n"
    )
    assert result.stderr == (
        f"Error: 1 file in conflict on {BRANCH}: resolve, `git add` and `git commit` "
        "(or `git merge --abort`).\n"
    )
    assert git(project, "ls-files", "-u", "--", "README.md") != ""


def test_dry_run_says_so_and_exits_0(project: Path, template: Path) -> None:
    edit(template / SLUG / "README.md", "line two", "line two, template")
    edit(project / "README.md", "line two", "line two, mine")
    commit_all(project, "readme")

    result = update(project, template, "--dry-run", "--no-input")

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Would update demo from the template of mlproj 0.1.0 to ")
    assert result.stdout.endswith("Conflicts (1):\n  README.md\nDry run: nothing was changed.\n")
    assert git(project, "branch", "--show-current") == "develop"


def test_up_to_date_is_a_no_op(project: Path, template: Path) -> None:
    first = update(project, template, "--no-input")
    assert first.exit_code == 0, first.output
    git(project, "switch", "--quiet", "develop")
    git(project, "merge", "--quiet", "--no-ff", "--no-edit", BRANCH)
    git(project, "branch", "--quiet", "-D", BRANCH)

    result = update(project, template, "--no-input")

    assert result.exit_code == 0
    assert result.stdout == f"Already up to date: demo has the template of mlproj {__version__}.\n"


def test_again_on_an_unfinished_update_branch(project: Path, template: Path) -> None:
    assert update(project, template, "--no-input").exit_code == 0

    result = update(project, template, "--no-input")

    assert result.exit_code == 0
    assert result.stdout == (
        f"Already updated on {BRANCH}: finish it with "
        f"`mlproj flow feature finish mlproj-update-{__version__}`.\n"
    )


def test_new_question_is_prompted(project: Path, template: Path) -> None:
    edit(
        template / "cookiecutter.json",
        '"mlproj_version"',
        '"licence": ["MIT", "BSD"],\n  "mlproj_version"',
    )
    write_licence = template / SLUG / "LICENCE"
    write_licence.write_text("{{ cookiecutter.licence }}\n")

    result = runner.invoke(
        app, ["update", "--project", str(project), "--template", str(template)], input="BSD\n"
    )

    assert result.exit_code == 0, result.output
    assert "licence (MIT, BSD) [MIT]: " in result.stdout
    assert "New answer: licence = BSD\n" in result.stdout
    assert (project / "LICENCE").read_text() == "BSD\n"


def test_dirty_tree_exits_26(project: Path, template: Path) -> None:
    (project / "notes.txt").write_text("draft\n")

    result = update(project, template)

    assert result.exit_code == 26
    assert result.stderr == (
        "Error: Uncommitted changes: notes.txt. Commit or stash them, then update again.\n"
    )


def test_outside_a_project_exits_6(tmp_path: Path, template: Path) -> None:
    result = update(tmp_path, template)

    assert result.exit_code == 6
    assert result.stderr == (
        f"Error: {tmp_path.resolve()} is not a project made by mlproj: "
        "it has no .mlproj-answers.yaml.\n"
    )


def test_unknown_base_exits_26(project: Path, template: Path) -> None:
    result = update(project, template, "--base", "no-such-commit")

    assert result.exit_code == 26
    assert result.stderr == "Error: --base no-such-commit is not a commit of this repository.\n"


def test_added_file_is_said_to_be(project: Path, template: Path) -> None:
    (template / SLUG / "NOTICE.md").write_text("new\n")

    result = update(project, template, "--no-input")

    assert result.exit_code == 0, result.output
    assert "Template changes: 2 files (1 added, 1 modified).\n" in result.stdout
    assert (
        "Taken from the template (2):\n  .mlproj-answers.yaml\n  NOTICE.md (added)\n"
        in result.stdout
    )
