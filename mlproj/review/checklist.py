"""The review checklist: declared once in `review-checklist.yaml`, rendered, and enforced.

The file is rendered into GitHub's pull request template and GitLab's merge request template;
`check_body` reads a description and finds each required item that is unchecked or was deleted.
Each rendered item carries an invisible `<!-- review:ID -->` marker, so rewording an item's text
in a description does not lose it; an item whose marker was removed is matched by its text.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlproj._core import atomic
from mlproj._core.text import brief
from mlproj._core.yamlio import load_yaml
from mlproj.errors import ChecklistIncomplete, ConfigError, UserError

CHECKLIST_FILE = "review-checklist.yaml"
GITHUB_TEMPLATE = Path(".github/pull_request_template.md")
GITLAB_TEMPLATE = Path(".gitlab/merge_request_templates/Default.md")
TEMPLATES = (GITHUB_TEMPLATE, GITLAB_TEMPLATE)

ITEM_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
MARKER = re.compile(r"<!--\s*review:([a-z0-9-]+)\s*-->")
CHECKBOX = re.compile(r"^\s*[-*+]\s+\[([ xX])\]\s+(.*)$")
# Text a reader never sees: HTML comments other than item markers. As CommonMark renders
# them, one left open hides everything after it, and so does an unclosed code fence.
HIDDEN = re.compile(r"<!--(?!\s*review:)[\s\S]*?(?:-->|\Z)")
FENCE = re.compile(r"\s*(`{3,}|~{3,})")


@dataclass(frozen=True)
class Item:
    """One checklist item: a stable id, the text a reviewer reads, and whether it blocks."""

    id: str
    text: str
    required: bool = True


@dataclass(frozen=True)
class Checklist:
    """The project's checklist and the sections its templates open with."""

    intro: str
    sections: tuple[str, ...]
    items: tuple[Item, ...]


@dataclass(frozen=True)
class CheckResult:
    """Required items a description leaves unchecked, and those missing from it altogether."""

    checked: tuple[Item, ...]
    unchecked: tuple[Item, ...]
    missing: tuple[Item, ...]

    @property
    def complete(self) -> bool:
        """True when every required item is present and checked."""
        return not self.unchecked and not self.missing

    def check(self) -> CheckResult:
        """Return self, or raise `ChecklistIncomplete` counting what is left to tick."""
        if not self.complete:
            count = len(self.unchecked) + len(self.missing)
            raise ChecklistIncomplete(
                f"{count} required review item(s) not ticked: tick them in the description "
                "(restore deleted ones from the pull request template)."
            )
        return self


def load_checklist(project: Path) -> Checklist:
    """Read and validate `review-checklist.yaml`, naming the entry at fault."""
    path = project / CHECKLIST_FILE
    try:
        data = load_yaml(path)
    except FileNotFoundError:
        raise ConfigError(f"{path} is missing: it declares the review checklist.") from None
    if not isinstance(data, dict) or not isinstance(data.get("items"), list) or not data["items"]:
        raise ConfigError(f"{path} needs a non-empty `items:` list.")
    items = tuple(_item(entry, index, path) for index, entry in enumerate(data["items"], 1))
    seen: set[str] = set()
    for item in items:
        if item.id in seen:
            raise ConfigError(f"{path}: item id {item.id!r} appears twice.")
        seen.add(item.id)
    sections = data.get("sections") or []
    if not isinstance(sections, list) or not all(isinstance(s, str) for s in sections):
        raise ConfigError(f"{path}: `sections:` must be a list of headings.")
    return Checklist(
        intro=str(data.get("intro") or "").strip(), sections=tuple(sections), items=items
    )


def render_template(checklist: Checklist) -> str:
    """The pull/merge request template: the intro, the checklist, then the free-text sections."""
    lines = [
        f"<!-- Rendered from {CHECKLIST_FILE} by `mlproj review render`: edit that file, "
        "not this one. CI fails the pull request while a required box is unticked. -->",
        "",
    ]
    if checklist.intro:
        lines += [checklist.intro, ""]
    # The checklist comes before the free text: GitLab cuts long descriptions it hands to CI.
    lines += ["## Review checklist", ""]
    for item in checklist.items:
        optional = "" if item.required else " (optional)"
        lines.append(f"- [ ] {item.text}{optional} <!-- review:{item.id} -->")
    for section in checklist.sections:
        lines += ["", f"## {section}", ""]
    return "\n".join(lines) + "\n"


def render_templates(project: Path, *, check: bool = False) -> list[Path]:
    """Write both templates from the checklist; return those that changed (or, with CHECK, differ).

    CHECK writes nothing and raises `ConfigError` when a template is out of date.
    """
    text = render_template(load_checklist(project))
    stale = [path for path in TEMPLATES if _read(project / path) != text]
    if check and stale:
        names = ", ".join(str(p) for p in stale)
        raise ConfigError(
            f"{names} do not match {CHECKLIST_FILE}: run `mlproj review render` and commit them."
        )
    if not check:
        for path in stale:
            atomic.write_text(project / path, text)
    return stale


def check_body(checklist: Checklist, body: str) -> CheckResult:
    """Judge a pull request description against the required items."""
    boxes = _checkboxes(body)
    checked, unchecked, missing = [], [], []
    for item in checklist.items:
        if not item.required:
            continue
        ticked = boxes.get(item.id, boxes.get(_normal(item.text)))
        if ticked is None:
            missing.append(item)
        elif ticked:
            checked.append(item)
        else:
            unchecked.append(item)
    return CheckResult(tuple(checked), tuple(unchecked), tuple(missing))


def read_body(source: str | None, environ: Mapping[str, str] | None = None) -> str:
    """A description from a file, `-` (stdin), GitHub's event payload, or GitLab's variable.

    With no SOURCE, `GITHUB_EVENT_PATH` wins, then `CI_MERGE_REQUEST_DESCRIPTION`.
    """
    env = os.environ if environ is None else environ
    if source == "-":
        return sys.stdin.read()
    if source is not None:
        return _read_file(Path(source))
    if env.get("GITHUB_EVENT_PATH"):
        return _body_from_event(Path(env["GITHUB_EVENT_PATH"]))
    if "CI_MERGE_REQUEST_DESCRIPTION" in env:
        if env.get("CI_MERGE_REQUEST_DESCRIPTION_IS_TRUNCATED") == "true":
            raise UserError(
                "GitLab cut this merge request's description short for CI: shorten the text "
                "above the checklist, then run the pipeline again."
            )
        return env["CI_MERGE_REQUEST_DESCRIPTION"]
    raise UserError(
        "No description to check: give a file, `-` for stdin, or run in a pull request "
        "pipeline (GITHUB_EVENT_PATH or CI_MERGE_REQUEST_DESCRIPTION)."
    )


def _body_from_event(path: Path) -> str:
    try:
        event: Any = json.loads(_read_file(path))
    except json.JSONDecodeError as exc:
        raise UserError(f"{path} is not a JSON event payload: {exc.msg}.") from None
    except RecursionError:
        raise UserError(f"{path} is not a JSON event payload: nested too deeply.") from None
    request = event.get("pull_request") if isinstance(event, dict) else None
    if not isinstance(request, dict):
        raise UserError(f"{path} is not a pull request event: there is no description to check.")
    return str(request.get("body") or "")


def _checkboxes(body: str) -> dict[str, bool]:
    """Every visible task-list line, keyed by its item marker and by its normalised text."""
    found: dict[str, bool] = {}
    for line in _visible_lines(body):
        match = CHECKBOX.match(line)
        if not match:
            continue
        ticked = match.group(1) in "xX"
        text = match.group(2)
        marker = MARKER.search(text)
        if marker:
            found.setdefault(marker.group(1), ticked)
        found.setdefault(_normal(text), ticked)
    return found


def _visible_lines(body: str) -> list[str]:
    """The lines a reader sees rendered: outside comments and code fences, closed or not."""
    lines: list[str] = []
    fence: str | None = None
    for line in HIDDEN.sub("", body.replace("\r\n", "\n").replace("\r", "\n")).split("\n"):
        opening = FENCE.match(line)
        if fence is None:
            if opening and not (opening.group(1)[0] == "`" and "`" in line[opening.end() :]):
                fence = opening.group(1)
            else:
                lines.append(line)
        elif _closes(opening, line, fence):
            fence = None
    return lines


def _closes(opening: re.Match[str] | None, line: str, fence: str) -> bool:
    """Whether LINE closes FENCE: the same character, at least as long, nothing after it."""
    if opening is None:
        return False
    marks = opening.group(1)
    return marks[0] == fence[0] and len(marks) >= len(fence) and not line[opening.end() :].strip()


def _normal(text: str) -> str:
    return " ".join(MARKER.sub("", text).replace("(optional)", "").split()).casefold()


def _item(entry: object, index: int, path: Path) -> Item:
    if not isinstance(entry, dict) or not isinstance(entry.get("text"), str):
        raise ConfigError(f"{path}: item {index} needs `id:` and `text:`.")
    item_id = str(entry.get("id", ""))
    if not ITEM_ID.fullmatch(item_id):
        raise ConfigError(
            f"{path}: item {index} id {brief(item_id)} must be lowercase letters, digits and '-'."
        )
    required = entry.get("required", True)
    if not isinstance(required, bool):
        raise ConfigError(f"{path}: item {item_id!r} has `required: {required}`; use true/false.")
    return Item(id=item_id, text=" ".join(entry["text"].split()), required=required)


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def _read_file(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"Cannot read {path}: {getattr(exc, 'strerror', None) or exc}.") from None
