"""Issue 11 item 10 through the CLI: hidden checkboxes, refused finishes, non-ASCII names."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlproj.errors import UserError
from mlproj.scaffold import new as new_module
from mlproj.scaffold.names import derive_names
from tests.conftest import git, init_repo, write
from tests.hostile._cli import assert_one_line_error, invoke

# Each test renders the template or merges in git: the full suite runs them, the fast one skips.
pytestmark = pytest.mark.slow

CHECKLIST = "items:\n  - id: tests\n    text: Tests pass\n"
TICKED = "- [x] Tests pass <!-- review:tests -->\n"
INCOMPLETE = (
    "Error: 1 required review item(s) not ticked: tick them in the description "
    "(restore deleted ones from the pull request template).\n"
)


@pytest.mark.parametrize(
    ("body", "ticked"),
    [
        ("Intro\n```\ncode\n" + TICKED, False),
        ("Intro\n~~~python\ncode\n" + TICKED, False),
        ("Intro\n````\n```\n" + TICKED, False),
        ("Intro\n```\n~~~\n" + TICKED, False),
        ("Intro\n```\n``` not a close\n" + TICKED, False),
        ("Intro\n   ```\ncode\n" + TICKED, False),
        ("Intro\n<!-- a comment never closed\n- [x] Tests pass\n", False),
        ("Intro\r\n```\r\ncode\r\n" + TICKED.replace("\n", "\r\n"), False),
        ("Intro\r```\rcode\r" + TICKED.replace("\n", "\r"), False),
        ("Intro\n```\ncode\n```\n" + TICKED, True),
        ("Intro\n````\n```\n````\n" + TICKED, True),
        ("Intro\n<!-- closed -->\n" + TICKED, True),
        ("```inline``` is not a fence\n" + TICKED, True),
    ],
    ids=[
        "unclosed-backticks",
        "unclosed-tildes",
        "longer-fence-not-closed-by-shorter",
        "backticks-not-closed-by-tildes",
        "close-with-info-string-is-no-close",
        "indented-unclosed-fence",
        "unclosed-comment",
        "crlf-unclosed-fence",
        "cr-unclosed-fence",
        "closed-fence",
        "closed-longer-fence",
        "closed-comment",
        "inline-code",
    ],
)
def test_boxes_a_reader_cannot_see_are_not_ticked(tmp_path: Path, body: str, ticked: bool) -> None:
    write(tmp_path / "review-checklist.yaml", CHECKLIST)
    description = write(tmp_path / "body.md", body.encode())
    result = invoke(["review", "check", str(description), "-p", str(tmp_path)])
    if ticked:
        assert result.exit_code == 0, result.output
    else:
        assert_one_line_error(result, 14, "not ticked")
        assert result.stderr == INCOMPLETE
        assert result.stdout == "✗ missing from the description: Tests pass\n"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """main and develop, and feature/x whose edit conflicts with develop's."""
    init_repo(tmp_path)
    write(tmp_path / "dvc.yaml", "stages: {}\n")
    write(tmp_path / "notes.txt", "one\n")
    git(tmp_path, "add", "--all")
    git(tmp_path, "commit", "--quiet", "-m", "first")
    git(tmp_path, "switch", "--quiet", "--create", "develop")
    git(tmp_path, "switch", "--quiet", "--create", "feature/x")
    write(tmp_path / "notes.txt", "feature\n")
    git(tmp_path, "commit", "--quiet", "-am", "feature edit")
    git(tmp_path, "switch", "--quiet", "develop")
    return tmp_path


def conflict(repo: Path) -> None:
    write(repo / "notes.txt", "develop\n")
    git(repo, "commit", "--quiet", "-am", "develop edit")


@pytest.mark.parametrize(
    ("start", "make_conflict", "exit_code", "says"),
    [
        ("develop", True, 13, "would conflict in notes.txt"),
        ("main", True, 13, "would conflict in notes.txt"),
        ("detached", True, 13, "would conflict in notes.txt"),
        ("develop", False, 6, "params.yaml"),
        ("main", False, 6, "params.yaml"),
    ],
    ids=[
        "conflict-from-develop",
        "conflict-from-main",
        "conflict-from-detached-head",
        "later-check-from-develop",
        "later-check-from-main",
    ],
)
def test_a_refused_finish_leaves_you_where_you_started(
    repo: Path, start: str, make_conflict: bool, exit_code: int, says: str
) -> None:
    if make_conflict:
        conflict(repo)
    if start == "detached":
        git(repo, "switch", "--quiet", "--detach", "main")
    else:
        git(repo, "switch", "--quiet", start)
    before = git(repo, "rev-parse", "HEAD")
    branch = git(repo, "branch", "--show-current")
    result = invoke(["flow", "feature", "finish", "x", "-p", str(repo)])
    assert result.exit_code == exit_code, result.output
    assert says in result.stderr and "Traceback" not in result.output
    assert git(repo, "branch", "--show-current") == branch
    assert git(repo, "rev-parse", "HEAD") == before
    assert git(repo, "status", "--porcelain") == ""


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("café-модель", "cafe-model"),
        ("Ünïcödé Project", "unicode-project"),
        ("Straße 2", "strasse-2"),
        ("modèle_prix", "modele-prix"),
    ],
    ids=["french-russian", "umlauts", "eszett", "accent-underscore"],
)
def test_a_non_ascii_name_is_transliterated_and_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, slug: str
) -> None:
    assert derive_names(name).slug == slug

    def stop(staging: Path, context: dict[str, str]) -> Path:
        raise UserError("stopped before rendering", exit_code=99)

    monkeypatch.setattr(new_module, "render_template", stop)
    result = invoke(["new", name, "--no-input", "--no-run", "-o", str(tmp_path)])
    assert result.exit_code == 99
    package = slug.replace("-", "_")
    assert f"Folder {slug}, package {package}: {name!r} spelt in ASCII" in result.stdout
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "name", ["🚀", "!!!", "\u200b", "..."], ids=["emoji", "bang", "zero-width", "dots"]
)
def test_a_name_with_nothing_to_spell_is_refused(tmp_path: Path, name: str) -> None:
    result = invoke(["new", name, "--no-input", "--no-run", "-o", str(tmp_path)])
    assert_one_line_error(result, 2, "Project name")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("payload", "says"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "is not a JSON event payload: nested too deeply."),
        (b'{"pull_request": ', "is not a JSON event payload: Expecting value."),
        (b'{"pull_request": "x"}', "is not a pull request event"),
        (b"\xff\xfe{}", "Cannot read"),
    ],
    ids=["deep-nesting", "truncated", "not-a-pull-request", "not-utf-8"],
)
def test_a_hostile_event_payload_is_one_line(tmp_path: Path, payload: bytes, says: str) -> None:
    write(tmp_path / "review-checklist.yaml", CHECKLIST)
    event = write(tmp_path / "event.json", payload)
    result = invoke(
        ["review", "check", "-p", str(tmp_path)],
        env={"GITHUB_EVENT_PATH": str(event), "CI_MERGE_REQUEST_DESCRIPTION": ""},
    )
    assert_one_line_error(result, 1, "event.json", says)


@pytest.mark.parametrize(
    "payload", [b"[" * 100_000 + b"]" * 100_000, b'{"pull_request": {"number": "x"}}', b"\xff"]
)
def test_review_post_with_a_hostile_event_payload(tmp_path: Path, payload: bytes) -> None:
    event = write(tmp_path / "event.json", payload)
    report = write(tmp_path / "report.md", "# Review\n")
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": "acme/churn",
        "GITHUB_TOKEN": "t",
    }
    result = invoke(["review", "post", str(report)], env=env)
    assert_one_line_error(result, 1, "event.json", "is not a pull request event")
