"""`mlproj flow`: Gitflow branches that start and finish in the right places.

Exit codes: 13 a refusal (dirty tree, stale pipeline, failing tests, a conflicting merge);
11 a fixed regression incident fails again; 15 a branch name or version that is not Gitflow's;
6 outside a project.
"""

from __future__ import annotations

import os
from pathlib import Path

import typer

from mlproj.cli._boundary import user_errors
from mlproj.cli._shared import PROJECT, QUIET, group
from mlproj.flow.gitflow import KINDS

app = group("Gitflow: feature, bugfix, release and hotfix branches, checked before they merge.")

WHERE = {
    "feature": "from develop, back into develop",
    "bugfix": "from develop, back into develop",
    "release": "from develop, into main (tagged vVERSION) and back into develop",
    "hotfix": "from main, into main (tagged vVERSION) and develop",
}


def _kind_app(kind: str) -> typer.Typer:
    versioned = KINDS[kind].versioned
    label = "VERSION" if versioned else "NAME"
    name_help = (
        "A semantic version, such as 1.2.0." if versioned else "A short name, e.g. churn-features."
    )
    kind_app = group(f"{kind.capitalize()} branches: {WHERE[kind]}.")

    @kind_app.command()
    def start(
        name: str = typer.Argument(..., metavar=label, help=name_help),
        project: Path = PROJECT,
        quiet: bool = QUIET,
    ) -> None:
        """Create the branch from its base and switch to it."""
        from mlproj.cli._progress import Steps
        from mlproj.flow.gitflow import start as start_branch

        with user_errors(), Steps(quiet=quiet, mark="✓") as steps:
            started = start_branch(project, kind, name, on_step=steps)
        typer.echo(f"On {started.branch}. Commit your work, then `mlproj flow {kind} finish`.")

    @kind_app.command()
    def finish(
        name: str | None = typer.Argument(
            None, metavar=label, help="The branch to finish (default: the current one)."
        ),
        project: Path = PROJECT,
        quiet: bool = QUIET,
    ) -> None:
        """Check the branch (clean, dvc status, regressions, tests), then merge it."""
        from mlproj.cli._progress import Steps
        from mlproj.flow.gitflow import finish as finish_branch

        with user_errors(), Steps(quiet=quiet, mark="✓") as steps:
            finished = finish_branch(project, kind, name, on_step=steps)
        if not finished.outputs_restored:
            typer.echo("Some DVC outputs are not in the cache here: run `dvc repro` or `dvc pull`.")
        push = " ".join([*dict.fromkeys(finished.merged_into)])
        tags = " --tags" if finished.tag else ""
        typer.echo(
            f"Finished {finished.branch}; now on {finished.now_on}. "
            f"Publish with: git push origin {push}{tags}"
        )

    return kind_app


for _kind in KINDS:
    app.add_typer(_kind_app(_kind), name=_kind)


@app.command("check-branch")
def check_branch(
    branch: str | None = typer.Argument(
        None, help="The branch to judge (default: the one being pushed, else the current one)."
    ),
    push: bool = typer.Option(
        False, "--push", help="Judge a push: main, develop and tags are allowed."
    ),
    project: Path = PROJECT,
) -> None:
    """Refuse commits on main or develop, and branch names outside Gitflow (a git hook)."""
    from mlproj.flow.gitflow import branch_to_check
    from mlproj.flow.gitflow import check_branch as check

    with user_errors():
        check(branch or branch_to_check(project, os.environ), push=push)
