"""Every production incident marked fixed stays fixed (see tests/regressions/README.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
from mlproj.api import check_suite

from {{ cookiecutter.package_name }}.config import load_params

from tests.conftest import ROOT


def test_fixed_incidents_stay_fixed() -> None:
    model = ROOT / load_params(ROOT / "params.yaml").paths.model
    if not Path(model).exists():
        pytest.skip(f"no trained model at {model}: run `dvc repro` (or `dvc pull`) first")
    check_suite(ROOT)
