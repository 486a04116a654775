"""`mlproj update`: bring a project to the installed template, keeping the user's changes.

Three trees meet in one real git merge, so a conflict is conflict markers in an unmerged index
that `git status`, editors and `git merge --abort` understand, never a `.rej` file:

- base: the template as the project's last render left it. Each update records its render as
  a commit holding the template's files alone (trailer `Mlproj-Render: template`) and merges
  it as a second parent, so the next update finds it in the history. Before any update, the
  commit `mlproj new` made stands in (trailer `Mlproj-Template: X.Y.Z`, or, for projects made
  by mlproj 0.1.0, the root commit "Create NAME with mlproj"), cut down to the template's paths.
- theirs: a fresh render of the template with the answers in `.mlproj-answers.yaml`,
  committed on top of the base.
- ours: `develop`, on a new branch `feature/mlproj-update-X.Y.Z`.

Files mlproj writes beyond the render (params.yaml, conf/data/, the data contract, dvc.lock,
requirements.txt, the data) are not in the render, so the merge never touches them; a project
made before `mlproj new` wrote requirements.txt gets one, since the template's CI installs it.
The pull request templates are re-rendered when review-checklist.yaml, which they are made
from, merged cleanly.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlproj._core.git import DEVELOP, branch_exists, changed_paths, git, identity_env
from mlproj._core.yamlio import load_yaml
from mlproj.errors import ConfigError, NotAProject, UpdateRefused, UserError
from mlproj.project.project import ANSWERS_FILE
from mlproj.scaffold.merge import merge_render
from mlproj.scaffold.renders import (
    Base,
    commit_restricted,
    find_base,
    has_render,
    store_folder,
    tree_of,
)

BRANCH_PREFIX = "feature/mlproj-update-"
# Not recorded in the answers file: derived from the project (data_path) or by mlproj itself.
NOT_ASKED = frozenset({"data_path", "run_pipeline", "mlproj_version"})


@dataclass(frozen=True)
class Question:
    """An answer the new template asks for that the project has not recorded."""

    name: str
    prompt: str
    default: str
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Preparation:
    """What `prepare_update` found: checked, but nothing changed yet."""

    root: Path
    template: Path
    recorded: dict[str, str]
    base: Base
    own_data: bool
    questions: tuple[Question, ...]
    dry_run: bool


@dataclass(frozen=True)
class Change:
    """One file the template changed between the base and the fresh render."""

    status: str  # added, modified or deleted
    path: str


@dataclass(frozen=True)
class UpdateResult:
    """What the update did (or, in a dry run, would do) to each file the template changed."""

    project: Path
    version_from: str
    version_to: str
    base: Base
    branch: str
    changes: tuple[Change, ...] = ()
    taken: tuple[str, ...] = ()
    merged: tuple[str, ...] = ()
    conflicts: tuple[str, ...] = ()
    kept_deleted: tuple[str, ...] = ()
    rerendered: tuple[str, ...] = ()
    written: tuple[str, ...] = ()
    up_to_date: bool = False
    pending_on_branch: bool = False
    committed: str | None = None
    dry_run: bool = False
    answers: dict[str, str] = field(default_factory=dict)


def prepare_update(
    project: Path,
    *,
    template: Path | None = None,
    base: str | None = None,
    dry_run: bool = False,
) -> Preparation:
    """Check PROJECT can be updated, find its base, and list the questions the template adds.

    BASE names the commit of the last render when the history has lost it. A dry run reads
    `develop` and does not mind uncommitted changes.
    """
    from mlproj.scaffold.new import template_dir

    root = _project_root(project)
    template = (template or template_dir()).expanduser().resolve()
    if not (template / "cookiecutter.json").is_file():
        raise UserError(f"--template {template} is not a template: no cookiecutter.json.", 2)
    if not branch_exists(root, DEVELOP):
        raise UpdateRefused(f"There is no {DEVELOP} branch: mlproj update works on Gitflow.")
    if not dry_run:
        dirty = changed_paths(root)
        if dirty:
            shown = ", ".join(dirty[:3]) + (f" and {len(dirty) - 3} more" if len(dirty) > 3 else "")
            raise UpdateRefused(
                f"Uncommitted changes: {shown}. Commit or stash them, then update again."
            )
    recorded = _recorded_answers(root, DEVELOP)
    found = find_base(root, DEVELOP, base)
    package = recorded.get("package_name", "")
    # `mlproj new --data` removes the ingest stage that recreates the demo data.
    ingest = f"{package}/stages/ingest.py"
    own_data = not git(root, "ls-tree", "--name-only", found.commit, "--", ingest)
    return Preparation(
        root=root,
        template=template,
        recorded=recorded,
        base=found,
        own_data=own_data,
        questions=tuple(_questions(template, recorded)),
        dry_run=dry_run,
    )


def update_project(prepared: Preparation, answers: Mapping[str, str] | None = None) -> UpdateResult:
    """Merge the fresh render into a new update branch (or, in a dry run, into a scratch clone).

    ANSWERS are the new questions' answers; a question left out takes its default. Without
    conflicts the merge is committed; with them it is left for the user to resolve.
    """
    from mlproj import __version__

    root, base = prepared.root, prepared.base
    new_answers = {q.name: q.default for q in prepared.questions} | dict(answers or {})
    for question in prepared.questions:
        value = new_answers[question.name]
        if question.choices and value not in question.choices:
            choices = ", ".join(question.choices)
            raise UpdateRefused(f"{question.name} {value!r} is not one of: {choices}.")
    context = _context(prepared, new_answers, __version__)
    branch = f"{BRANCH_PREFIX}{__version__}"
    result = UpdateResult(
        project=root,
        version_from=base.version,
        version_to=__version__,
        base=base,
        branch=branch,
        dry_run=prepared.dry_run,
        answers=new_answers,
    )
    with _workspace(prepared) as repo:
        theirs_tree = _render_tree(prepared, repo, context)
        base_commit = (
            base.commit if base.recorded else commit_restricted(repo, base, theirs_tree, root)
        )
        if tree_of(repo, base_commit) == theirs_tree:
            return _replace(result, up_to_date=True)
        # A branch left by an aborted update holds nothing beyond develop: it is made again.
        if branch_exists(root, branch) and git(root, "rev-list", f"{DEVELOP}..{branch}"):
            if has_render(root, branch, theirs_tree):
                return _replace(result, up_to_date=True, pending_on_branch=True)
            raise UpdateRefused(
                f"{branch} exists already: finish it (`mlproj flow feature finish "
                f"{branch.removeprefix('feature/')}`) or delete it, then update again."
            )
        message = (
            f"Template of mlproj {__version__}, rendered with {ANSWERS_FILE}\n\n"
            "The template's files alone: the base the next `mlproj update` merges from.\n\n"
            f"Mlproj-Template: {__version__}\nMlproj-Render: template\n"
        )
        args = ["commit-tree", theirs_tree, "-p", base_commit, "-m", message]
        theirs = git(repo, *args, env=identity_env(root))
        result = _replace(result, changes=_changes(repo, base_commit, theirs))
        start = f"origin/{DEVELOP}" if prepared.dry_run else DEVELOP
        outcome = merge_render(repo, start, branch, base_commit, theirs, result)
    return _replace(
        result,
        taken=outcome.taken,
        merged=outcome.merged,
        conflicts=outcome.conflicts,
        kept_deleted=outcome.kept_deleted,
        rerendered=outcome.rerendered,
        written=outcome.written,
        committed=None if prepared.dry_run else outcome.committed,
    )


@contextmanager
def _workspace(prepared: Preparation) -> Iterator[Path]:
    """The project itself; for a dry run, a scratch clone that borrows its objects.

    Nothing a dry run writes, git objects included, lands in the project.
    """
    if not prepared.dry_run:
        yield prepared.root
        return
    with tempfile.TemporaryDirectory(prefix="mlproj-update-") as scratch:
        clone = Path(scratch) / "clone"
        args = ["clone", "--quiet", "--shared", "--no-checkout", str(prepared.root), str(clone)]
        git(prepared.root, *args)
        yield clone


def _replace(result: UpdateResult, **changes: Any) -> UpdateResult:
    import dataclasses

    return dataclasses.replace(result, **changes)


def _project_root(project: Path) -> Path:
    root = project.expanduser().resolve()
    if not (root / ANSWERS_FILE).is_file():
        raise NotAProject(f"{root} is not a project made by mlproj: it has no {ANSWERS_FILE}.")
    top = git(root, "rev-parse", "--show-toplevel", check=False)
    if not top or Path(top).resolve() != root:
        raise NotAProject(f"{root} is not the top folder of a git repository.")
    return root


def _recorded_answers(root: Path, revision: str) -> dict[str, str]:
    """The answers as committed on REVISION: what the project says it was made with."""
    text = git(root, "show", f"{revision}:{ANSWERS_FILE}", check=False, strip=False)
    if not text:
        raise NotAProject(f"{ANSWERS_FILE} is not committed on {revision}: commit it first.")
    loaded = load_yaml(text, source=f"{ANSWERS_FILE} on {revision}")
    if not isinstance(loaded, dict) or not all(isinstance(key, str) for key in loaded):
        raise ConfigError(f"{ANSWERS_FILE} is not a mapping of answers.")
    return {key: "" if value is None else str(value) for key, value in loaded.items()}


def _variables(template: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """The template's questions (in order) and their prompts, from cookiecutter.json."""
    import json

    try:
        declared = json.loads((template / "cookiecutter.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError(f"{template}/cookiecutter.json cannot be read: {exc}", 2) from None
    prompts = declared.get("__prompts__", {})
    variables = {key: value for key, value in declared.items() if not key.startswith("_")}
    return variables, {key: str(value) for key, value in prompts.items()}


def _questions(template: Path, recorded: Mapping[str, str]) -> list[Question]:
    """Questions the template asks that the answers file does not hold, defaults rendered."""
    from cookiecutter.environment import StrictEnvironment
    from cookiecutter.prompt import render_variable

    variables, prompts = _variables(template)
    env = StrictEnvironment(context={"cookiecutter": variables})
    known: dict[str, Any] = dict(recorded)
    questions = []
    for name, raw in variables.items():
        if name in recorded or name in NOT_ASKED or isinstance(raw, dict):
            continue
        if isinstance(raw, list):
            choices = tuple(str(render_variable(env, choice, known)) for choice in raw)
            default = choices[0] if choices else ""
        else:
            choices, default = (), str(render_variable(env, raw, known))
        known[name] = default
        questions.append(Question(name, prompts.get(name, name), default, choices))
    return questions


def _context(prepared: Preparation, answers: Mapping[str, str], version: str) -> dict[str, str]:
    """The cookiecutter context of the fresh render, validated as `mlproj new` validates it."""
    from mlproj.scaffold.answers import Answers

    variables, _ = _variables(prepared.template)
    given = {**prepared.recorded, **answers}
    context = {key: given[key] for key in variables if key in given}
    # Only whether a data file was given reaches the files; its path stays on its author's disk.
    context["data_path"] = "data/raw/own-data" if prepared.own_data else ""
    context["run_pipeline"] = "no"
    context["mlproj_version"] = version
    Answers.from_context(context, cwd=prepared.root)
    return context


def _render_tree(prepared: Preparation, repo: Path, context: dict[str, str]) -> str:
    """Render the template in a scratch folder and store it in REPO's git, as a tree."""
    from mlproj.scaffold.new import render_template

    with tempfile.TemporaryDirectory(prefix="mlproj-update-") as scratch:
        rendered = render_template(Path(scratch), context, prepared.template)
        if prepared.own_data:
            (rendered / context["package_name"] / "stages" / "ingest.py").unlink(missing_ok=True)
        return store_folder(repo, rendered)


def _changes(root: Path, base: str, theirs: str) -> tuple[Change, ...]:
    listed = git(root, "diff-tree", "-r", "--no-renames", "--name-status", "-z", base, theirs)
    words = [word for word in listed.split("\0") if word]
    status = {"A": "added", "M": "modified", "D": "deleted", "T": "modified"}
    return tuple(
        Change(status.get(code[0], "modified"), path)
        for code, path in zip(words[::2], words[1::2], strict=True)
    )
