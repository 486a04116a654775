"""Making projects and keeping them current: `mlproj new` and `mlproj update`.

`new` renders the template and `initialise` turns the render into a repository; `hooks` is what
the template's cookiecutter hooks call, so plain `cookiecutter template/` gives the same project;
`source` says where the running mlproj came from (PyPI, a git commit, a folder) and `lock` pins
the project's environment in `requirements.txt`;
`jinja` is the extension the template loads, which keeps every answer literal and escapes it for
the file it lands in. `update` merges a newer template into a project three ways, with git:
`renders` finds and stores the renders, `merge` does the merge.
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
from mlproj.scaffold.update import (
    Preparation,
    Question,
    UpdateResult,
    prepare_update,
    update_project,
)

__all__ = [
    "DEFAULTS",
    "Answers",
    "NewProject",
    "Preparation",
    "ProjectNames",
    "Question",
    "UpdateResult",
    "derive_names",
    "initialise_project",
    "new_project",
    "prepare_update",
    "remove_bytecode",
    "render_template",
    "template_dir",
    "update_project",
]
