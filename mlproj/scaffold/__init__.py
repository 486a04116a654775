"""Making a project from the template: `mlproj new`, and the Jinja extension the template uses."""

from mlproj.scaffold.new import (
    NewProject,
    new_project,
    remove_bytecode,
    render_template,
    template_dir,
)

__all__ = ["NewProject", "new_project", "remove_bytecode", "render_template", "template_dir"]
