"""The generated reference pages say what the code says: commands from Typer, exit codes from errors.py."""

from __future__ import annotations

import re

import pytest

from mlproj import errors
from tools import reference


@pytest.mark.parametrize("name", ["cli.md", "exit-codes.md"])
def test_committed_reference_is_current(name: str) -> None:
    path = reference.REFERENCE / name
    assert path.read_text() == reference.pages()[path], (
        f"docs/reference/{name} is out of date: run `make reference` and commit it"
    )


def test_check_mode_passes_on_current_pages(capsys: pytest.CaptureFixture[str]) -> None:
    assert reference.main(["--check"]) == 0
    assert capsys.readouterr().err == ""


def test_every_user_error_is_listed_once_with_its_code() -> None:
    page = reference.exit_codes_reference()
    rows = re.findall(r"^\| (\d+) \| \[`(\w+)`\]", page, flags=re.MULTILINE)
    expected = [
        (str(cls.exit_code), cls.__name__)
        for cls in vars(errors).values()
        if isinstance(cls, type) and issubclass(cls, errors.UserError)
    ]
    assert sorted(rows) == sorted(expected)
    assert len({name for _, name in rows}) == len(rows)


def test_an_error_without_a_docstring_stops_the_generator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Undocumented(errors.UserError):
        exit_code = 99

    Undocumented.__module__ = errors.__name__
    monkeypatch.setattr(errors, "Undocumented", Undocumented, raising=False)
    with pytest.raises(RuntimeError, match="Undocumented has no docstring"):
        reference.exit_codes_reference()


def test_command_reference_holds_every_command_help() -> None:
    page = reference.cli_reference()
    for command in ("mlproj new", "mlproj params check", "mlproj drift", "mlproj gates check"):
        assert f"## `{command}`" in page or f"### `{command}`" in page, command
    assert "Project name; the folder and package derive from it." in page
