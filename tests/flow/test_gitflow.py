"""Gitflow rules that need no pipeline: names, versions, where branches start, early refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlproj.errors import FlowRefused, InvalidFlowName
from mlproj.flow.gitflow import branch_problem, branch_to_check, finish, start
from tests.conftest import git, init_repo, write


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """main and develop, with develop one commit ahead; develop checked out."""
    init_repo(tmp_path)
    write(tmp_path / "dvc.yaml", "stages: {}\n")
    write(tmp_path / "notes.txt", "one\n")
    git(tmp_path, "add", "--all")
    git(tmp_path, "commit", "--quiet", "-m", "first")
    git(tmp_path, "switch", "--quiet", "--create", "develop")
    write(tmp_path / "notes.txt", "one\ntwo\n")
    git(tmp_path, "commit", "--quiet", "-am", "second")
    return tmp_path


def head(repo: Path, ref: str = "HEAD") -> str:
    return git(repo, "rev-parse", ref)


def test_feature_starts_from_develop_even_when_on_main(repo: Path) -> None:
    git(repo, "switch", "--quiet", "main")
    started = start(repo, "feature", "deeper-trees")
    assert (started.branch, started.base) == ("feature/deeper-trees", "develop")
    assert git(repo, "branch", "--show-current") == "feature/deeper-trees"
    assert head(repo) == head(repo, "develop")


def test_hotfix_starts_from_main(repo: Path) -> None:
    start(repo, "hotfix", "0.1.1")
    assert git(repo, "branch", "--show-current") == "hotfix/0.1.1"
    assert head(repo) == head(repo, "main")


def test_uncommitted_work_comes_along_to_a_new_feature(repo: Path) -> None:
    write(repo / "notes.txt", "one\ntwo\nthree\n")
    start(repo, "feature", "more-notes")
    assert (repo / "notes.txt").read_text() == "one\ntwo\nthree\n"


@pytest.mark.parametrize(
    ("kind", "name", "message"),
    [
        ("feature", "has space", "'has space' is not a usable feature name"),
        ("feature", "-x", "'-x' is not a usable feature name"),
        ("bugfix", "a..b", "'a..b' is not a usable bugfix name"),
        ("release", "1.0", "'1.0' is not a semantic version such as 1.2.0 (see semver.org)."),
        ("hotfix", "v1.2.x", "'1.2.x' is not a semantic version such as 1.2.0 (see semver.org)."),
        (
            "support",
            "x",
            "'support' is not a Gitflow branch kind: use feature, bugfix, release, hotfix.",
        ),
    ],
    ids=["space", "leading-dash", "dot-dot", "short-version", "bad-version", "unknown-kind"],
)
def test_bad_names_are_refused_and_nothing_is_created(
    repo: Path, kind: str, name: str, message: str
) -> None:
    before = git(repo, "branch", "--list")
    with pytest.raises(InvalidFlowName) as raised:
        start(repo, kind, name)
    assert str(raised.value).startswith(message)
    assert git(repo, "branch", "--list") == before


def test_a_release_version_accepts_a_leading_v(repo: Path) -> None:
    assert start(repo, "release", "v1.0.0").branch == "release/1.0.0"


def test_a_release_must_be_newer_than_the_latest_tag(repo: Path) -> None:
    git(repo, "tag", "-a", "v1.2.0", "-m", "Release 1.2.0", "main")
    git(repo, "tag", "-a", "v1.10.0", "-m", "Release 1.10.0", "main")
    with pytest.raises(InvalidFlowName) as raised:
        start(repo, "release", "1.9.0")
    assert str(raised.value) == "Version 1.9.0 is not newer than the latest release v1.10.0."
    assert start(repo, "release", "1.10.1-rc.1").branch == "release/1.10.1-rc.1"


def test_one_release_at_a_time(repo: Path) -> None:
    start(repo, "release", "1.0.0")
    with pytest.raises(FlowRefused) as raised:
        start(repo, "release", "1.1.0")
    assert str(raised.value) == (
        "release/1.0.0 is still open: finish it before starting another release."
    )


def test_an_existing_branch_is_not_restarted(repo: Path) -> None:
    start(repo, "feature", "x")
    with pytest.raises(FlowRefused, match=r"^feature/x exists already"):
        start(repo, "feature", "x")


def test_finish_refuses_a_dirty_tree_first(repo: Path) -> None:
    start(repo, "feature", "x")
    write(repo / "notes.txt", "changed\n")
    write(repo / "new.txt", "untracked\n")
    with pytest.raises(FlowRefused) as raised:
        finish(repo, "feature")
    assert str(raised.value) == (
        "Uncommitted changes: notes.txt, new.txt. Commit or stash them, then finish again."
    )
    assert git(repo, "branch", "--show-current") == "feature/x"


def test_finish_refuses_when_not_on_a_branch_of_that_kind(repo: Path) -> None:
    with pytest.raises(FlowRefused) as raised:
        finish(repo, "feature")
    assert str(raised.value) == (
        "You are on develop, not a feature branch: switch to one, or name it: "
        "`mlproj flow feature finish NAME`."
    )


def test_finish_refuses_a_branch_that_does_not_exist(repo: Path) -> None:
    with pytest.raises(FlowRefused, match=r"^There is no branch feature/nope\.$"):
        finish(repo, "feature", "nope")


@pytest.mark.slow
def test_finish_refuses_a_conflicting_merge_before_touching_anything(repo: Path) -> None:
    start(repo, "feature", "x")
    write(repo / "notes.txt", "feature\n")
    git(repo, "commit", "--quiet", "-am", "feature edit")
    git(repo, "switch", "--quiet", "develop")
    write(repo / "notes.txt", "develop\n")
    git(repo, "commit", "--quiet", "-am", "develop edit")
    develop = head(repo, "develop")
    with pytest.raises(FlowRefused) as raised:
        finish(repo, "feature", "x")
    assert str(raised.value) == (
        "Merging feature/x into develop would conflict in notes.txt: merge develop into "
        "feature/x, resolve, commit, then finish again."
    )
    assert head(repo, "develop") == develop
    assert git(repo, "status", "--porcelain") == ""
    # Started on develop: the refusal leaves you there, not on the branch it checked.
    assert git(repo, "branch", "--show-current") == "develop"


def test_outside_a_project(tmp_path: Path) -> None:
    from mlproj.errors import NotAProject

    with pytest.raises(NotAProject, match="is not an mlproj project"):
        start(tmp_path, "feature", "x")


@pytest.mark.parametrize(
    ("branch", "push", "allowed"),
    [
        ("feature/churn", False, True),
        ("bugfix/JIRA-42", False, True),
        ("release/1.2.0", False, True),
        ("hotfix/1.2.1", False, True),
        ("release/next", False, False),
        ("wip", False, False),
        ("feature/", False, False),
        ("main", False, False),
        ("develop", False, False),
        ("main", True, True),
        ("refs/heads/develop", True, True),
        ("refs/tags/v1.0.0", True, True),
        ("refs/heads/my-stuff", True, False),
        (None, False, True),
    ],
)
def test_which_branches_may_take_commits_and_pushes(
    branch: str | None, push: bool, allowed: bool
) -> None:
    assert (branch_problem(branch, push=push) is None) == allowed


def test_the_refusal_says_what_to_do() -> None:
    assert branch_problem("main") == (
        "Commits do not go on main directly: start a branch with "
        "`mlproj flow feature start NAME` (or bugfix, release, hotfix) and finish it."
    )
    assert branch_problem("wip") == (
        "Branch 'wip' is not a Gitflow branch: use feature/NAME, bugfix/NAME, release/X.Y.Z "
        "or hotfix/X.Y.Z (rename it with `git branch -m NEW`)."
    )


def test_a_push_hook_judges_the_branch_being_pushed(repo: Path) -> None:
    assert branch_to_check(repo, {"PRE_COMMIT_LOCAL_BRANCH": "refs/heads/wip"}) == "refs/heads/wip"
    assert branch_to_check(repo, {}) == "develop"


@pytest.mark.parametrize(
    ("report", "line"),
    [
        (
            {"status": "nothing checked", "gates": [{"gate": "margin", "status": "skipped"}]},
            "Quality gates: nothing checked, every gate skipped; skipped: margin",
        ),
        (
            {
                "status": "passed",
                "gates": [
                    {"gate": "margin over simple", "status": "passed"},
                    {"gate": "max drop", "status": "skipped"},
                ],
            },
            "Quality gates passed (1 checked); skipped: max drop",
        ),
        # A report from before `status`: its `passed` is all there is.
        ({"passed": True, "gates": [{"gate": "min r2", "status": "passed"}]}, "Quality gates passed (1 checked)"),
        (None, "Quality gates: not checked (no readable reports/gates.json)"),
    ],
    ids=["nothing-checked", "passed-with-skips", "old-report", "no-report"],
)  # fmt: skip
def test_finish_says_what_the_gates_report_says(
    tmp_path: Path, report: dict[str, object] | None, line: str
) -> None:
    from mlproj.flow.gitflow import _gates_verdict

    (tmp_path / "params.yaml").write_text("paths: {reports: reports}\n")
    if report is not None:
        (tmp_path / "reports").mkdir()
        (tmp_path / "reports" / "gates.json").write_text(json.dumps(report))
    assert _gates_verdict(tmp_path) == line
