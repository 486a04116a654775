"""Hydra plugin: `dvc exp run` refuses, rather than silently discards, a hand edit of params.yaml.

`dvc exp run` writes the composition of conf/ over params.yaml before any stage runs (dvc
#8486). DVC loads the Hydra plugins of the project root (`hydra.plugins_path`) when it composes
conf/, so this check runs first and stops the experiment with the message `dvc repro` gives.
"""

from pathlib import Path

from hydra.core.config_search_path import ConfigSearchPath
from hydra.plugins.search_path_plugin import SearchPathPlugin

PROJECT = Path(__file__).resolve().parent.parent


class ParamsEditGuard(SearchPathPlugin):
    """Called by Hydra each time it composes conf/; acts only inside `dvc exp run`."""

    def manipulate_search_path(self, search_path: ConfigSearchPath) -> None:
        from mlproj.api import guard_experiment_params

        guard_experiment_params(PROJECT)
