"""What the template's hook scripts call: the boundary between cookiecutter and mlproj.

Cookiecutter runs hooks as separate scripts that cannot import each other (cookiecutter
#824), so they stay two-line shims over these functions. Like the CLI, this boundary prints:
a user error becomes one line on stderr and a non-zero exit, which makes cookiecutter remove
the half-made project.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mlproj.errors import FirstRunGateFailed, FirstRunInterrupted, UserError
from mlproj.scaffold.answers import Answers
from mlproj.scaffold.initialise import initialise_project, load_data
from mlproj.scaffold.new import remove_bytecode


def _invocation_dir() -> Path:
    """The folder cookiecutter was started from: hooks run inside the new project."""
    return Path(os.environ.get("PWD") or Path.cwd().parent)


def pre_generate(context: Mapping[str, Any]) -> int:
    """Validate the answers and the data before any file is written; return an exit code."""
    try:
        answers = Answers.from_context(context, cwd=_invocation_dir())
        load_data(answers)
    except UserError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0


def post_generate(project: Path, context: Mapping[str, Any]) -> int:
    """Make the rendered folder a working repository; return an exit code."""
    try:
        answers = Answers.from_context(context, cwd=_invocation_dir())
        remove_bytecode(project)
        initialise_project(project, answers, on_step=lambda step: print(f"mlproj: {step}"))
    except (FirstRunInterrupted, FirstRunGateFailed) as exc:  # whole: cookiecutter must keep it
        print(exc, file=sys.stderr)
        return 0
    except UserError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0
