"""`dvc exp run` refuses a hand edit of params.yaml instead of silently discarding it.

Before any stage runs, `dvc exp run` stashes the workspace, re-applies it, composes conf/ with
the `-S` overrides and writes the result over params.yaml (dvc #8486): a hand edit is gone by
the time the pipeline's first stage (`mlproj params refresh`) could notice, and that stage is
even skipped when nothing it depends on changed. So the check runs during that composition:
Hydra loads the generated project's plugin (`hydra_plugins/mlproj_params_guard.py`; DVC scans
the project root, its `hydra.plugins_path`), which calls `guard_experiment_params`. The failed
run leaves the workspace as it was, edit included, and prints the message `dvc repro` gives.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mlproj.errors import UserError
from mlproj.project.params import EXPERIMENT_ENV, check_hand_edit

# The module of DVC that composes params.yaml for `dvc exp run` (and `--queue`).
_EXPERIMENTS = "dvc.repo.experiments.queue.base"
_checking = False


def guard_experiment_params(project: Path) -> None:
    """Stop DVC's experiment composition if PROJECT's params.yaml holds a hand edit.

    Does nothing in any other composition: a stage, the project's tests, mlproj's own
    (which runs this plugin again, from inside the check).
    """
    global _checking
    if _checking or _EXPERIMENTS not in sys.modules or os.environ.get(EXPERIMENT_ENV):
        return
    _checking = True
    try:
        with _own_hydra():
            check_hand_edit(project)
    except UserError as exc:
        from dvc.exceptions import DvcException

        # DVC prints a DvcException as `ERROR: <message>`, anything else as a crash.
        raise DvcException(str(exc)) from None
    finally:
        _checking = False


@contextmanager
def _own_hydra() -> Iterator[None]:
    """Compose conf/ in the middle of DVC's composition: set DVC's global Hydra aside meanwhile."""
    from hydra.core.global_hydra import GlobalHydra
    from hydra.core.singleton import Singleton

    saved = Singleton._instances.pop(GlobalHydra, None)
    try:
        yield
    finally:
        Singleton._instances.pop(GlobalHydra, None)
        if saved is not None:
            Singleton._instances[GlobalHydra] = saved
