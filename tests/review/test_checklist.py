"""The review checklist: rendered from one file, enforced on a pull request's description."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlproj.errors import ChecklistIncomplete, ConfigError, UserError
from mlproj.review.checklist import (
    GITHUB_TEMPLATE,
    GITLAB_TEMPLATE,
    check_body,
    load_checklist,
    read_body,
    render_template,
    render_templates,
)
from mlproj.scaffold.new import template_dir
from tests.conftest import write

SHIPPED = template_dir() / "{{cookiecutter.project_slug}}" / "review-checklist.yaml"
CHECKLIST = """\
intro: "## What and why"
items:
  - id: code-reviewed
    text: Code reviewed
  - id: analysis-reviewed
    text: "Analysis reviewed: metrics, plots and explanations looked at"
  - id: extra
    text: Benchmarks run
    required: false
sections: [Notes]
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write(tmp_path / "review-checklist.yaml", CHECKLIST)
    return tmp_path


def body_with(project: Path, ticked: set[str]) -> str:
    """The rendered template with the boxes of TICKED item ids ticked."""
    lines = []
    for line in render_template(load_checklist(project)).splitlines():
        if any(f"review:{item} " in line for item in ticked):
            line = line.replace("- [ ]", "- [x]", 1)
        lines.append(line)
    return "\n".join(lines)


def test_the_shipped_checklist_covers_what_review_needs() -> None:
    items = load_checklist(SHIPPED.parent).items
    assert [item.id for item in items] == [
        "code-reviewed",
        "analysis-reviewed",
        "data-documented",
        "incidents-added",
        "model-card-updated",
    ]
    assert all(item.required for item in items)


def test_all_required_items_ticked_passes(project: Path) -> None:
    result = check_body(
        load_checklist(project), body_with(project, {"code-reviewed", "analysis-reviewed"})
    )
    assert result.complete
    assert [item.id for item in result.checked] == ["code-reviewed", "analysis-reviewed"]
    assert result.check() is result


def test_one_unticked_item_is_named(project: Path) -> None:
    result = check_body(load_checklist(project), body_with(project, {"code-reviewed"}))
    assert [item.id for item in result.unchecked] == ["analysis-reviewed"]
    assert not result.missing
    with pytest.raises(ChecklistIncomplete, match=r"^1 required review item"):
        result.check()


def test_an_item_deleted_from_the_body_is_missing(project: Path) -> None:
    body = "\n".join(
        line
        for line in body_with(project, {"code-reviewed", "analysis-reviewed"}).splitlines()
        if "analysis-reviewed" not in line
    )
    result = check_body(load_checklist(project), body)
    assert [item.id for item in result.missing] == ["analysis-reviewed"]
    assert not result.complete


def test_an_empty_body_misses_every_required_item(project: Path) -> None:
    result = check_body(load_checklist(project), "")
    assert [item.id for item in result.missing] == ["code-reviewed", "analysis-reviewed"]


def test_optional_items_never_block(project: Path) -> None:
    result = check_body(
        load_checklist(project), body_with(project, {"code-reviewed", "analysis-reviewed"})
    )
    assert "extra" not in {item.id for item in result.unchecked + result.missing}


def test_items_are_matched_by_marker_when_reworded_and_by_text_without_marker(
    project: Path,
) -> None:
    body = (
        "- [X] Code was reviewed by Sam <!-- review:code-reviewed -->\n"
        "* [x]   analysis reviewed:  metrics, plots and explanations looked at\n"
    )
    assert check_body(load_checklist(project), body).complete


def test_ticks_hidden_in_comments_or_code_blocks_do_not_count(project: Path) -> None:
    all_ticked = body_with(project, {"code-reviewed", "analysis-reviewed"}).splitlines()
    # Without their markers: HTML comments do not nest, a marker's `-->` would end the comment.
    ticked = "\n".join(line.split("<!--")[0] for line in all_ticked if line.startswith("- [x]"))
    hidden = f"<!--\n{ticked}\n-->\n```\n{ticked}\n```\n" + body_with(project, set())
    result = check_body(load_checklist(project), hidden)
    assert [item.id for item in result.unchecked] == ["code-reviewed", "analysis-reviewed"]


def test_windows_line_endings_are_read(project: Path) -> None:
    body = body_with(project, {"code-reviewed", "analysis-reviewed"}).replace("\n", "\r\n")
    assert check_body(load_checklist(project), body).complete


def test_render_writes_both_templates_then_reports_them_current(project: Path) -> None:
    assert render_templates(project) == [GITHUB_TEMPLATE, GITLAB_TEMPLATE]
    github = (project / GITHUB_TEMPLATE).read_text()
    assert github == (project / GITLAB_TEMPLATE).read_text()
    assert "- [ ] Code reviewed <!-- review:code-reviewed -->" in github
    assert "- [ ] Benchmarks run (optional) <!-- review:extra -->" in github
    assert github.index("## Review checklist") < github.index("## Notes")
    assert render_templates(project, check=True) == []
    assert render_templates(project) == []


def test_render_check_names_stale_templates_and_writes_nothing(project: Path) -> None:
    render_templates(project)
    write(project / "review-checklist.yaml", CHECKLIST.replace("Code reviewed", "Code read"))
    with pytest.raises(ConfigError) as raised:
        render_templates(project, check=True)
    assert str(raised.value) == (
        ".github/pull_request_template.md, .gitlab/merge_request_templates/Default.md do not "
        "match review-checklist.yaml: run `mlproj review render` and commit them."
    )
    assert "Code reviewed" in (project / GITHUB_TEMPLATE).read_text()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("items: []\n", "needs a non-empty `items:` list."),
        ("items: [{id: a}]\n", "item 1 needs `id:` and `text:`."),
        (
            "items: [{id: Bad Id, text: x}]\n",
            "item 1 id 'Bad Id' must be lowercase letters, digits and '-'.",
        ),
        ("items: [{id: a, text: x}, {id: a, text: y}]\n", "item id 'a' appears twice."),
        (
            "items: [{id: a, text: x, required: maybe}]\n",
            "item 'a' has `required: maybe`; use true/false.",
        ),
    ],
    ids=["empty", "no-text", "bad-id", "duplicate", "bad-required"],
)
def test_bad_checklists_are_refused_naming_the_entry(
    tmp_path: Path, text: str, message: str
) -> None:
    write(tmp_path / "review-checklist.yaml", text)
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("(", r"\(")):
        load_checklist(tmp_path)


def test_missing_checklist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"review-checklist\.yaml is missing"):
        load_checklist(tmp_path)


def test_body_from_a_github_event_payload(tmp_path: Path) -> None:
    event = write(tmp_path / "event.json", json.dumps({"pull_request": {"body": "- [x] a"}}))
    assert read_body(None, {"GITHUB_EVENT_PATH": str(event)}) == "- [x] a"


def test_a_null_body_in_the_payload_is_empty(tmp_path: Path) -> None:
    event = write(tmp_path / "event.json", json.dumps({"pull_request": {"body": None}}))
    assert read_body(None, {"GITHUB_EVENT_PATH": str(event)}) == ""


def test_a_push_event_has_no_description(tmp_path: Path) -> None:
    event = write(tmp_path / "event.json", json.dumps({"ref": "refs/heads/main"}))
    with pytest.raises(UserError, match="is not a pull request event"):
        read_body(None, {"GITHUB_EVENT_PATH": str(event)})


def test_body_from_gitlab_and_its_truncation() -> None:
    assert read_body(None, {"CI_MERGE_REQUEST_DESCRIPTION": "text"}) == "text"
    with pytest.raises(UserError, match="GitLab cut this merge request's description short"):
        read_body(
            None,
            {
                "CI_MERGE_REQUEST_DESCRIPTION": "t",
                "CI_MERGE_REQUEST_DESCRIPTION_IS_TRUNCATED": "true",
            },
        )


def test_no_source_at_all() -> None:
    with pytest.raises(UserError, match=r"^No description to check"):
        read_body(None, {})
