"""Hostile model files through `regression run` and `drift`: refused in one line, never loaded.

One toy project (a model, an incident, a training split) is built per module and copied for
each case; the case then replaces `models/model.skops` with something that is not a whole
skops archive. Nothing may be written: no report, no changed incident.
"""

from __future__ import annotations

import io
import pickle
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mlproj.cli import app
from tests.conftest import write
from tests.hostile._cli import assert_error_is
from tests.hostile.faults import snapshot
from tests.toy_project import make_drift_project

pytestmark = pytest.mark.usefixtures("forget_toy_package")

runner = CliRunner()
MODEL = Path("models") / "model.skops"
DAMAGED = "{model}: not a whole skops model file ({reason}); train it again with `dvc repro`, or `dvc checkout` it."
PICKLE = (
    "{model} is a pickle, which can run code when loaded; mlproj loads only skops files: "
    "retrain it with `dvc repro` (models are saved with `save_model`)."
)

Spoil = Callable[[Path], None]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The toy drift project with incident INC-1 recorded against its good model."""
    root = make_drift_project(tmp_path_factory.mktemp("models") / "proj")
    rows = write(root.parent / "rows.csv", "id,x,color,truth\n1,-2.0,red,a\n2,2.0,blue,b\n")
    args = ["add-regression", "INC-1", "-p", str(root), "--rows", str(rows)]
    result = runner.invoke(app, [*args, "--expected-column", "truth"])
    assert result.exit_code == 0, result.output
    return root


def zipped(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def replaced(data: bytes) -> Spoil:
    def spoil(model: Path) -> None:
        model.write_bytes(data)

    return spoil


def cut(keep: float) -> Spoil:
    def spoil(model: Path) -> None:
        data = model.read_bytes()
        model.write_bytes(data[: int(len(data) * keep)])

    return spoil


def flipped_schema(old: bytes, new: bytes) -> Spoil:
    """The real archive with one edit in its schema.json."""

    def spoil(model: Path) -> None:
        with zipfile.ZipFile(model) as archive:
            entries = {info.filename: archive.read(info) for info in archive.infolist()}
        entries["schema.json"] = entries["schema.json"].replace(old, new, 1)
        model.write_bytes(zipped(entries))

    return spoil


def corrupt_arrays(model: Path) -> None:
    """Every array entry replaced by junk, the schema left intact."""
    with zipfile.ZipFile(model) as archive:
        entries = {info.filename: archive.read(info) for info in archive.infolist()}
    model.write_bytes(zipped({k: v if k == "schema.json" else b"junk" for k, v in entries.items()}))


def folder_instead(model: Path) -> None:
    model.unlink()
    model.mkdir()


def dangling_link(model: Path) -> None:
    model.unlink()
    model.symlink_to(model.parent / "gone.skops")


class Evil:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (print, ("this must never run",))


# id, how the model is spoilt, exit code, message (with {model})
CASES: list[tuple[str, Spoil, int, str]] = [
    ("pickle-protocol-2", replaced(pickle.dumps({"a": 1}, protocol=2)), 8, PICKLE),
    ("pickle-protocol-4", replaced(pickle.dumps([1, 2], protocol=4)), 8, PICKLE),
    ("pickle-protocol-5-code", replaced(pickle.dumps(Evil(), protocol=5)), 8, PICKLE),
    ("empty", replaced(b""), 4, DAMAGED.replace("{reason}", "File is not a zip file")),
    ("text", replaced(b"hello\n"), 4, DAMAGED.replace("{reason}", "File is not a zip file")),
    ("half", cut(0.5), 4, DAMAGED.replace("{reason}", "File is not a zip file")),
    ("first-100-bytes", cut(0.01), 4, DAMAGED.replace("{reason}", "File is not a zip file")),
    (
        "zip-without-schema",
        replaced(zipped({"0.npy": b"x"})),
        4,
        DAMAGED.replace("{reason}", "There is no item named 'schema.json' in the archive"),
    ),
    (
        "schema-not-json",
        replaced(zipped({"schema.json": b"{not json"})),
        4,
        DAMAGED.replace(
            "{reason}",
            "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
        ),
    ),
    (
        "schema-a-list",
        replaced(zipped({"schema.json": b"[1, 2]"})),
        4,
        DAMAGED.replace("{reason}", "'list' object has no attribute 'get'"),
    ),
    (
        "schema-not-utf8",
        replaced(zipped({"schema.json": b"\xff\xfe{}"})),
        4,
        DAMAGED.replace("{reason}", "Expecting value: line 1 column 1 (char 0)"),
    ),
    (
        "arrays-replaced-by-junk",
        corrupt_arrays,
        4,
        DAMAGED.replace(
            "{reason}",
            "an array entry holds pickled objects",
        ),
    ),
    (
        "unknown-class",
        flipped_schema(b'"Pipeline"', b'"NoSuchThing"'),
        8,
        "{model} holds types outside the trusted list: sklearn.pipeline.NoSuchThing. If you "
        "trust them, add them to TRUSTED_TYPES in the project's models.py.",
    ),
    ("folder", folder_instead, 4, "{model}: no model here; run `dvc repro` to train one."),
    ("dangling-link", dangling_link, 4, "{model}: no model here; run `dvc repro` to train one."),
]


def command(project: Path, which: str) -> list[str]:
    if which == "regression-run":
        return ["regression", "run", "-p", str(project)]
    batch = write(project.parent / "batch.csv", "id,x,color\n1,0.5,red\n2,-0.5,blue\n")
    return ["drift", str(batch), "-p", str(project)]


# Without a model file `drift` still compares the features (and says so): not a refusal.
NO_MODEL = {"folder", "dangling-link"}


@pytest.mark.parametrize(
    ("which", "spoil", "code", "message"),
    [
        pytest.param(which, spoil, code, message, id=f"{which}-{name}")
        for which in ("regression-run", "drift")
        for name, spoil, code, message in CASES
        if which == "regression-run" or name not in NO_MODEL
    ],
)
def test_a_hostile_model_file_is_refused_in_one_line(
    built: Path,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    which: str,
    spoil: Spoil,
    code: int,
    message: str,
) -> None:
    project = tmp_path / "proj"
    shutil.copytree(built, project, symlinks=True)
    model = project / MODEL
    spoil(model)
    args = command(project, which)
    before = snapshot(tmp_path)
    result = runner.invoke(app, args)
    assert_error_is(result, code, message.format(model=model))
    assert snapshot(tmp_path) == before
    assert "this must never run" not in capfd.readouterr().out
