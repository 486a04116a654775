"""`mlproj update` on a tiny template and project: what is merged, kept, refused and reported."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mlproj import __version__
from mlproj.errors import NotAProject, UpdateRefused, UserError
from mlproj.scaffold.update import UpdateResult, prepare_update, update_project
from tests.conftest import git, write
from tests.scaffold.tiny import SLUG, commit_all, edit, make_project, make_template

# Each test renders the template or merges in git: the full suite runs them, the fast one skips.
pytestmark = pytest.mark.slow

BRANCH = f"feature/mlproj-update-{__version__}"


@pytest.fixture
def template(tmp_path: Path) -> Path:
    """The template as a newer mlproj ships it: the tests edit it after the project is made."""
    return make_template(tmp_path / "template")


@pytest.fixture
def project(tmp_path: Path, template: Path) -> Path:
    return make_project(tmp_path, template)


def update(project: Path, template: Path, **options: object) -> UpdateResult:
    dry_run = bool(options.pop("dry_run", False))
    prepared = prepare_update(project, template=template, dry_run=dry_run)
    return update_project(prepared, options)  # type: ignore[arg-type]


def test_template_change_taken_user_change_kept(project: Path, template: Path) -> None:
    edit(template / SLUG / "README.md", "line one", "line one, from the template")
    edit(project / "conf" / "split.yaml", "folds: 5", "folds: 10")
    commit_all(project, "more folds")

    result = update(project, template)

    assert "README.md" in result.taken and result.conflicts == ()
    assert (result.version_from, result.version_to) == ("0.1.0", __version__)
    assert git(project, "branch", "--show-current") == BRANCH
    assert git(project, "status", "--porcelain") == ""
    assert "line one, from the template" in (project / "README.md").read_text()
    assert "folds: 10" in (project / "conf" / "split.yaml").read_text()
    assert (project / "params.yaml").read_text() == "seed: 0\n"  # generated: not the template's
    assert result.committed == git(project, "rev-parse", "HEAD")
    assert len(git(project, "log", "-1", "--format=%P").split()) == 2  # the render is a parent


def test_both_sides_merge_cleanly_when_apart(project: Path, template: Path) -> None:
    edit(template / SLUG / "README.md", "line three", "line three, template")
    edit(project / "README.md", "line one", "line one, mine")
    commit_all(project, "readme")

    result = update(project, template)

    assert result.merged == ("README.md",) and result.conflicts == ()
    text = (project / "README.md").read_text()
    assert "line one, mine" in text and "line three, template" in text


def test_conflict_is_an_unmerged_index_with_markers(project: Path, template: Path) -> None:
    edit(template / SLUG / "README.md", "line two", "line two, template")
    edit(project / "README.md", "line two", "line two, mine")
    commit_all(project, "readme")

    result = update(project, template)

    assert result.conflicts == ("README.md",) and result.committed is None
    assert {line.split()[2] for line in git(project, "ls-files", "-u").splitlines()} == {
        "1",
        "2",
        "3",
    }
    text = (project / "README.md").read_text()
    assert f"<<<<<<< {BRANCH}\nline two, mine\n=======\nline two, template\n>>>>>>> mlproj" in text
    assert "You have unmerged paths" in git(project, "status")
    assert not list(project.rglob("*.rej"))

    git(project, "checkout", "--theirs", "README.md")
    git(project, "add", "README.md")
    git(project, "commit", "--quiet", "--no-edit")
    again = update(project, template)
    assert again.up_to_date and again.pending_on_branch


def test_merge_abort_gives_the_branch_back(project: Path, template: Path) -> None:
    edit(template / SLUG / "README.md", "line two", "line two, template")
    edit(project / "README.md", "line two", "line two, mine")
    commit_all(project, "readme")
    before = git(project, "rev-parse", "develop")

    update(project, template)
    git(project, "merge", "--abort")

    assert git(project, "status", "--porcelain") == ""
    assert git(project, "rev-parse", "HEAD") == before

    again = update(project, template)  # the empty branch left behind is made again
    assert again.conflicts == ("README.md",)


def test_file_the_user_deleted_stays_deleted(project: Path, template: Path) -> None:
    edit(template / SLUG / "{{cookiecutter.package_name}}" / "stages" / "train.py", "1", "2")
    git(project, "rm", "--quiet", "demo/stages/train.py")
    commit_all(project, "no train stage")

    result = update(project, template)

    assert result.kept_deleted == ("demo/stages/train.py",) and result.conflicts == ()
    assert not (project / "demo" / "stages" / "train.py").exists()
    assert result.committed


def test_new_template_file_is_added(project: Path, template: Path) -> None:
    write(template / SLUG / "NOTICE.md", "new\n")

    result = update(project, template)

    assert [(c.status, c.path) for c in result.changes if c.path == "NOTICE.md"] == [
        ("added", "NOTICE.md")
    ]
    assert (project / "NOTICE.md").read_text() == "new\n"


def test_updating_twice_is_a_no_op(project: Path, template: Path) -> None:
    edit(template / SLUG / "README.md", "line one", "line one, from the template")
    first = update(project, template)
    git(project, "switch", "--quiet", "develop")
    git(project, "merge", "--quiet", "--no-ff", "--no-edit", first.branch)
    git(project, "branch", "--quiet", "-D", first.branch)
    head = git(project, "rev-parse", "HEAD")

    second = update(project, template)

    assert second.up_to_date and not second.pending_on_branch
    assert git(project, "rev-parse", "HEAD") == head
    assert git(project, "branch", "--list", "feature/*") == ""


def test_second_update_merges_from_the_first_render(project: Path, template: Path) -> None:
    edit(template / SLUG / "README.md", "line one", "line one, v2")
    first = update(project, template)
    git(project, "switch", "--quiet", "develop")
    git(project, "merge", "--quiet", "--no-ff", "--no-edit", first.branch)
    git(project, "branch", "--quiet", "-D", first.branch)
    edit(project / "README.md", "line one, v2", "line one, v2 and mine")
    commit_all(project, "readme")
    edit(template / SLUG / "README.md", "line three", "line three, v3")

    second = update(project, template)

    assert second.base.recorded and second.conflicts == ()
    assert [c.path for c in second.changes] == ["README.md"]
    text = (project / "README.md").read_text()
    assert "line one, v2 and mine" in text and "line three, v3" in text


def test_dry_run_changes_nothing(project: Path, template: Path) -> None:
    edit(template / SLUG / "README.md", "line two", "line two, template")
    edit(project / "README.md", "line two", "line two, mine")
    commit_all(project, "readme")
    refs = git(project, "show-ref")
    objects = git(project, "count-objects")

    result = update(project, template, dry_run=True)

    assert result.dry_run and result.conflicts == ("README.md",)
    assert git(project, "show-ref") == refs and git(project, "count-objects") == objects
    assert git(project, "status", "--porcelain") == ""
    assert git(project, "branch", "--show-current") == "develop"


def test_project_made_by_0_1_0_found_by_its_first_commit(tmp_path: Path, template: Path) -> None:
    project = make_project(tmp_path, template, trailer=False)
    edit(template / SLUG / "README.md", "line one", "line one, v2")

    result = update(project, template)

    assert not result.base.recorded
    assert result.base.commit == git(project, "rev-list", "--max-parents=0", "develop")


def test_own_data_project_gets_no_ingest_stage(tmp_path: Path, template: Path) -> None:
    project = make_project(tmp_path, template, own_data=True)
    edit(template / SLUG / "README.md", "line one", "line one, v2")

    result = update(project, template)

    assert "demo/stages/ingest.py" not in {c.path for c in result.changes}
    assert not (project / "demo" / "stages" / "ingest.py").exists()


def test_new_question_takes_its_default_or_the_answer(project: Path, template: Path) -> None:
    edit(
        template / "cookiecutter.json",
        '"mlproj_version"',
        '"licence": ["MIT", "BSD"],\n  "mlproj_version"',
    )
    write(template / SLUG / "LICENCE", "{{ cookiecutter.licence }}\n")

    prepared = prepare_update(project, template=template)
    assert [(q.name, q.default, q.choices) for q in prepared.questions] == [
        ("licence", "MIT", ("MIT", "BSD"))
    ]
    with pytest.raises(UpdateRefused, match=r"^licence 'GPL' is not one of: MIT, BSD\.$"):
        update_project(prepared, {"licence": "GPL"})
    update_project(prepared, {"licence": "BSD"})
    assert (project / "LICENCE").read_text() == "BSD\n"


def test_dirty_tree_refused(project: Path, template: Path) -> None:
    edit(project / "README.md", "line one", "changed")

    with pytest.raises(UpdateRefused) as refused:
        prepare_update(project, template=template)

    assert str(refused.value) == (
        "Uncommitted changes: README.md. Commit or stash them, then update again."
    )


def test_outside_a_project_refused(tmp_path: Path, template: Path) -> None:
    with pytest.raises(NotAProject, match=r"it has no \.mlproj-answers\.yaml"):
        prepare_update(tmp_path, template=template)


def test_no_base_in_history_refused(project: Path, template: Path) -> None:
    git(project, "commit", "--quiet", "--amend", "-m", "Initial import")

    with pytest.raises(UpdateRefused, match=r"^No commit made by mlproj new or mlproj update"):
        prepare_update(project, template=template)


def test_existing_update_branch_refused(project: Path, template: Path) -> None:
    edit(template / SLUG / "README.md", "line one", "line one, v2")
    git(project, "switch", "--quiet", "--create", BRANCH)
    git(project, "commit", "--quiet", "--allow-empty", "-m", "work in progress")

    with pytest.raises(UpdateRefused, match=f"^{BRANCH} exists already"):
        update(project, template)


def test_template_syntax_in_answers_stays_literal(project: Path, template: Path) -> None:
    edit(project / ".mlproj-answers.yaml", '"A tiny project."', '"{{ 7 * 7 }}"')
    commit_all(project, "a description that looks like a template")
    edit(template / SLUG / "README.md", "line one", "line one, v2")

    update(project, template)

    assert "{{ 7 * 7 }}" in (project / ".mlproj-answers.yaml").read_text()
    assert "49" not in (project / ".mlproj-answers.yaml").read_text()


def test_template_without_cookiecutter_json_refused(project: Path, tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"is not a template: no cookiecutter\.json"):
        prepare_update(project, template=tmp_path)


def test_shipped_template_renders_for_an_update(project: Path) -> None:
    """The installed template (no --template) renders from a project's recorded answers."""
    shutil.rmtree(project / "conf")
    commit_all(project, "no conf")
    result = update(project, None, dry_run=True)  # type: ignore[arg-type]
    assert any(c.path == "dvc.yaml" for c in result.changes)


def test_base_given_explicitly(project: Path, template: Path) -> None:
    first = git(project, "rev-parse", "develop")
    git(project, "commit", "--quiet", "--amend", "-m", "Initial import")
    edit(template / SLUG / "README.md", "line one", "line one, v2")

    prepared = prepare_update(project, template=template, base=first)
    result = update_project(prepared)

    assert result.base.description == f"{first[:7]}, given with --base"
    assert "README.md" in result.taken


PYPROJECT = '[project]\nname = "demo"\ndependencies = []\n\n[project.optional-dependencies]\ndev = ["pytest>=8"]\n'


def test_a_project_without_a_lock_gets_one_with_the_update(project: Path, template: Path) -> None:
    """The template's CI installs requirements.txt, which older projects never had."""
    write(template / SLUG / "pyproject.toml", PYPROJECT)

    result = update(project, template)

    assert result.written == ("requirements.txt",) and result.conflicts == ()
    assert "requirements.txt" in git(project, "ls-files").split()
    assert git(project, "status", "--porcelain") == ""
    assert "\npytest==" in (project / "requirements.txt").read_text()


def test_an_existing_lock_is_the_projects_own(project: Path, template: Path) -> None:
    write(project / "requirements.txt", "pytest==8.0.0\n")
    commit_all(project, "my own lock")
    write(template / SLUG / "pyproject.toml", PYPROJECT)

    result = update(project, template)

    assert result.written == ()
    assert (project / "requirements.txt").read_text() == "pytest==8.0.0\n"


def test_the_offline_plots_page_is_configured_when_it_arrives(
    project: Path, template: Path
) -> None:
    """`mlproj new` sets plots.html_template; an older project gets it with the page."""
    write(project / ".dvc" / "config", "[core]\n    analytics = false\n")
    commit_all(project, "dvc")
    write(template / SLUG / ".dvc" / "plots" / "offline.html", "<html>{plot_divs}</html>\n")

    result = update(project, template)

    assert ".dvc/config" in result.written and result.conflicts == ()
    assert "html_template = plots/offline.html" in (project / ".dvc" / "config").read_text()
    assert git(project, "status", "--porcelain") == ""
