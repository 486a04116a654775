"""Hostile YAML in every file mlproj reads: one line naming the file, fast, nothing run.

Each file kind is put in place in an otherwise valid project and read through the command a
user would run. Alias bombs used to hang for minutes at gigabytes; Python tags must never
construct anything; encodings, size and nesting are refused before parsing goes far.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.card.test_write import build_project
from tests.conftest import write
from tests.hostile._cli import assert_one_line_error, invoke

LOL = ", ".join(['"lol"'] * 9)
BOMB = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9) if prev else LOL}]\n"
    for prev, name in zip(["", *"abcdefg"], "abcdefgh", strict=True)
).encode()
BOMB_MAPPINGS = "".join(
    f"{name}: &{name} {{{', '.join(f'k{i}: *{prev}' if prev else f'k{i}: lol' for i in range(9))}}}\n"
    for prev, name in zip(["", *"abcdefg"], "abcdefgh", strict=True)
).encode()
GIGABYTE = 1 << 30


@dataclass(frozen=True)
class Hostile:
    """A hostile file's bytes (or a sparse size) and a phrase its refusal must contain."""

    content: bytes
    says: str
    sparse_size: int = 0


HOSTILE = {
    "alias-bomb": Hostile(BOMB, "aliases (*name) expand to more than 10,000 values"),
    "alias-bomb-mappings": Hostile(BOMB_MAPPINGS, "aliases (*name) expand to more than"),
    "recursive-alias": Hostile(b"x: &a [1, *a]\n", "an alias refers to a node that contains it"),
    "python-object-tag": Hostile(
        b"x: !!python/object/apply:os.system ['touch PWNED']\n",
        "the tag !!python/object/apply:os.system is not allowed",
    ),
    "python-name-tag": Hostile(
        b"x: !!python/name:os.system\n", "the tag !!python/name:os.system is not allowed"
    ),
    "unknown-tag": Hostile(b"x: !include secrets.yaml\n", "the tag !include is not allowed"),
    "latin-1": Hostile("x: café\n".encode("latin-1"), "not UTF-8"),
    "utf-16": Hostile("x: 1\n".encode("utf-16"), "not UTF-8"),
    "nul-byte": Hostile(b"x: a\x00b\n", "not valid YAML"),
    "deep-nesting": Hostile(b"x: " + b"[" * 20_000 + b"]" * 20_000, "levels deep"),
    "malformed": Hostile(b"x: [\n", "not valid YAML at line 2"),
    "impossible-date": Hostile(b"x: 2024-13-45\n", "a value does not fit its type"),
    "empty-timestamp-tag": Hostile(b"x: !!timestamp\n", "a value does not fit its type"),
    "huge-sparse": Hostile(b"", "more than the 4 MB", sparse_size=GIGABYTE),
}


@dataclass(frozen=True)
class Kind:
    """A YAML file mlproj reads: where it lives, the command that reads it, the exit code."""

    path: str
    args: Callable[[Path], list[str]]
    exit_code: int = 28
    make: Callable[[Path], Path] = build_project


def regression_project(root: Path) -> Path:
    """The card's project, with the model path `regression` commands look up."""
    build_project(root)
    params = root / "params.yaml"
    params.write_text(params.read_text().replace("paths: {", "paths: {model: models/model.skops, "))
    return root


def conf_project(root: Path) -> Path:
    """conf/ composing to a=1 while params.yaml says a=2: refresh must read dvc.lock."""
    write(root / "conf" / "config.yaml", "defaults:\n  - data: default\n  - _self_\na: 1\n")
    write(root / "conf" / "data" / "default.yaml", "task: classification\n")
    write(root / "params.yaml", "a: 2\ndata:\n  task: classification\n")
    write(root / "dvc.lock", "schema: '2.0'\nstages: {}\n")
    return root


KINDS = {
    "incident": Kind(
        "tests/regressions/INC-1/incident.yaml",
        lambda p: ["regression", "list", "-p", str(p)],
        make=regression_project,
    ),
    "incident-request": Kind(
        "request.yaml",
        lambda p: ["add-regression", "--from-file", str(p / "request.yaml"), "-p", str(p)],
        make=regression_project,
    ),
    "checklist": Kind(
        "review-checklist.yaml",
        lambda p: ["review", "check", str(write(p / "body.md", "- [x] a\n")), "-p", str(p)],
    ),
    "params": Kind("params.yaml", lambda p: ["card", "-p", str(p)]),
    "contract": Kind("data/contract.yaml", lambda p: ["card", "-p", str(p)]),
    "model-card": Kind("model-card.yaml", lambda p: ["card", "-p", str(p)]),
    "dvc-lock": Kind("dvc.lock", lambda p: ["params", "refresh", "-p", str(p)], 28, conf_project),
    "gto": Kind(".gto", lambda p: ["registry", "show", "-p", str(p)]),
    "conf-check": Kind(
        "conf/config.yaml", lambda p: ["params", "check", "-p", str(p)], 5, conf_project
    ),
    "conf-group-refresh": Kind(
        "conf/data/default.yaml", lambda p: ["params", "refresh", "-p", str(p)], 5, conf_project
    ),
}


def plant(path: Path, hostile: Hostile) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(hostile.content)
    if hostile.sparse_size:
        os.truncate(path, hostile.sparse_size)


@pytest.mark.parametrize("hostile", list(HOSTILE), ids=list(HOSTILE))
@pytest.mark.parametrize("kind", list(KINDS), ids=list(KINDS))
def test_hostile_yaml_is_one_line_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str, hostile: str
) -> None:
    spec, bad = KINDS[kind], HOSTILE[hostile]
    project = spec.make(tmp_path / "proj")
    plant(project / spec.path, bad)
    monkeypatch.chdir(tmp_path)
    result = invoke(spec.args(project))
    line = assert_one_line_error(result, spec.exit_code, Path(spec.path).name, bad.says)
    assert "lol" not in line  # the expanded value is never shown
    assert not (tmp_path / "PWNED").exists() and not (project / "PWNED").exists()


# The bomb inside a field whose wrong value the old messages quoted: nine levels, 387 million
# strings once expanded (the old code took 19 s and 1.4 GB at eight levels, minutes at nine).
NESTED = (
    "["
    + ", ".join(
        f"&{name} [{', '.join([f'*{prev}'] * 9) if prev else LOL}]"
        for prev, name in zip(["", *"abcdefgh"], "abcdefghi", strict=True)
    )
    + "]"
)
VALUE_BOMBS = {
    "incident-id": (
        "tests/regressions/INC-1/incident.yaml",
        f"id: {NESTED}\ndate: 2024-05-01\nexpectation: {{kind: no_error}}\nstatus: open\n",
        ["regression", "list"],
    ),
    "model-card-owners": ("model-card.yaml", f"owners: {NESTED}\n", ["card"]),
    "contract-nullable": (
        "data/contract.yaml",
        f"columns:\n  x: {{kind: numeric, nullable: {NESTED}}}\n",
        ["card"],
    ),
    "checklist-required": (
        "review-checklist.yaml",
        f"items: [{{id: a, text: x, required: {NESTED}}}]\n",
        ["review", "check", "body.md"],
    ),
}


@pytest.mark.parametrize("case", list(VALUE_BOMBS), ids=list(VALUE_BOMBS))
def test_a_bomb_in_a_quoted_field_is_refused_before_it_is_quoted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    path, text, args = VALUE_BOMBS[case]
    project = regression_project(tmp_path / "proj")
    write(project / path, text)
    write(project / "body.md", "- [x] x\n")
    monkeypatch.chdir(project)
    result = invoke([*args, "-p", str(project)])
    assert_one_line_error(result, 28, Path(path).name, "expand to more than 10,000 values")


def test_the_refusal_reads_as_a_fix(tmp_path: Path) -> None:
    project = build_project(tmp_path)
    plant(project / "model-card.yaml", HOSTILE["alias-bomb"])
    result = invoke(["card", "-p", str(project)])
    assert result.stderr == (
        "Error: model-card.yaml: its aliases (*name) expand to more than 10,000 values beyond "
        "what is written: write the values out instead of repeating anchors.\n"
    )


@pytest.mark.parametrize(
    "text",
    ["- a\n- b\n", "just text\n", "stages: [params]\n", "stages: {params: {outs: 3}}\n"],
    ids=["list", "scalar", "stages-list", "outs-not-a-list"],
)
def test_a_dvc_lock_that_is_not_dvcs_is_one_line(tmp_path: Path, text: str) -> None:
    project = conf_project(tmp_path)
    write(project / "dvc.lock", text)
    result = invoke(["params", "refresh", "-p", str(project)])
    if text.startswith("stages: ["):
        # A mapping whose stages DVC would not write either: nothing recorded for params.yaml.
        assert_one_line_error(result, 5, "params.yaml was edited by hand")
    else:
        assert_one_line_error(result, 5, "dvc.lock: not the file DVC writes")
    assert (project / "params.yaml").read_text() == "a: 2\ndata:\n  task: classification\n"


@pytest.mark.parametrize("hostile", ["alias-bomb", "latin-1", "python-object-tag"])
def test_a_hostile_answers_file_is_ignored_quickly(tmp_path: Path, hostile: str) -> None:
    # The answers only name the package; an unreadable file means "none recorded".
    project = regression_project(tmp_path)
    plant(project / ".mlproj-answers.yaml", HOSTILE[hostile])
    result = invoke(["regression", "list", "-p", str(project)])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply to be an incident"),
        (b'{"id": "caf\xe9"}', "not UTF-8; save it as UTF-8"),
        (b'{"id": ', "not valid JSON at line 1"),
        (b'["not", "a", "mapping"]', "expected a mapping of field names to values"),
    ],
    ids=["json-deep-nesting", "json-latin-1", "json-truncated", "json-not-a-mapping"],
)
def test_a_hostile_json_incident_request_is_one_line(
    tmp_path: Path, content: bytes, says: str
) -> None:
    project = regression_project(tmp_path / "proj")
    request = write(tmp_path / "request.json", content)
    result = invoke(["add-regression", "--from-file", str(request), "-p", str(project)])
    assert_one_line_error(result, 9, "request.json", says)
    assert not (project / "tests" / "regressions" / "INC-9").exists()


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("a: ${a}\n", "Recursive interpolation detected"),
        ("a: ${b\n", "no viable alternative at input '${b'"),
        ("a: ${oc.env:MLPROJ_SURELY_UNSET}\n", "MLPROJ_SURELY_UNSET"),
        ("defaults:\n  - nothere: x\n  - _self_\na: 1\n", "Could not find 'nothere/x'"),
        ("a: 1\na: 2\n", "conf/ does not compose"),
    ],
    ids=[
        "recursive-interpolation",
        "unclosed-interpolation",
        "missing-env-var",
        "missing-group",
        "duplicate-key",
    ],
)
@pytest.mark.parametrize("command", ["check", "refresh"])
def test_conf_mistakes_hydra_finds_are_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, says: str, command: str
) -> None:
    monkeypatch.delenv("MLPROJ_SURELY_UNSET", raising=False)
    project = conf_project(tmp_path)
    write(project / "conf" / "config.yaml", text)
    result = invoke(["params", command, "-p", str(project)])
    assert_one_line_error(result, 5, "conf/ does not compose", says)
    assert (project / "params.yaml").read_text() == "a: 2\ndata:\n  task: classification\n"
