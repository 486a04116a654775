"""The pipeline's stages, one module each, run by DVC as `python -m <package>.stages.<name>`.

Each module has a plain `run(cfg)` that tests call directly, and a `main()` that DVC calls.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from mlproj.api import UserError
from omegaconf import DictConfig

from {{ cookiecutter.package_name }}.config import load_params


def main(run: Callable[[DictConfig], object]) -> None:
    """Run a stage with params.yaml; a data or config problem stops it with its message only."""
    try:
        run(load_params())
    except UserError as exc:
        sys.exit(str(exc))
