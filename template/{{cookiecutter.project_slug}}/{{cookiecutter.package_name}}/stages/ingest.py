"""Write the demo data, the Palmer penguins table shipped with `palmerpenguins`, to data/raw.

Replace this stage with one that fetches your own data, or delete it and track your file with
`dvc add data/raw/yours.csv` (then point `data.raw` in conf/data/default.yaml at it).
"""

from __future__ import annotations

from pathlib import Path

from omegaconf import DictConfig
from palmerpenguins import load_penguins

from {{ cookiecutter.package_name }}.stages import main


def run(cfg: DictConfig) -> Path:
    """Write the table as CSV where the rest of the pipeline reads it."""
    path = Path(cfg.data.raw)
    path.parent.mkdir(parents=True, exist_ok=True)
    load_penguins().to_csv(path, index=False)
    return path


if __name__ == "__main__":
    main(run)
