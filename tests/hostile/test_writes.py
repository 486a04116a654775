"""Writes that cannot happen: a full disk, a read-only project, a folder where a file goes, a
name too long, a destination that is a symbolic link.

Each case asserts the exit code, one line naming the target, no traceback, and that nothing
changed: the folders involved are listed (with sizes and times) before and after. Full disks
and read-only mounts need root and are skipped without it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mlproj.cli import app
from tests.card.test_write import build_project
from tests.conftest import write
from tests.hostile._cli import assert_error_is
from tests.hostile.faults import (
    fill_up,
    full_disk,
    read_only,
    snapshot,
)
from tests.toy_project import make_drift_project

pytestmark = pytest.mark.usefixtures("forget_toy_package")

runner = CliRunner()
FULL = "No space left on device; free some space and run it again"
READ_ONLY = "Read-only file system; write somewhere writable"
TOO_LONG = "File name too long; choose a shorter name"
LONG = "n" * 300
ROWS = "id,x,color,truth\n1,-2.0,red,a\n2,2.0,blue,b\n"
TRUTH = ["--expected-column", "truth"]
BATCH = "id,x,color\n1,0.5,red\n2,-0.5,blue\n"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A toy project `add-regression` and `drift` work in, built once and copied per case."""
    return make_drift_project(tmp_path_factory.mktemp("writes") / "proj")


def copy_into(built: Path, folder: Path) -> Path:
    project = folder / "proj"
    shutil.copytree(built, project, symlinks=True)
    return project


def without_filler(state: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
    """A full disk's listing without the file that fills it (and the mount point's times)."""
    return {k: v for k, v in state.items() if not k.endswith(".filler")}


# ---------------------------------------------------------------- mlproj new on a full disk


@pytest.mark.parametrize("size", ["64k", "128k"], ids=["64k-render", "128k-render"])
def test_new_on_a_full_disk_leaves_nothing(tmp_path: Path, size: str) -> None:
    with full_disk(tmp_path / "disk", size) as disk:
        result = runner.invoke(app, ["new", "demo", "--no-input", "--no-run", "-o", str(disk)])
        assert_error_is(result, 24, f"Cannot write the project in {disk}: {FULL}.")
        assert sorted(p.name for p in disk.iterdir()) == []


def test_new_that_fills_the_disk_in_git_leaves_nothing(tmp_path: Path) -> None:
    """Past the render the disk fills in git or dvc: the tool's one line, no traces."""
    with full_disk(tmp_path / "disk", "320k") as disk:
        result = runner.invoke(app, ["new", "demo", "--no-input", "--no-run", "-o", str(disk)])
        assert result.exit_code in (7, 24), result.output
        assert result.stderr.count("\n") == 1
        assert "No space left on device" in result.stderr
        assert "Traceback" not in result.output
        assert sorted(p.name for p in disk.iterdir()) == []


# ------------------------------------------------------- add-regression, drift and card


def test_add_regression_on_a_full_disk(built: Path, tmp_path: Path) -> None:
    with full_disk(tmp_path / "disk", "2m") as disk:
        project = copy_into(built, disk)
        rows = write(tmp_path / "rows.csv", ROWS)
        fill_up(disk)
        before = without_filler(snapshot(disk, tmp_path / "rows.csv"))
        result = runner.invoke(
            app, ["add-regression", "INC-9", "--rows", str(rows), "-p", str(project), *TRUTH]
        )
        assert_error_is(result, 24, f"Cannot write tests/regressions/INC-9 in {project}: {FULL}.")
        assert without_filler(snapshot(disk, tmp_path / "rows.csv")) == before


def test_add_regression_in_a_read_only_project(built: Path, tmp_path: Path) -> None:
    project = copy_into(built, tmp_path)
    rows = write(tmp_path / "rows.csv", ROWS)
    before = snapshot(project)
    with read_only(project):
        result = runner.invoke(
            app, ["add-regression", "INC-9", "--rows", str(rows), "-p", str(project), *TRUTH]
        )
    assert_error_is(result, 24, f"Cannot write tests/regressions/INC-9 in {project}: {READ_ONLY}.")
    assert snapshot(project) == before


def test_drift_into_a_full_disk(built: Path, tmp_path: Path) -> None:
    project = copy_into(built, tmp_path)
    batch = write(tmp_path / "batch.csv", BATCH)
    with full_disk(tmp_path / "disk", "64k", fill=True) as disk:
        before = snapshot(project, disk)
        result = runner.invoke(
            app, ["drift", str(batch), "-p", str(project), "--output-dir", str(disk)]
        )
        assert_error_is(result, 24, f"Cannot write {disk / 'drift.json'}: {FULL}.")
        assert snapshot(project, disk) == before


def test_drift_in_a_read_only_project(built: Path, tmp_path: Path) -> None:
    project = copy_into(built, tmp_path)
    batch = write(tmp_path / "batch.csv", BATCH)
    before = snapshot(project)
    with read_only(project):
        result = runner.invoke(app, ["drift", str(batch), "-p", str(project)])
    report = project / "reports" / "drift" / "drift.json"
    assert_error_is(result, 24, f"Cannot write {report}: {READ_ONLY}.")
    assert snapshot(project) == before


def test_drift_output_dir_that_is_a_file(built: Path, tmp_path: Path) -> None:
    project = copy_into(built, tmp_path)
    batch = write(tmp_path / "batch.csv", BATCH)
    blocker = write(tmp_path / "report", "a file\n")
    before = snapshot(tmp_path)
    result = runner.invoke(
        app, ["drift", str(batch), "-p", str(project), "--output-dir", str(blocker)]
    )
    message = f"Cannot write {blocker / 'drift.json'}: {blocker} is a file, not a folder."
    assert_error_is(result, 24, message)
    assert snapshot(tmp_path) == before


def test_card_on_a_full_disk(tmp_path: Path) -> None:
    with full_disk(tmp_path / "disk", "256k") as disk:
        project = build_project(disk / "proj")
        fill_up(disk)
        before = without_filler(snapshot(disk))
        result = runner.invoke(app, ["card", "-p", str(project)])
        assert_error_is(result, 24, f"Cannot write {project / 'MODEL_CARD.md'}: {FULL}.")
        assert without_filler(snapshot(disk)) == before


def test_card_in_a_read_only_project(tmp_path: Path) -> None:
    project = build_project(tmp_path / "proj")
    before = snapshot(project)
    with read_only(project):
        result = runner.invoke(app, ["card", "-p", str(project)])
    assert_error_is(result, 24, f"Cannot write {project / 'MODEL_CARD.md'}: {READ_ONLY}.")
    assert snapshot(project) == before


# --------------------------------------------------------- -o naming a folder, long names


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(["review", "report", "--base", "main"], id="review-report"),
        pytest.param(["registry", "get", "prod"], id="registry-get"),
    ],
)
@pytest.mark.parametrize(
    ("target", "reason"),
    [
        pytest.param("out", "it is a folder; name a file to write.", id="existing-folder"),
        pytest.param("file/out.md", "{tmp}/file is a file, not a folder.", id="under-a-file"),
        pytest.param(LONG, f"{TOO_LONG}.", id="300-character-name"),
    ],
)
def test_output_that_cannot_be_a_file_is_refused_before_any_work(
    tmp_path: Path, command: list[str], target: str, reason: str
) -> None:
    (tmp_path / "out").mkdir()
    write(tmp_path / "file", "a file\n")
    output = tmp_path / target
    before = snapshot(tmp_path)
    result = runner.invoke(app, [*command, "-o", str(output), "-p", str(tmp_path / "out")])
    message = f"Cannot write {output}: {reason.format(tmp=tmp_path)}"
    assert_error_is(result, 24, message)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    "name",
    [pytest.param(LONG, id="300-ascii"), pytest.param("é" * 60 + "n" * 201, id="261-after-slug")],
)
def test_a_name_too_long_for_a_folder(tmp_path: Path, name: str) -> None:
    result = runner.invoke(app, ["new", name, "--no-input", "-o", str(tmp_path)])
    # Non-ASCII letters are transliterated (é -> e), never dropped.
    slug = "n" * len(name) if name.isascii() else "e" * 60 + "n" * 201
    assert_error_is(
        result,
        2,
        f"Project name gives a folder name of {len(slug)} characters ({slug[:20]}...); "
        "keep it under 200.",
    )
    assert list(tmp_path.iterdir()) == []


def test_drift_output_dir_with_a_name_too_long(built: Path, tmp_path: Path) -> None:
    project = copy_into(built, tmp_path)
    batch = write(tmp_path / "batch.csv", BATCH)
    out = tmp_path / LONG
    before = snapshot(tmp_path)
    result = runner.invoke(app, ["drift", str(batch), "-p", str(project), "--output-dir", str(out)])
    assert_error_is(result, 24, f"Cannot write {out / 'drift.json'}: {TOO_LONG}.")
    assert snapshot(tmp_path) == before


def test_an_incident_id_too_long(built: Path, tmp_path: Path) -> None:
    project = copy_into(built, tmp_path)
    rows = write(tmp_path / "rows.csv", ROWS)
    before = snapshot(project)
    result = runner.invoke(
        app, ["add-regression", LONG, "--rows", str(rows), "-p", str(project), *TRUTH]
    )
    assert result.exit_code == 9, result.output
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.output
    assert snapshot(project) == before


# ------------------------------------------------- destinations that are symbolic links


@pytest.mark.parametrize(
    "link",
    [
        pytest.param(lambda d: d / "elsewhere", id="to-an-empty-folder"),
        pytest.param(lambda d: d / "gone", id="dangling"),
        pytest.param(lambda d: write(d / "file", "x\n"), id="to-a-file"),
    ],
)
def test_new_refuses_a_destination_that_is_a_symbolic_link(tmp_path: Path, link: object) -> None:
    out = tmp_path / "out"
    out.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (out / "demo").symlink_to(link(tmp_path))  # type: ignore[operator]
    before = snapshot(tmp_path)
    result = runner.invoke(app, ["new", "demo", "--no-input", "-o", str(out)])
    assert_error_is(
        result,
        3,
        f"{out / 'demo'} is a symbolic link; left untouched: choose another name or --output-dir.",
    )
    assert snapshot(tmp_path) == before


def test_new_into_a_read_only_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with read_only(out):
        result = runner.invoke(app, ["new", "demo", "--no-input", "-o", str(out)])
    assert_error_is(result, 2, f"--output-dir {out} is not writable.")
    assert list(out.iterdir()) == []


@pytest.mark.slow
def test_explanation_figures_on_a_full_disk(tmp_path: Path) -> None:
    """The explain stage's PNGs: one line, and neither a PNG nor its staging folder left."""
    from palmerpenguins import load_penguins
    from sklearn.linear_model import Ridge

    from mlproj.errors import CannotWrite
    from mlproj.explain.figures import write_figures
    from mlproj.explain.shap_values import explain_pipeline

    table = load_penguins().dropna()
    X, y = table[["bill_length_mm", "flipper_length_mm"]], table["body_mass_g"]
    explanation = explain_pipeline(Ridge().fit(X, y), X[:10], X[10:20], task="regression", seed=0)
    with full_disk(tmp_path / "disk", "64k") as disk:
        write(disk / "figures" / "kept.txt", "old\n")
        fill_up(disk)
        before = without_filler(snapshot(disk))
        with pytest.raises(CannotWrite) as raised:
            write_figures(explanation, disk / "figures")
        assert str(raised.value) == f"Cannot write {disk / 'figures'}: {FULL}."
        assert without_filler(snapshot(disk)) == before


def test_a_report_that_is_a_symbolic_link_is_replaced_not_written_through(
    built: Path, tmp_path: Path
) -> None:
    """A planted link at an output's name must not let a command overwrite the file it names."""
    project = copy_into(built, tmp_path)
    batch = write(tmp_path / "batch.csv", BATCH)
    precious = write(tmp_path / "precious.txt", "keep me\n")
    out = tmp_path / "reports"
    out.mkdir()
    (out / "drift.json").symlink_to(precious)
    result = runner.invoke(app, ["drift", str(batch), "-p", str(project), "--output-dir", str(out)])
    assert result.exit_code == 0, result.output
    assert precious.read_text() == "keep me\n"
    assert not (out / "drift.json").is_symlink()
    assert (out / "drift.json").read_text().startswith("{")
