"""Turn a freshly rendered template into a working repository.

Runs as the template's post-generation step, for `mlproj new` and plain cookiecutter alike:
writes what depends on the data (its config and contract), composes `params.yaml`, then makes
the git and DVC repository with `main` and `develop`.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from mlproj._core import git as gitrepo
from mlproj._core.atomic import copy_file, write_text
from mlproj._core.progress import Progress, repro, table_size
from mlproj._core.shell import DVC_ENV, python_module, run
from mlproj._core.yamlio import yaml_string
from mlproj.data.dataset import DataProfile, default_table, profile, read_table
from mlproj.data.profile_report import write_profile
from mlproj.data.roles import MAX_CATEGORIES
from mlproj.errors import CommandFailed, FirstRunGateFailed, FirstRunInterrupted
from mlproj.gates.check import GATES_FILE, failed_gates
from mlproj.project.params import project_params, sync_params
from mlproj.remote import Remote, write_remote
from mlproj.review.checklist import render_templates
from mlproj.scaffold.lock import LOCK_FILE, write_lock
from mlproj.scaffold.source import running_source

if TYPE_CHECKING:
    import pandas as pd

    from mlproj.scaffold.answers import Answers

DEFAULT_RAW = "penguins.csv"
# Relative to `.dvc/`, as DVC reads `plots.html_template`.
OFFLINE_PLOTS = "plots/offline.html"
# Written once, from the data as `mlproj new` read it, and committed with the project.
DATA_PROFILE = "reports/data-profile.html"


def load_data(
    answers: Answers, frame: pd.DataFrame | None = None, profiled: DataProfile | None = None
) -> tuple[pd.DataFrame, DataProfile]:
    """Read the user's file (unless already read, as FRAME), or the shipped default; profile it.

    PROFILED is FRAME's profile when the caller has made it: at a million rows it takes seconds.
    """
    if frame is not None and profiled is not None:
        return frame, profiled
    if answers.data_path is None:
        frame = default_table()
        source = DEFAULT_RAW
    else:
        frame = read_table(answers.data_path) if frame is None else frame
        source = str(answers.data_path)
    return frame, profile(frame, answers.target, answers.task, source=source)


def initialise_project(
    project: Path, answers: Answers, on_step: Progress, frame: pd.DataFrame | None = None
) -> DataProfile:
    """Write the data-dependent files and make the repository; returns the data profile.

    FRAME is the user's data when the caller has read it already: a large file is read once.
    """
    data = write_data_files(project, answers, on_step, frame)
    make_repository(project, answers, on_step)
    return data


def write_data_files(
    project: Path,
    answers: Answers,
    on_step: Progress,
    frame: pd.DataFrame | None = None,
    profiled: DataProfile | None = None,
) -> DataProfile:
    """Write conf/data, the contract and the profile page from the data; returns its profile.

    Apart from `make_repository`, so a caller holding the table can let it go before the first
    `dvc repro`: the stages read the file themselves, and a 10M-row table is gigabytes.
    PROFILED is FRAME's profile, when the caller made it to choose the task.
    """
    on_step("Reading the data")
    read = frame is None
    frame, data = load_data(answers, frame, profiled)
    if read:
        on_step(table_size(*frame.shape))
    raw_name = DEFAULT_RAW if answers.data_path is None else answers.data_path.name
    on_step("Writing the data config and contract")
    _write_data_files(project, frame, data, raw_name, answers)
    on_step("Profiling the data into reports/data-profile.html")
    write_profile(project / DATA_PROFILE, frame, data, source=f"data/raw/{raw_name}")
    return data


def make_repository(
    project: Path, answers: Answers, on_step: Progress, *, remote: Remote | None = None
) -> None:
    """Compose params.yaml, make the git and DVC repository, run the pipeline once, commit.

    REMOTE, when given, is configured as the default DVC remote (its keys stay out of the files).
    """
    raw_name = DEFAULT_RAW if answers.data_path is None else answers.data_path.name
    on_step("Composing params.yaml from conf/")
    sync_params(project)
    on_step("Rendering the pull and merge request templates from review-checklist.yaml")
    render_templates(project)
    on_step(f"Pinning the environment in {LOCK_FILE} (the versions installed here)")
    write_lock(project, running_source(answers.mlproj_version))
    on_step("Creating the git repository and DVC")
    gitrepo.init(project)
    dvc = python_module("dvc")
    _dvc_init(project, dvc)
    for key, value in (
        ("core.analytics", "false"),
        ("core.check_update", "false"),
        ("core.autostage", "true"),
        ("hydra.enabled", "true"),
        # The template's page inlines Vega: DVC's default loads it from a CDN, blank offline.
        ("plots.html_template", OFFLINE_PLOTS),
    ):
        run([*dvc, "config", key, value], project, env=DVC_ENV)
    if remote is not None:
        on_step(f"Configuring the DVC {remote.shown} (not checked: `mlproj remote check`)")
        write_remote(project, remote)
    if answers.data_path is not None:
        # The ingest stage recreates the shipped demo data; the user's file is tracked instead.
        (project / answers.package_name / "stages" / "ingest.py").unlink(missing_ok=True)
        on_step(f"Tracking data/raw/{raw_name} with DVC")
        target = project / "data" / "raw" / raw_name
        copy_file(answers.data_path, target)
        run([*dvc, "add", "--quiet", str(target.relative_to(project))], project, env=DVC_ENV)
    interrupted = False
    failed: tuple[str, ...] = ()
    if answers.run_pipeline:
        on_step("Running the pipeline once (dvc repro) for a baseline; Ctrl-C skips the rest")
        try:
            interrupted = not _first_run(project, dvc, on_step)
        except CommandFailed:
            # A missed gate is a verdict on the model, not a broken project: it is kept.
            failed = failed_gates(_reports(project) / GATES_FILE)
            if not failed:
                raise
    on_step("Installing the git hooks")
    run(python_module("pre_commit", "install"), project)
    on_step("Committing to main and creating develop")
    # The trailer marks the render `mlproj update` merges from (mlproj.scaffold.update).
    trailer = f"Mlproj-Template: {answers.mlproj_version}"
    # A paragraph of its own: the trailer must stay alone in the last one for `git log` to see it.
    stopped = "".join(f"The first run stopped at a quality gate: {line}.\n" for line in failed)
    body = f"{stopped}\n" if stopped else ""
    message = f"Create {answers.project_name} with mlproj\n\n{body}{trailer}"
    gitrepo.first_commit(project, message, author=answers.author, email=answers.email)
    if interrupted:
        raise first_run_interrupted(project)
    if failed:
        raise first_run_gate_failed(project, failed, answers.task)


def _dvc_init(project: Path, dvc: list[str]) -> None:
    """`dvc init`, keeping the files the template ships in `.dvc/` (its offline plots page).

    `dvc init` refuses a folder that has a `.dvc/`, so the shipped one waits beside it.
    """
    shipped = project / ".dvc"
    aside = project / ".dvc-template"
    if shipped.is_dir():
        shipped.rename(aside)
    run([*dvc, "init", "--quiet"], project, env=DVC_ENV)
    if aside.is_dir():
        for child in sorted(aside.iterdir()):
            child.rename(shipped / child.name)
        aside.rmdir()


def _first_run(project: Path, dvc: list[str], on_step: Progress) -> bool:
    """Run the pipeline once, each stage reported as it starts and ends; False if Ctrl-C stopped it.

    DVC has the Ctrl-C passed on (`_core.children`): it stops the running stage and exits, and
    `dvc.lock` keeps the stages that had finished, so the next `dvc repro` goes on from there.
    """
    try:
        repro([*dvc, "repro"], project, on_step, env=_tool_env())
    except KeyboardInterrupt:
        return False
    return True


def first_run_interrupted(project: Path) -> FirstRunInterrupted:
    """The error saying PROJECT was made without its first run finished, and how to finish it."""
    return FirstRunInterrupted(
        f"The first run was interrupted: {project} is created, without a trained model. "
        f"To train it: cd {project} && dvc repro"
    )


def first_run_gate_failed(project: Path, failed: Sequence[str], task: str) -> FirstRunGateFailed:
    """The error saying PROJECT was made, its first run stopped at the gates FAILED; what to do."""
    simple = "logistic_regression" if task == "classification" else "ridge"
    return FirstRunGateFailed(
        f"The first run stopped at a quality gate: {'; '.join(failed)}. {project} is created "
        "and committed as far as the pipeline ran: the model is trained and evaluated, and "
        "reports/gates.json has every result. Try another model (conf/model): "
        f"cd {project} && dvc exp run -S model={simple}; or change the gate in "
        "conf/gates/default.yaml, then dvc repro.",
        tuple(failed),
    )


def _reports(project: Path) -> Path:
    paths = project_params(project).get("paths") or {}
    return project / str(paths.get("reports", "reports"))


def _tool_env() -> dict[str, str]:
    """PATH with this interpreter's folder first, so stages run in mlproj's environment."""
    bin_dir = str(Path(sys.executable).parent)
    return {**DVC_ENV, "PATH": os.pathsep.join([bin_dir, os.environ.get("PATH", "")])}


def _write_data_files(
    project: Path, frame: pd.DataFrame, data: DataProfile, raw_name: str, answers: Answers
) -> None:
    from mlproj.data.contract import infer_contract, save_contract

    (project / "data" / "raw").mkdir(parents=True, exist_ok=True)
    write_text(project / "conf" / "data" / "default.yaml", _data_config(data, raw_name, answers))
    contract = infer_contract(frame, max_categories=MAX_CATEGORIES)
    # Identifiers, text and dates take new values in every batch: a range or a value list
    # would reject the next one. Loose rules also keep a column valid when the user moves it
    # into the features. (Categoricals capped at MAX_CATEGORIES get no list from
    # infer_contract: past that many values, new ones are expected too.)
    # Personal data too: a list of allowed values would copy names or emails into a committed file.
    kinds = ("identifier", "text", "date", "personal")
    loose = {role.name for role in data.roles if role.kind in kinds}
    rules = tuple(
        dataclasses.replace(rule, minimum=None, maximum=None, allowed=None)
        if rule.name in loose
        else rule
        for rule in contract.columns
    )
    save_contract(dataclasses.replace(contract, columns=rules), project / "data" / "contract.yaml")


def _data_config(data: DataProfile, raw_name: str, answers: Answers) -> str:
    origin = "the Palmer penguins table" if answers.data_path is None else _shown(raw_name)
    why = {role.name: role.reason for role in data.roles if role.flag or not role.used}

    def listing(items: Iterable[str]) -> str:
        lines = [
            f"\n  - {_name(item)}" + (f"  # {why[item]}" if item in why else "") for item in items
        ]
        return "".join(lines) if lines else " []"

    time = "null" if data.time_column is None else _name(data.time_column)
    time_note = (
        "Set by mlproj: the table's one date column."
        if data.time_column is not None
        else "e.g. time_column: signup_date"
    )
    return f"""\
# What the model learns from. Inferred by mlproj from {origin} on {date.today()}:
# edit freely. To change a column's role, move its line between numeric, categorical and
# left_out; reports/data-profile.html says why each column is where it is.
task: {data.task}
target: {_name(data.target)}
raw: {yaml_string("${paths.data}/raw/" + _literal(raw_name))}
contract: ${{paths.data}}/contract.yaml
validated: ${{paths.data}}/interim/validated.parquet
train: ${{paths.data}}/processed/train.parquet
test: ${{paths.data}}/processed/test.parquet
numeric:{listing(data.numeric)}
categorical:{listing(data.categorical)}
# Columns the model does not see: personal data, free text, identifiers, dates and constants,
# each with why. Move one into numeric or categorical to use it: data/contract.yaml covers it.
# A column that looks like personal data (an email, a phone number, a name...) is left out by
# mlproj as a privacy control, not a guarantee: check the list, see docs/privacy.md.
left_out:{listing(role.name for role in data.left_out)}
# Columns that must never be features: the validate stage refuses to run while one is listed
# in numeric or categorical (a column moved back by mistake, an id that leaks the target).
forbidden: []
# A date or time column, never a feature: when set, `evaluate` fits the model on older rows and
# scores it on newer ones (reports/staleness.json). {time_note}
time_column: {time}
# How many values a categorical column keeps, and which rare ones share one category, is in
# conf/encoding: a column of thousands of values (postcodes, product codes) stays small.
"""


def _literal(text: str) -> str:
    """TEXT with `${` escaped, so OmegaConf reads it as written instead of interpolating."""
    import re

    return re.sub(r"(\\*)\$\{", lambda m: m.group(1) * 2 + "\\${", text)


def _name(name: str) -> str:
    """A column NAME as YAML that Hydra composes back to exactly NAME."""
    return yaml_string(_literal(name))


def _shown(name: str) -> str:
    """NAME for a YAML comment: bare when plain, else JSON-quoted (ASCII, on one line)."""
    import json
    import re

    return name if re.fullmatch(r"[\w.\-]+", name, flags=re.ASCII) else json.dumps(name)
