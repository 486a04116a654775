"""The pipeline's stages, one module each, run by DVC as `python -m <package>.stages.<name>`.

Each module has a plain `run(cfg)` that tests call directly, and a `main()` that DVC calls.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from omegaconf import DictConfig

if os.environ.get("DVC_STAGE"):
    # Under DVC, Ctrl-C ends a stage at once, even inside a long fit or SHAP computation (where
    # Python would only raise KeyboardInterrupt once it returns), and without a traceback: DVC
    # stops on one line naming the stage, and the next `dvc repro` runs it again. This runs
    # before the stage module imports its libraries, so it holds while they load too.
    signal.signal(signal.SIGINT, signal.SIG_DFL)

# OpenMP threads (scikit-learn's histogram gradient boosting, numpy's BLAS) sleep between
# parallel regions instead of spinning: on a busy or small machine the spinning costs several
# times the CPU of the work itself (penguins' `train`: 41 s of CPU spinning, 4.5 s asleep).
# Set before any library loads the OpenMP runtime; an explicit setting of yours wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def main(run: Callable[[DictConfig], object]) -> None:
    """Run a stage with params.yaml; a data or config problem stops it with its message only."""
    from mlproj.api import UserError

    from {{ cookiecutter.package_name }}.config import load_params

    try:
        run(load_params())
    except UserError as exc:
        sys.exit(str(exc))
