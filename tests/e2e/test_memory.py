"""What a stage holds: the columns it reads, and the libraries it loads before it runs."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import sh

pytestmark = pytest.mark.e2e

# What only the explain stage needs; the others would pay seconds of start-up for them.
EXPLAIN_ONLY = ("shap", "matplotlib")


def python(project: Path, code: str) -> object:
    """Run CODE with the project's package importable; it prints one JSON value."""
    return json.loads(sh(sys.executable, "-c", code, cwd=project).stdout)


def test_stages_other_than_explain_do_not_load_shap_or_matplotlib(penguins: Path) -> None:
    stages = ("ingest", "validate", "split", "train", "evaluate", "explain")
    code = (
        "import json, sys\n"
        + "".join(f"import demo.stages.{stage}\n" for stage in stages)
        + f"print(json.dumps(sorted(m for m in {EXPLAIN_ONLY!r} if m in sys.modules)))"
    )
    # Importing explain loads neither: mlproj.api imports them when an explanation is drawn.
    assert python(penguins, code) == []


def test_read_table_reads_only_the_columns_named(penguins: Path) -> None:
    code = """
import json
from demo.data import read_table
parquet = read_table("data/processed/test.parquet", ["sex", "species", "not_here"])
full = read_table("data/processed/test.parquet")
csv = read_table("data/raw/penguins.csv", ["year", "island"])
print(json.dumps({
    "parquet": list(parquet.columns),
    "same_rows": parquet.index.equals(full.index),
    "csv": list(csv.columns),
    "csv_rows": len(csv),
}))
"""
    # File order, not the order asked; a column the file lacks is left for the caller to name.
    assert python(penguins, code) == {
        "parquet": ["species", "sex"],
        "same_rows": True,
        "csv": ["island", "year"],
        "csv_rows": 344,
    }


def test_stage_threads_sleep_rather_than_spin_unless_the_user_says(penguins: Path) -> None:
    code = "import json, os, demo.stages; print(json.dumps(os.environ['OMP_WAIT_POLICY']))"
    assert python(penguins, code) == "PASSIVE"
    mine = sh(sys.executable, "-c", code, cwd=penguins, env={"OMP_WAIT_POLICY": "ACTIVE"})
    assert json.loads(mine.stdout) == "ACTIVE"
