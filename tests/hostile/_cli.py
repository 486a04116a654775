"""What every hostile case asserts about a command: its exit code, one line naming the input."""

from __future__ import annotations

import time
from collections.abc import Sequence

from typer.testing import CliRunner, Result

from mlproj.cli import app

runner = CliRunner()
# Generous for a 2-core machine shared with other jobs; a hang (an alias bomb) takes minutes.
SECONDS = 20.0


def invoke(args: Sequence[str], env: dict[str, str] | None = None) -> Result:
    """Run `mlproj ARGS` in-process; fail if it takes longer than a user would wait."""
    started = time.monotonic()
    result = runner.invoke(app, list(args), env=env)
    elapsed = time.monotonic() - started
    assert elapsed < SECONDS, f"took {elapsed:.1f} s"
    return result


def assert_one_line_error(result: Result, exit_code: int, *names: str) -> str:
    """The command failed with EXIT_CODE and one `Error:` line naming each of NAMES."""
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output
    assert result.exit_code == exit_code, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert len(lines[0]) < 400, lines[0]
    for name in names:
        assert name in lines[0], (name, lines[0])
    return lines[0]


def assert_error_is(result: Result, code: int, message: str) -> None:
    """Exit CODE, exactly `Error: MESSAGE` on stderr, and no traceback."""
    assert result.exit_code == code, result.output
    expected = f"Error: {message}\n"
    assert result.stderr == expected, f"\n{result.stderr!r}\n{expected!r}"
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
