"""`mlproj new`: render the template beside the destination, initialise it, move it in place.

The same template renders with plain `cookiecutter template/`, whose hooks call the same
validation and initialisation (`mlproj.scaffold.hooks`). Here they run in-process instead, so
the CLI can report progress and nothing is left behind when a step fails.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from mlproj import __version__
from mlproj._core.atomic import writing
from mlproj._core.progress import Progress, table_size
from mlproj._core.text import first_line
from mlproj._core.yamlio import load_yaml
from mlproj.data.dataset import DataProfile, Task, profile, read_table, return_memory
from mlproj.errors import (
    DataError,
    DestinationExists,
    FirstRunGateFailed,
    FirstRunInterrupted,
    InvalidName,
    InvalidRemote,
    InvalidYaml,
    RenderedInvalid,
    UserError,
)
from mlproj.remote import Remote, parse_remote
from mlproj.scaffold.answers import DEFAULTS, OWNER, Answers
from mlproj.scaffold.initialise import (
    first_run_gate_failed,
    first_run_interrupted,
    make_repository,
    write_data_files,
)
from mlproj.scaffold.names import derive_names
from mlproj.scaffold.source import running_source

# Room for the staging folder's '.NAME.XXXXXXXX.mlproj' within a 255-byte file name.
MAX_SLUG_BYTES = 200


@dataclass(frozen=True)
class NewProject:
    """A created project: where it is, what it learns, and the stages `dvc repro` runs.

    WARNING, when set, says that CI cannot install the mlproj that made it (`source`).
    """

    path: Path
    package: str
    data: DataProfile
    stages: tuple[str, ...] = ()
    warning: str = ""


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
    remote: str | None = None,
    endpoint_url: str | None = None,
    run_pipeline: bool = True,
    on_step: Progress = lambda step: None,
) -> NewProject:
    """Create project NAME in OUTPUT_DIR, atomically: all of it or nothing.

    REMOTE (`s3://BUCKET/PREFIX`, at ENDPOINT_URL) becomes its default DVC remote, committed.
    """
    storage = _storage(remote, endpoint_url)  # before anything is written
    names = derive_names(name)
    if len(names.slug.encode()) > MAX_SLUG_BYTES:  # the file system caps a name at 255 bytes
        raise InvalidName(
            f"Project name gives a folder name of {len(names.slug)} characters "
            f"({names.slug[:20]}...); keep it under {MAX_SLUG_BYTES}."
        )
    if names.transliterated:
        on_step(f"Folder {names.slug}, package {names.package}: {names.name!r} spelt in ASCII")
    destination = _check_destination(output_dir, names.slug)
    frame, data_profile = None, None
    if data is not None:
        if not target:
            raise UserError("--data needs --target COLUMN: the column to predict.", exit_code=2)
        data = data.expanduser()
        on_step(f"Reading {data.name}")
        frame = read_table(data)  # first, so its messages name the file as the user gave it
        on_step(table_size(*frame.shape))
        try:
            data = data.resolve()
        except (OSError, RuntimeError) as exc:  # RuntimeError: a symbolic link loop
            raise DataError(f"{data}: cannot be followed ({first_line(exc)}).") from None
        # Profiled once, here: the task it infers names the template to render, and the
        # data files are written from the same profile.
        data_profile = profile(frame, target, task, source=str(data))
        task = data_profile.task
    context = {
        "project_name": names.name,
        "project_slug": names.slug,
        "package_name": names.package,
        "description": description,
        "author": author,
        "email": email,
        "code_owners": code_owners or _default_owner(email),
        "task": task or "classification",
        "data_path": str(data) if data else "",
        "target": target or "",
        "run_pipeline": "yes" if run_pipeline else "no",
        "mlproj_version": __version__,
    }
    answers = Answers.from_context(context)
    staging = _make_staging(output_dir, names.slug)
    try:
        with writing(f"the project in {output_dir}"):
            on_step("Rendering the template")
            rendered = render_template(staging, context)
            data_profile = write_data_files(rendered, answers, on_step, frame, data_profile)
            frame = None  # the stages read the file themselves: the table is let go before them
            return_memory()
            try:
                make_repository(rendered, answers, on_step, remote=storage)
            except FirstRunInterrupted:  # the project is whole, only untrained: it is kept
                _move_in_place(rendered, destination)
                raise first_run_interrupted(destination) from None
            except FirstRunGateFailed as exc:  # trained, committed, and told what it missed
                _move_in_place(rendered, destination)
                raise first_run_gate_failed(destination, exc.failed, context["task"]) from None
            stages = pipeline_stages(rendered)
            _move_in_place(rendered, destination)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    warning = running_source(__version__).warning
    return NewProject(
        path=destination,
        package=names.package,
        data=data_profile,
        stages=stages,
        warning=warning,
    )


def _storage(remote: str | None, endpoint_url: str | None) -> Remote | None:
    if remote is None:
        if endpoint_url is not None:
            raise InvalidRemote("--endpoint-url needs --remote s3://BUCKET/PREFIX.")
        return None
    return parse_remote(remote, endpoint_url)


def pipeline_stages(project: Path) -> tuple[str, ...]:
    """The stages of PROJECT's dvc.yaml in the order it declares them (the order they run).

    Read from the file, so what `mlproj new` tells the user cannot drift from the pipeline.
    """
    spec = load_yaml(project / "dvc.yaml")
    stages = spec.get("stages") if isinstance(spec, dict) else None
    return tuple(str(name) for name in stages) if isinstance(stages, dict) else ()


def _move_in_place(rendered: Path, destination: Path) -> None:
    if destination.exists():
        destination.rmdir()  # checked empty above; a file appearing since makes this fail
    os.rename(rendered, destination)


def _default_owner(email: str) -> str:
    """`@` and the email's user name, if that is a valid handle; else none (CODEOWNERS says so)."""
    owner = f"@{email.split('@')[0]}"
    return owner if OWNER.fullmatch(owner) else ""


def _check_destination(output_dir: Path, slug: str) -> Path:
    if not output_dir.is_dir():
        raise UserError(f"--output-dir {output_dir} is not a folder.", exit_code=2)
    _remove_stale_staging(output_dir)
    destination = output_dir.resolve() / slug
    if destination.is_symlink():  # renaming onto it would replace the link, not fill its target
        raise DestinationExists(
            f"{destination} is a symbolic link; left untouched: choose another name or "
            "--output-dir."
        )
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


def render_template(
    output_dir: Path, answers: Mapping[str, str], template: Path | None = None
) -> Path:
    """Render the template into OUTPUT_DIR with ANSWERS taken literally; the project's path.

    Cookiecutter renders the values of `extra_context` as Jinja templates (`{{ 7*7 }}` would
    become 49, and an expression could run code). A replay file is its way to take answers as
    given, so the answers go in one, beside the rendered project, and nothing evaluates them.
    TEMPLATE defaults to the installed one; its own settings (`_extensions`,
    `_copy_without_render`) come from its `cookiecutter.json`. Bytecode a Python install
    compiled inside the template is dropped.
    """
    from cookiecutter.exceptions import CookiecutterException
    from cookiecutter.main import cookiecutter

    template = template or template_dir()
    settings = json.loads((template / "cookiecutter.json").read_text(encoding="utf-8"))
    context = {**settings, **{key: str(value) for key, value in answers.items()}}
    replay = output_dir / f"{template.name}.json"
    replay.write_text(json.dumps({"cookiecutter": context}), encoding="utf-8")
    try:
        rendered = Path(
            cookiecutter(
                str(template),
                replay=str(replay),
                output_dir=str(output_dir),
                accept_hooks=False,  # their work runs in-process, right after
            )
        )
    except CookiecutterException as exc:
        raise UserError(f"The template did not render: {exc}") from exc
    finally:
        replay.unlink(missing_ok=True)
    remove_bytecode(rendered)
    check_rendered(rendered)
    return rendered


def check_rendered(project: Path) -> None:
    """Parse every generated Python, YAML, TOML and notebook file: a failure is a template bug."""
    import ast

    parsers: dict[str, Callable[[str], object]] = {
        ".py": ast.parse,
        ".yaml": load_yaml,
        ".yml": load_yaml,
        ".ipynb": json.loads,
    }
    if sys.version_info >= (3, 11):
        import tomllib

        parsers[".toml"] = tomllib.loads
    for path in sorted(project.rglob("*")):
        parse = parsers.get(path.suffix)
        if parse is None or not path.is_file():
            continue
        try:
            parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, ValueError, InvalidYaml) as exc:
            raise RenderedInvalid(
                f"The template rendered {path.relative_to(project)} that does not parse "
                f"({type(exc).__name__}); this is a bug in mlproj's template, please report it."
            ) from exc


def remove_bytecode(project: Path) -> None:
    """Delete `__pycache__` folders and `.pyc` files that came with the template."""
    for cache in sorted(project.rglob("__pycache__"), reverse=True):
        shutil.rmtree(cache, ignore_errors=True)
    for compiled in project.rglob("*.py[co]"):
        compiled.unlink(missing_ok=True)
