"""Making projects: `mlproj new` renders the template and initialises the repository.

`hooks` is what the template's cookiecutter hooks call, so plain `cookiecutter template/` gives
the same project; `jinja` is the extension the template loads, which keeps every answer literal
and escapes it for the file it lands in.
"""

from __future__ import annotations

from mlproj.scaffold.answers import DEFAULTS, Answers
from mlproj.scaffold.initialise import initialise_project
from mlproj.scaffold.names import ProjectNames, derive_names
from mlproj.scaffold.new import (
    NewProject,
    new_project,
    remove_bytecode,
    render_template,
    template_dir,
)

__all__ = [
    "DEFAULTS",
    "Answers",
    "NewProject",
    "ProjectNames",
    "derive_names",
    "initialise_project",
    "new_project",
    "remove_bytecode",
    "render_template",
    "template_dir",
]
