"""`mlproj remote`: the project's data and models on S3-compatible storage (a DVC remote).

Exit codes: 40 the server is down or not S3 (start it or fix --endpoint-url); 41 credentials
missing or refused; 42 the bucket does not exist; 5 a bad URL, endpoint or name, no remote, or
a key that would land in a tracked file; 7 `dvc push`/`dvc pull` failed after the check.
"""

from __future__ import annotations

from pathlib import Path

import typer

from mlproj.cli._boundary import user_errors
from mlproj.cli._shared import PROJECT, group

app = group("Data and models on S3-compatible storage (S3, MinIO, SeaweedFS, R2) through DVC.")

NAME = typer.Option(None, "--name", help="The remote's name (default: the default remote).")


@app.command("add")
def add(
    url: str = typer.Argument(..., help="s3://BUCKET/PREFIX"),
    endpoint_url: str | None = typer.Option(
        None, "--endpoint-url", help="The S3 server's URL, for non-AWS storage: http://HOST:PORT."
    ),
    name: str = typer.Option("storage", "--name", help="The remote's name in .dvc/config."),
    local_credentials: bool = typer.Option(
        False,
        "--local-credentials",
        help="Copy AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY from the environment into "
        ".dvc/config.local (ignored by git); without it keys stay in the environment only.",
    ),
    no_check: bool = typer.Option(
        False, "--no-check", help="Write the config without asking the server first."
    ),
    project: Path = PROJECT,
) -> None:
    """Make s3://BUCKET/PREFIX the project's default DVC remote, checked first."""
    from mlproj.remote import add_remote, parse_remote

    with user_errors():
        remote = parse_remote(url, endpoint_url, name)
        add_remote(project, remote, local_credentials=local_credentials, check=not no_check)
    checked = "not checked" if no_check else "checked: the bucket answers"
    typer.echo(f"Default DVC remote: {remote.shown}, {checked}.")
    where = ".dvc/config.local (ignored by git)" if local_credentials else "the environment"
    typer.echo(
        f"Keys: {where}. Commit .dvc/config: git add .dvc/config && "
        "git commit -m 'Store data and models on the DVC remote'"
    )


@app.command("check")
def check(name: str | None = NAME, project: Path = PROJECT) -> None:
    """Ask the remote's server whether the bucket can be listed with the keys set."""
    from mlproj.remote import check_remote

    with user_errors():
        remote = check_remote(project, name).remote
    typer.echo(f"{remote.shown}: reachable, keys accepted, bucket present.")


@app.command("push")
def push(name: str | None = NAME, project: Path = PROJECT) -> None:
    """Check the remote, then `dvc push` the data and models the project tracks."""
    from mlproj.remote import push as push_to

    with user_errors():
        done = push_to(project, name)
    typer.echo(f"Pushed to {done.remote.shown}: {done.summary}")


@app.command("pull")
def pull(
    name: str | None = NAME,
    allow_missing: bool = typer.Option(
        False, "--allow-missing", help="Skip files the remote lacks (`dvc repro` rebuilds them)."
    ),
    project: Path = PROJECT,
) -> None:
    """Check the remote, then `dvc pull` the data and models this commit names."""
    from mlproj.remote import pull as pull_from

    with user_errors():
        done = pull_from(project, name, allow_missing=allow_missing)
    typer.echo(f"Pulled from {done.remote.shown}: {done.summary}")
