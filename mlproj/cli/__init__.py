"""The `mlproj` command line: parses arguments, calls the library, prints what it returns."""

from __future__ import annotations

import signal
from types import FrameType

import typer

from mlproj.cli import card as card_command
from mlproj.cli import contract as contract_command
from mlproj.cli import drift as drift_command
from mlproj.cli import feedback as feedback_command
from mlproj.cli import flow as flow_command
from mlproj.cli import gates as gates_command
from mlproj.cli import monitor as monitor_command
from mlproj.cli import new as new_command
from mlproj.cli import params as params_command
from mlproj.cli import predict as predict_command
from mlproj.cli import registry as registry_command
from mlproj.cli import regression as regression_command
from mlproj.cli import remote as remote_command
from mlproj.cli import reproduce as reproduce_command
from mlproj.cli import review as review_command
from mlproj.cli import score as score_command
from mlproj.cli import serve as serve_command
from mlproj.cli import smoke as smoke_command
from mlproj.cli import sweep as sweep_command
from mlproj.cli import update as update_command
from mlproj.cli import versions as versions_command
from mlproj.cli._boundary import state

app = typer.Typer(
    name="mlproj",
    help="Declarative, git-centric machine-learning projects: DVC, Hydra, SHAP, enforced review.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # Plain help: rendering it with rich costs ~120 ms, a third of the start-up budget.
    rich_markup_mode=None,
)
app.command("new")(new_command.new)
app.add_typer(params_command.app, name="params")
app.command("add-regression")(regression_command.add_regression)
app.add_typer(regression_command.app, name="regression")
app.add_typer(flow_command.app, name="flow")
app.add_typer(review_command.app, name="review")
app.add_typer(registry_command.app, name="registry")
app.command("drift")(drift_command.drift)
app.command("predict")(predict_command.predict)
app.add_typer(gates_command.app, name="gates")
app.command("reproduce")(reproduce_command.reproduce)
app.command("card")(card_command.card)
app.command("update")(update_command.update)
app.command("score")(score_command.score)
app.add_typer(contract_command.app, name="contract")
app.command("sweep")(sweep_command.sweep)
app.command("serve")(serve_command.serve)
app.command("smoke")(smoke_command.smoke)
app.command("feedback")(feedback_command.feedback)
app.command("compare-versions")(versions_command.compare_versions)
app.command("monitor")(monitor_command.monitor)
app.add_typer(remote_command.app, name="remote")


def _print_version(value: bool) -> None:
    if value:
        from mlproj import __version__

        typer.echo(f"mlproj {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(
        False, "--version", callback=_print_version, is_eager=True, help="Print the version."
    ),
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of an error."),
) -> None:
    """Scaffold and run machine-learning projects the way good software is built."""
    state.debug = debug


def main() -> None:
    """Entry point of the `mlproj` console script."""
    signal.signal(signal.SIGTERM, _unwind)
    app()


def _unwind(signum: int, frame: FrameType | None) -> None:
    """SIGTERM unwinds like Ctrl-C: `finally` blocks remove staging folders and end children.

    A second SIGTERM, during that clean-up, ends mlproj at once.
    """
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    raise SystemExit(128 + signum)
