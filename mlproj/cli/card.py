"""`mlproj card`: write MODEL_CARD.md from the pipeline's outputs and model-card.yaml.

Exit codes: 22 a required output (metrics.json, the data contract) is missing, or an output
that exists cannot be read; 23 model-card.yaml has an unknown field or a wrong type; 5 bad
params.yaml; 6 outside a project; 9 a malformed incident record.
"""

from __future__ import annotations

from pathlib import Path

import typer

from mlproj.cli._boundary import user_errors
from mlproj.cli._shared import PROJECT


def card(
    project: Path = PROJECT,
) -> None:
    """Write MODEL_CARD.md: metrics beside the baseline, slices, gates, features, incidents."""
    from mlproj.card.write import write_card

    with user_errors():
        written = write_card(project)
    typer.echo(f"Wrote {written.path}")
    if written.not_written:
        fields = ", ".join(name.lower() for name in written.not_written)
        typer.echo(f"• Not written yet in model-card.yaml: {fields}")
