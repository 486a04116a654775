"""`mlproj smoke URL`: post-deployment tests of a running service; exit 37 when one fails.

Exit codes: 0 every check passed; 37 a check failed or the service never answered (one line
naming each failed check, after the table); 4 an incident's rows cannot be read; 5 bad
`serve` settings in params.yaml; 6 outside a project.
"""

from __future__ import annotations

from pathlib import Path

import typer

from mlproj.cli._boundary import user_errors
from mlproj.cli._shared import PROJECT


def smoke(
    url: str = typer.Argument(
        ..., help="The service's base address, such as http://127.0.0.1:8000."
    ),
    expect_version: str | None = typer.Option(
        None, "--expect-version", help="Fail unless /version reports this model version (v1.2.0)."
    ),
    wait: float = typer.Option(
        0.0,
        "--wait",
        min=0,
        help="Seconds to wait for /health to answer, for a service still starting (0: one try).",
    ),
    requests: int = typer.Option(
        50,
        "--requests",
        min=0,
        help="Single-row requests timed for p50/p95 latency against serve.latency (0: skip).",
    ),
    project: Path = PROJECT,
) -> None:
    """Test a running `mlproj serve` as its clients will use it, after each deployment.

    Checks /health and /version (and --expect-version), the data contract it runs, answers on
    the contract's sample rows (alone and in one batch: classes the contract allows, or finite
    numbers), a 422 for a row that breaks the contract, every fixed incident's expectation, and
    p50/p95 latency against conf/serve. Prints one line per check.
    """
    from mlproj.deploy import smoke as run_smoke

    with user_errors():
        result = run_smoke(
            project, url, expect_version=expect_version, wait_seconds=wait, requests=requests
        )
    width = max(len(check.name) for check in result.checks)
    for check in result.checks:
        mark = "✓" if check.passed else "✗"
        typer.echo(f"{mark} {check.name:<{width}}  {check.detail}")
    passed = len(result.checks) - len(result.failed)
    typer.echo(f"{passed} of {len(result.checks)} checks passed against {result.url}.")
    with user_errors():
        result.check()
