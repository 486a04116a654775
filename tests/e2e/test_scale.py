"""`mlproj new --data` on a 200,000-row table shaped like real exports: it must finish quickly,
keep its model small, leave out or cap the columns no model should one-hot, and say what runs.

One run (module-scoped, not a TTY) serves every test. The table holds what breaks naive
defaults: free text (mostly unique multi-word strings), a row identifier, ISO dates and a
categorical of about 5,000 levels, beside ordinary numeric and categorical columns.
The timed benchmark is bench/scale.py; this test only bounds the run so CI notices a regression.

Before the bounded defaults and column roles, `train` one-hot encoded the free-text column into
a dense matrix and passed 11 GiB of memory on the 2-core machine before it was stopped.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from tests.e2e.conftest import BIN

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROWS = 200_000
TEXT, IDENTIFIER, DATE, HIGH_CARDINALITY = "review", "passenger_id", "booked_on", "ticket_office"
# Generous beside the ~60 s the run should take on a quiet 2-core machine: a hang fails, it
# does not stall CI.
TIMEOUT = 600
MAX_MODEL_MB = 50


def write_table(path: Path, rows: int = ROWS, seed: int = 13) -> None:
    """The table, built with numpy in about a second."""
    rng = np.random.default_rng(seed)
    vocabulary = np.array([f"w{k}" for k in range(800)])
    words = vocabulary[rng.integers(0, len(vocabulary), (rows, 6))].tolist()
    review = [" ".join(row) for row in words]
    days = rng.integers(0, 3 * 365, rows).astype("timedelta64[D]")
    offices = (5_000 * rng.random(rows) ** 2).astype(np.int64)  # skewed: a few large offices
    age = rng.normal(35, 12, rows).round(1)
    age[rng.random(rows) < 0.05] = np.nan
    fare = rng.lognormal(3, 1, rows).round(2)
    klass = rng.integers(1, 4, rows)
    port = np.array(["C", "Q", "S"])[rng.integers(0, 3, rows)]
    score = -0.03 * np.nan_to_num(age - 35) + 0.4 * np.log(fare) - 0.6 * klass + (port == "C")
    frame = pd.DataFrame(
        {
            IDENTIFIER: rng.permutation(rows) + 1_000_000,
            "age": age,
            "fare": fare,
            "siblings": rng.poisson(0.5, rows),
            "deck": np.array(list("ABCDEFG"))[rng.integers(0, 7, rows)],
            "pclass": np.array(["first", "second", "third"])[klass - 1],
            "embarked": port,
            TEXT: review,
            DATE: np.datetime_as_string(np.datetime64("2024-01-01") + days),
            HIGH_CARDINALITY: pd.Series(offices).map("office-{}".format),
            "survived": (score + rng.normal(0, 1, rows) > 0).astype(np.int64),
        }
    )
    frame.to_parquet(path, index=False)


@dataclass
class Made:
    """What one `mlproj new` run left: its exit code (None: timed out), output and folder."""

    code: int | None
    output: str
    project: Path


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Made:
    work = tmp_path_factory.mktemp("scale")
    home = tmp_path_factory.mktemp("scale-home")
    config = home / "cookiecutter.yaml"
    config.write_text(f"replay_dir: {home / 'replay'}\ncookiecutters_dir: {home / 'cc'}\n")
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(home),
        "COOKIECUTTER_CONFIG": str(config),
        "GIT_CONFIG_GLOBAL": str(home / ".gitconfig"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "DVC_NO_ANALYTICS": "1",
    }
    data = work / "passengers.parquet"
    write_table(data)
    args = [sys.executable, "-m", "mlproj", "new", "big", "--data", str(data)]
    args += ["--target", "survived", "--no-input", "-o", str(work)]
    # stdin is not a terminal, as in CI: progress must still name what runs, in plain lines.
    # Its own session, so a run past TIMEOUT is stopped with DVC and the stage it started.
    with subprocess.Popen(
        args, cwd=work, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, start_new_session=True,
    ) as proc:  # fmt: skip
        try:
            output, _ = proc.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            output, _ = proc.communicate()
            return Made(None, output, work / "big")
    return Made(proc.returncode, output, work / "big")


def data_config(made: Made) -> tuple[dict[str, object], str]:
    path = made.project / "conf" / "data" / "default.yaml"
    assert path.is_file(), f"no {path}; mlproj new said:\n{made.output[-3000:]}"
    text = path.read_text()
    return yaml.safe_load(text), text


def features(config: dict[str, object]) -> set[str]:
    """Every column some feature list of conf/data names."""
    listed: set[str] = set()
    for key in ("numeric", "categorical"):
        value = config.get(key)
        if isinstance(value, list):
            listed.update(map(str, value))
    return listed


def near(text: str, column: str, pattern: str) -> bool:
    """Whether a line naming COLUMN, or one of the three either side of it, matches PATTERN."""
    lines = text.splitlines()
    return any(
        re.search(pattern, "\n".join(lines[max(0, i - 3) : i + 4]), re.IGNORECASE)
        for i, line in enumerate(lines)
        if re.search(rf"\b{column}\b", line)
    )


def test_the_identifier_is_left_out(made: Made) -> None:
    """A column with a distinct integer on every row names rows: it is no feature."""
    config, text = data_config(made)
    assert IDENTIFIER not in features(config)
    assert near(text, IDENTIFIER, r"identif"), text


def test_the_first_run_finishes_with_a_small_model(made: Made) -> None:
    assert made.code == 0, f"exit {made.code} (None: over {TIMEOUT} s):\n{made.output[-3000:]}"
    model = made.project / "models" / "model.skops"
    assert model.is_file()
    assert model.stat().st_size <= MAX_MODEL_MB * 1024 * 1024


def test_conf_data_leaves_out_text_and_caps_high_cardinality(made: Made) -> None:
    """Left-out columns are listed in conf/data with the reason."""
    config, text = data_config(made)
    listed = features(config)
    assert TEXT not in listed
    assert near(text, TEXT, r"text"), text
    assert near(text, HIGH_CARDINALITY, r"cap|max_categories|min_frequency|target.encod"), text
    # Dates are expanded into calendar features or left out, and conf/data says which.
    assert near(text, DATE, r"date|calendar|time"), text


def test_mlproj_new_lists_the_roles_it_found(made: Made) -> None:
    """What `mlproj new` prints names the columns it left out or capped."""
    for column in (TEXT, IDENTIFIER, HIGH_CARDINALITY):
        assert column in made.output, made.output[-3000:]


def test_the_output_names_each_stage_as_it_runs(made: Made) -> None:
    """Each DVC stage is named as it starts, even when not a terminal.

    The one-line pipeline summary (`params → validate → ...`) does not count.
    """
    stages = yaml.safe_load((made.project / "dvc.yaml").read_text())["stages"]
    lines = [line for line in made.output.splitlines() if "→" not in line]
    missing = [s for s in stages if not any(re.search(rf"\b{s}\b", line) for line in lines)]
    assert not missing, f"stages never named: {missing}\n{made.output[-3000:]}"
