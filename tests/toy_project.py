"""A toy project for the incident tests: the parts of a generated project the suite reads.

Registered as a pytest plugin in tests/conftest.py, so every test module shares its fixtures.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from mlproj.project.modelio import save_model
from tests.conftest import write

ROWS = "id,x,color,truth\n1,-2.0,red,a\n2,2.0,blue,b\n"

TRAIN = pd.DataFrame({"x": [-3.0, -2.0, -1.0, 1.0, 2.0, 3.0] * 2, "color": ["red", "blue"] * 6})

CONTRACT = """\
columns:
  id:
    kind: integer
    nullable: false
  x:
    kind: numeric
    nullable: true
  color:
    kind: categorical
    nullable: true
    allowed: [blue, red]
  y:
    kind: {target_kind}
    nullable: false
{allowed}"""


def pipeline(estimator: Any) -> Any:
    """Impute, one-hot (refusing unseen colours, so they crash it) and fit ESTIMATOR."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    categorical = Pipeline(
        [
            ("impute", SimpleImputer(strategy="most_frequent")),
            ("onehot", OneHotEncoder(handle_unknown="error")),
        ]
    )
    preprocess = ColumnTransformer(
        [
            ("numeric", SimpleImputer(strategy="median"), ["x"]),
            ("categorical", categorical, ["color"]),
        ]
    )
    return Pipeline([("preprocess", preprocess), ("model", estimator)])


def classifier(inverted: bool = False) -> Any:
    """'a' for negative x, 'b' for positive (or the other way round, a regressed model)."""
    from sklearn.linear_model import LogisticRegression

    labels = ["b" if (x > 0) != inverted else "a" for x in TRAIN["x"]]
    return pipeline(LogisticRegression()).fit(TRAIN, labels)


def regressor(slope: float = 2.0) -> Any:
    """y = SLOPE * x."""
    from sklearn.linear_model import LinearRegression

    return pipeline(LinearRegression()).fit(TRAIN, TRAIN["x"] * slope)


def make_project(root: Path, task: str = "classification", model: Any | None = None) -> Path:
    """The parts of a generated project the suite reads: params, answers, contract, model."""
    write(
        root / "params.yaml",
        f"data:\n  task: {task}\n  target: y\n  raw: data/raw/t.csv\n  contract: data/contract.yaml\n"
        "  numeric: [x]\n  categorical: [color]\npaths:\n  model: models/model.skops\n  reports: reports\n",
    )
    write(root / ".mlproj-answers.yaml", 'package_name: "toy"\n')
    write(root / "toy" / "__init__.py", "")
    write(root / "toy" / "models.py", 'TRUSTED_TYPES = ["numpy.dtype"]\n')
    allowed = "    allowed: [a, b]\n" if task == "classification" else ""
    kind = "categorical" if task == "classification" else "numeric"
    write(root / "data" / "contract.yaml", CONTRACT.format(target_kind=kind, allowed=allowed))
    (root / "tests").mkdir()
    if model is not None:
        save_model(model, root / "models" / "model.skops")
    return root


@pytest.fixture
def forget_toy_package() -> Iterator[None]:
    """Each project is a fresh `toy` package: drop the one the last test imported."""
    yield
    for name in [n for n in sys.modules if n == "toy" or n.startswith("toy.")]:
        del sys.modules[name]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "proj", model=classifier())


DRIFT = """\
drift:
  p_value: 0.01
  psi_warn: 0.1
  psi_fail: 0.25
  max_missing_increase: 0.05
  max_unseen_share: 0.01
  max_out_of_contract_share: 0.01
  prediction_psi: 0.25
  bins: 10
  prediction_rows: 100000
  seed: 42
"""


def make_drift_project(root: Path, rows: int = 400) -> Path:
    """The toy project with what `mlproj drift` reads too: a training split and thresholds."""
    import numpy as np

    make_project(root, model=classifier())
    params = root / "params.yaml"
    text = params.read_text().replace(
        "  numeric:", "  train: data/processed/train.parquet\n  numeric:"
    )
    params.write_text(text + DRIFT)
    rng = np.random.default_rng(7)
    train = pd.DataFrame(
        {
            "id": np.arange(rows),
            "x": rng.normal(0.0, 1.0, rows).round(3),
            "color": rng.choice(["red", "blue"], rows),
        }
    )
    train["y"] = np.where(train["x"] > 0, "b", "a")
    (root / "data" / "processed").mkdir(parents=True)
    train.to_parquet(root / "data" / "processed" / "train.parquet")
    return root


@pytest.fixture
def drift_project(tmp_path: Path) -> Path:
    return make_drift_project(tmp_path / "proj")
