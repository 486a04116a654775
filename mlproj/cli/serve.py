"""`mlproj serve`: the released model over HTTP, each answer in the prediction log.

Exit codes: 36 the model cannot be served (nothing in the stage, an unknown version, the port
in use, a contract column starting with `_`, a bad --share, --shadow with --canary); 6 outside
a project; 8 a model holding untrusted types; 4 a model file that is missing or damaged.
"""

from __future__ import annotations

from pathlib import Path

import typer

from mlproj.cli._boundary import user_errors
from mlproj.cli._shared import PROJECT


def serve(
    stage: str = typer.Option(
        "prod", "--stage", help="Serve the version this registry stage holds."
    ),
    version: str | None = typer.Option(
        None, "--version", help="Serve this registered version (v1.2.0) instead of a stage's."
    ),
    model: Path | None = typer.Option(
        None,
        "--model",
        help="Serve this model file, held to today's contract: the workspace model "
        "(models/model.skops), as CI's pre-production step does.",
    ),
    host: str | None = typer.Option(
        None, "--host", help="The address to listen on (default serve.host: 127.0.0.1)."
    ),
    port: int | None = typer.Option(
        None, "--port", min=0, max=65535, help="The port (default serve.port: 8000)."
    ),
    shadow: str | None = typer.Option(
        None,
        "--shadow",
        help="Also score every request with this version and log it; answer with the primary.",
    ),
    canary: str | None = typer.Option(
        None,
        "--canary",
        help="Answer a seeded share of requests (--share) with this version.",
    ),
    share: float | None = typer.Option(
        None,
        "--share",
        help="The canary's share of requests, in (0, 1] (default serve.canary.share).",
    ),
    project: Path = PROJECT,
) -> None:
    """Serve the model over HTTP: POST /predict, GET /health, /version, /metrics.

    Each request's rows are held to the data contract (422 naming row, column and rule),
    answered, and written to the prediction log (serve.log.path) in batches. SIGTERM or
    Ctrl-C finishes the requests in flight and writes the rows still queued; SIGKILL loses
    at most the batch not yet written.
    """
    from mlproj.serve import serve as run

    with user_errors():
        run(
            project,
            stage=stage,
            version=version,
            model=model,
            host=host,
            port=port,
            shadow=shadow,
            canary=canary,
            share=share,
        )
