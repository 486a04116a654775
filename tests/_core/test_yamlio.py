"""The one YAML loader: what it still reads, and how it refuses what it must not."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlproj._core.yamlio import MAX_ALIAS_NODES, load_yaml
from mlproj.errors import InvalidYaml, UserError


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("a: [1, 2]\n", {"a": [1, 2]}),
        ("d: &d {x: 1}\ne: {<<: *d, y: 2}\n", {"d": {"x": 1}, "e": {"x": 1, "y": 2}}),
        ("\ufeffa: 1\n".encode(), {"a": 1}),
        ("", None),
        ("when: 2024-05-01\n", {"when": __import__("datetime").date(2024, 5, 1)}),
    ],
    ids=["plain", "merge-key", "utf-8-bom", "empty", "date"],
)
def test_plain_yaml_reads_as_before(source: str | bytes, expected: object) -> None:
    assert load_yaml(source) == expected


def test_aliases_within_the_bound_are_read() -> None:
    # Twenty references to a list of a hundred: 2,000 values added, well within the bound.
    text = "base: &b [" + ", ".join(["1"] * 100) + "]\nuses: [" + ", ".join(["*b"] * 20) + "]\n"
    assert len(load_yaml(text)["uses"]) == 20
    assert MAX_ALIAS_NODES >= 2_000


def test_a_file_is_named_and_a_missing_one_is_left_to_the_caller(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(b"a: [\n")
    with pytest.raises(InvalidYaml) as raised:
        load_yaml(path)
    assert str(raised.value) == (
        f"{path}: not valid YAML at line 2: expected the node content, but found '<stream end>'"
    )
    assert raised.value.exit_code == 28 and isinstance(raised.value, UserError)
    with pytest.raises(FileNotFoundError):
        load_yaml(tmp_path / "gone.yaml")


def test_a_folder_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(InvalidYaml, match=r"cannot be read \(Is a directory\)"):
        load_yaml(tmp_path, source="conf")


def test_the_size_bound_is_checked_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: 1\n")
    with pytest.raises(InvalidYaml, match="5 bytes is more than"):
        load_yaml(path, max_bytes=4)
