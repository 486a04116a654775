"""`mlproj new`: render the template beside the destination, initialise it, move it in place.

The same template renders with plain `cookiecutter template/`, whose hooks call the same
validation and initialisation (`mlproj.scaffold.hooks`). Here they run in-process instead, so
the CLI can report progress and nothing is left behind when a step fails.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mlproj import __version__
from mlproj.data.dataset import DataProfile, Task, profile, read_table
from mlproj.errors import DestinationExists, UserError
from mlproj.project.answers import DEFAULTS, Answers
from mlproj.scaffold.initialise import Progress, initialise_project
from mlproj.scaffold.names import derive_names


@dataclass(frozen=True)
class NewProject:
    """A created project: where it is and what it learns."""

    path: Path
    package: str
    data: DataProfile


def template_dir() -> Path:
    """The template shipped in the wheel, or `template/` in a source checkout."""
    package = Path(__file__).resolve().parent.parent
    shipped = package / "_template"
    return shipped if shipped.is_dir() else package.parent / "template"


def new_project(
    name: str,
    output_dir: Path,
    *,
    data: Path | None = None,
    target: str | None = None,
    task: Task | None = None,
    description: str = DEFAULTS["description"],
    author: str = DEFAULTS["author"],
    email: str = DEFAULTS["email"],
    code_owners: str | None = None,
    run_pipeline: bool = True,
    on_step: Progress = lambda step: None,
) -> NewProject:
    """Create project NAME in OUTPUT_DIR, atomically: all of it or nothing."""
    names = derive_names(name)
    destination = _check_destination(output_dir, names.slug)
    frame = None
    if data is not None:
        if not target:
            raise UserError("--data needs --target COLUMN: the column to predict.", exit_code=2)
        data = data.expanduser().resolve()
        on_step(f"Reading {data.name}")
        frame = read_table(data)
        task = task or profile(frame, target, source=str(data)).task
    context = {
        "project_name": names.name,
        "project_slug": names.slug,
        "package_name": names.package,
        "description": description,
        "author": author,
        "email": email,
        "code_owners": code_owners or f"@{email.split('@')[0]}",
        "task": task or "classification",
        "data_path": str(data) if data else "",
        "target": target or "",
        "run_pipeline": "yes" if run_pipeline else "no",
        "mlproj_version": __version__,
    }
    answers = Answers.from_context(context)
    staging = _make_staging(output_dir, names.slug)
    try:
        on_step("Rendering the template")
        rendered = _render(staging, context)
        data_profile = initialise_project(rendered, answers, on_step, frame)
        if destination.exists():
            destination.rmdir()  # checked empty above; a file appearing since makes this fail
        os.rename(rendered, destination)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return NewProject(path=destination, package=names.package, data=data_profile)


def _check_destination(output_dir: Path, slug: str) -> Path:
    if not output_dir.is_dir():
        raise UserError(f"--output-dir {output_dir} is not a folder.", exit_code=2)
    _remove_stale_staging(output_dir)
    destination = output_dir.resolve() / slug
    if destination.exists() and (not destination.is_dir() or any(destination.iterdir())):
        raise DestinationExists(f"{destination} already exists and is not empty; left untouched.")
    return destination


def _make_staging(output_dir: Path, slug: str) -> Path:
    """A folder beside the destination (same file system, so the final move is a rename).

    Its name carries this process's id (see `_remove_stale_staging`).
    """
    try:
        return Path(
            tempfile.mkdtemp(prefix=f".{slug}.{os.getpid()}.", suffix=".mlproj", dir=output_dir)
        )
    except OSError as exc:
        raise UserError(f"--output-dir {output_dir} is not writable.", exit_code=2) from exc


def _remove_stale_staging(output_dir: Path) -> None:
    """Remove the staging folders of runs that were killed (`kill -9`, a power cut).

    Their process could not clean up; once no process of that id is left, the next run does.
    """
    from mlproj._core.leftovers import remove_stale, stale_pattern

    remove_stale(output_dir, stale_pattern(r"\..+", r"\.mlproj"))


def _render(staging: Path, context: dict[str, str]) -> Path:
    from cookiecutter.exceptions import CookiecutterException
    from cookiecutter.main import cookiecutter

    try:
        rendered = cookiecutter(
            str(template_dir()),
            no_input=True,
            extra_context=context,
            output_dir=str(staging),
            accept_hooks=False,  # their work runs in-process, right after
        )
    except CookiecutterException as exc:
        raise UserError(f"The template did not render: {exc}") from exc
    return Path(rendered)
