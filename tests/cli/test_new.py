"""`mlproj new` from the command line: every bad input gets one line, and nothing is left."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mlproj.cli import app
from tests.conftest import PENGUINS_HEADER, listing, write

runner = CliRunner()


@pytest.mark.parametrize(
    ("content", "target", "message"),
    [
        (None, "y", "{data}: no such file."),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "y",
            "{data}: a NUL byte at offset 8; a CSV file is text, and this one is binary or damaged from there on.",
        ),
        ("", "y", "{data}: the file is empty."),
        ("a,y\n", "y", "{data}: the file has a header but no rows."),
        ("a,b\n1,2\n3,4\n", "y", "{data}: target column 'y' not found (columns: a, b)."),
        (
            "a,y\n1,x\n2,x\n",
            "y",
            "{data}: target column 'y' has a single class ('x'); a classifier needs at least two.",
        ),
        ("a,y\n1,\n2,\n", "y", "{data}: target column 'y' has no values."),
        ("a,y,a\n1,2,3\n", "y", "{data}: duplicate column names: a."),
    ],
    ids=[
        "missing",
        "binary",
        "empty",
        "header-only",
        "no-target",
        "one-class",
        "target-all-missing",
        "duplicate-columns",
    ],
)
def test_bad_data_is_refused_and_nothing_is_written(
    tmp_path: Path, content: str | bytes | None, target: str, message: str
) -> None:
    data = tmp_path / "in" / "data.csv"
    if content is not None:
        write(data, content)
    out = tmp_path / "out"
    out.mkdir()
    result = runner.invoke(
        app, ["new", "demo", "--no-input", "-o", str(out), "--data", str(data), "--target", target]
    )
    assert result.exit_code == 4
    assert result.stderr == f"Error: {message.format(data=data)}\n"
    assert listing(out) == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "a/b",
            "Error: Project name 'a/b' contains a path separator or '..'; give a plain name and use --output-dir for the location.\n",
        ),
        (
            "..",
            "Error: Project name '..' contains a path separator or '..'; give a plain name and use --output-dir for the location.\n",
        ),
        ("   ", "Error: Project name is empty.\n"),
        ("import", "Error: Project name 'import' is a Python keyword; choose another name.\n"),
        ("dvc", "Error: Project name 'dvc' would shadow the module 'dvc'; choose another name.\n"),
    ],
    ids=["slash", "dotdot", "spaces", "keyword", "shadows-dependency"],
)
def test_bad_names_are_refused(tmp_path: Path, name: str, message: str) -> None:
    result = runner.invoke(app, ["new", name, "--no-input", "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr == message
    assert listing(tmp_path) == []


def test_existing_destination_is_left_untouched(tmp_path: Path) -> None:
    keep = write(tmp_path / "demo" / "notes.txt", "mine")
    result = runner.invoke(app, ["new", "demo", "--no-input", "-o", str(tmp_path)])
    assert result.exit_code == 3
    assert (
        result.stderr
        == f"Error: {tmp_path / 'demo'} already exists and is not empty; left untouched.\n"
    )
    assert keep.read_text() == "mine"
    assert listing(tmp_path) == ["demo", "demo/notes.txt"]


def test_output_dir_that_is_not_writable(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        locked = Path("/sys")  # not writable even by root
    else:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
    result = runner.invoke(app, ["new", "demo", "--no-input", "-o", str(locked)])
    assert result.exit_code == 2
    assert result.stderr == f"Error: --output-dir {locked} is not writable.\n"


def test_output_dir_that_is_missing(tmp_path: Path) -> None:
    result = runner.invoke(app, ["new", "demo", "--no-input", "-o", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert result.stderr == f"Error: --output-dir {tmp_path / 'nope'} is not a folder.\n"


def test_data_without_target(tmp_path: Path) -> None:
    data = write(tmp_path / "d.csv", PENGUINS_HEADER + "\n")
    result = runner.invoke(
        app, ["new", "demo", "--no-input", "-o", str(tmp_path), "--data", str(data)]
    )
    assert result.exit_code == 2
    assert result.stderr == "Error: --data needs --target COLUMN: the column to predict.\n"


def test_regression_on_a_text_target(tmp_path: Path) -> None:
    data = write(tmp_path / "d.csv", "a,y\n1,x\n2,z\n3,x\n")
    result = runner.invoke(
        app,
        [
            "new",
            "demo",
            "--no-input",
            "-o",
            str(tmp_path),
            "--data",
            str(data),
            "--target",
            "y",
            "--task",
            "regression",
        ],
    )
    assert result.exit_code == 4
    assert result.stderr == (
        f"Error: {data}: target column 'y' is not numeric, so it cannot be a regression target; use --task classification.\n"
    )
    assert listing(tmp_path) == ["d.csv"]


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--debug", "new", "a/b", "--no-input", "-o", str(tmp_path)])
    assert result.exit_code == 1
    assert type(result.exception).__name__ == "InvalidName"


@pytest.mark.parametrize(
    ("platform", "opener"),
    [
        ("linux", "xdg-open reports/explain.html"),
        ("darwin", "open reports/explain.html"),
        ("win32", "start reports\\explain.html"),
    ],
    ids=["linux", "macos", "windows"],
)
def test_the_panel_names_the_stages_of_dvc_yaml_and_the_platforms_opener(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, platform: str, opener: str
) -> None:
    """Issue 17 item 11: the panel listed five stages of ten and said `open` on Linux too."""
    from mlproj.data.dataset import DataProfile
    from mlproj.scaffold import new as scaffold_new

    stages = ("params", "ingest", "validate", "split", "train", "regression", "evaluate")

    def made(name: str, output_dir: Path, **_: object) -> scaffold_new.NewProject:
        profile = DataProfile("classification", "species", ("a",), ("b",), (), 10)
        return scaffold_new.NewProject(tmp_path / name, name, profile, stages)

    monkeypatch.setattr(scaffold_new, "new_project", made)
    monkeypatch.setattr("sys.platform", platform)
    result = runner.invoke(app, ["new", "demo", "--no-input", "--no-run"])
    assert result.exit_code == 0, result.output
    lines = [line.strip("│ ") for line in result.stdout.splitlines()]
    assert "Pipeline (dvc.yaml): " + " → ".join(stages) in lines
    assert "dvc repro          # the 7 stages above: trains the baseline" in lines
    assert "dvc exp show --only-changed" in lines
    assert f"{opener}   # the SHAP report" in lines


def test_a_source_ci_cannot_reach_is_one_warning_on_stderr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlproj.data.dataset import DataProfile
    from mlproj.scaffold import new as scaffold_new

    warning = 'mlproj was installed from "/src/mlproj" on this machine, which CI cannot reach: [x]'
    made = scaffold_new.NewProject(
        path=tmp_path / "demo",
        package="demo",
        data=DataProfile(
            target="species",
            task="classification",
            numeric=(),
            categorical=(),
            identifiers=(),
            rows=3,
        ),
        warning=warning,
    )
    monkeypatch.setattr(scaffold_new, "new_project", lambda *args, **kwargs: made)
    result = runner.invoke(app, ["new", "demo", "--no-input", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.stderr == f"Warning: {warning}\n"
    assert "Warning" not in result.stdout


@pytest.mark.parametrize("quiet", [[], ["--quiet"], ["-q"]], ids=["steps", "quiet", "q"])
def test_steps_and_stages_are_lines_off_a_terminal_and_quiet_prints_only_the_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, quiet: list[str]
) -> None:
    from mlproj._core.progress import Progress, StageEnded, StageStarted, table_size
    from mlproj.data.dataset import DataProfile
    from mlproj.scaffold import new as scaffold_new

    def made(
        name: str, output_dir: Path, on_step: Progress, **_: object
    ) -> scaffold_new.NewProject:
        on_step("Reading big.csv")
        on_step(table_size(1_000_000, 20))
        on_step("Running the pipeline once (dvc repro) for a baseline; Ctrl-C skips the rest")
        on_step(StageStarted("train"))
        on_step(StageEnded("train", 12.34))
        profile = DataProfile("classification", "species", ("a",), ("b",), (), 10)
        return scaffold_new.NewProject(tmp_path / name, name, profile, ("train",))

    monkeypatch.setattr(scaffold_new, "new_project", made)
    result = runner.invoke(app, ["new", "demo", "--no-input", *quiet])
    assert result.exit_code == 0, result.output
    steps = [
        "• Reading big.csv",
        "  1,000,000 rows × 20 columns",
        "• Running the pipeline once (dvc repro) for a baseline; Ctrl-C skips the rest",
        "  ✓ train          12.3 s",
    ]
    shown = [] if quiet else steps
    lines = result.stdout.splitlines()
    assert lines[: len(shown)] == shown
    assert lines[len(shown)].startswith("Classification of species from 2 features")
