"""Hostile data files through `mlproj new --data`: one line naming the file, nothing written.

Each refused case builds its file in `in/`, runs `mlproj new` into an empty `out/` and checks
the exit code, the exact message, that no traceback shows, that `out/` stays empty and that
the input folder is as it was. The files that must be accepted are read with `read_table`
(fast), and a few go through `mlproj new --no-run` (slow).
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from mlproj.cli import app
from mlproj.data.dataset import read_table
from tests.conftest import listing, write
from tests.hostile._cli import assert_error_is
from tests.hostile.faults import snapshot

runner = CliRunner()

ROWS = "a,y\n" + "".join(f"{i},{i % 2}\n" for i in range(1000))  # all valid
GIB = 1 << 30
SAVE = "save it as UTF-8 (e.g. in a spreadsheet: CSV UTF-8)"
NUL = "; a CSV file is text, and this one is binary or damaged from there on."

NESTED = (
    "{{data}}: column 'deep' holds nested values ({kind} per row); mlproj learns from flat "
    "columns: flatten or drop it before training."
)

Build = Callable[[Path], Path]


def text(content: str | bytes, name: str = "data.csv") -> Build:
    """A file NAME in the folder, holding CONTENT."""
    return lambda folder: write(folder / name, content)


def sparse(prefix: bytes, size: int, name: str = "data.csv") -> Build:
    """PREFIX, then NUL bytes up to SIZE: a hole, so gigabytes cost no disk and no time."""

    def build(folder: Path) -> Path:
        path = folder / name
        with path.open("wb") as handle:
            handle.write(prefix)
            handle.truncate(size)
        return path

    return build


def parquet(table: Callable[[], object], name: str = "data.parquet") -> Build:
    def build(folder: Path) -> Path:
        import pyarrow.parquet as pq

        path = folder / name
        pq.write_table(table(), path)
        return path

    return build


def nested(kind: str) -> Callable[[], object]:
    def table() -> object:
        import pyarrow as pa

        values = {
            "list": [[1, 2], [3]],
            "struct": [{"x": 1}, {"x": 2}],
            "map": pa.array([[("k", 1)], [("k", 2)]], type=pa.map_(pa.string(), pa.int64())),
        }[kind]
        return pa.table({"a": [1.0, 2.0], "deep": values, "y": [0, 1]})

    return table


def duplicated() -> object:
    import pyarrow as pa

    columns = [pa.array([1, 2]), pa.array([3, 4]), pa.array([0, 1])]
    return pa.Table.from_arrays(columns, names=["a", "a", "y"])


def folder_named(name: str) -> Build:
    def build(folder: Path) -> Path:
        (folder / name).mkdir()
        return folder / name

    return build


def fifo(folder: Path) -> Path:
    path = folder / "data.csv"
    os.mkfifo(path)
    return path


def link_to(build: Build, name: str = "link.csv") -> Build:
    def make(folder: Path) -> Path:
        target = build(folder)
        (folder / name).symlink_to(target)
        return folder / name

    return make


def dangling(folder: Path) -> Path:
    (folder / "link.csv").symlink_to(folder / "gone.csv")
    return folder / "link.csv"


def loop(folder: Path) -> Path:
    (folder / "a.csv").symlink_to(folder / "b.csv")
    (folder / "b.csv").symlink_to(folder / "a.csv")
    return folder / "a.csv"


def wide(columns: int, extra: str = "") -> str:
    names = [f"c{i}" for i in range(columns)]
    return ",".join([*names, extra, "y"] if extra else [*names, "y"]) + "\n"


# id, how the file is made, exit code, message (with {data} for the path given)
REFUSED: list[tuple[str, Build, int, str]] = [
    # NUL bytes, anywhere
    ("nul-at-start", text(b"\0a,y\n1,0\n"), 4, "{data}: a NUL byte at offset 0" + NUL),
    ("nul-in-header", text(b"a,\0y\n1,0\n2,1\n"), 4, "{data}: a NUL byte at offset 2" + NUL),
    (
        "nul-in-last-row",
        text(ROWS + "1,\0\n"),
        4,
        f"{{data}}: a NUL byte at offset {len(ROWS) + 2}" + NUL,
    ),
    (
        "1gib-of-nul-after-16k-sparse",
        sparse((ROWS * 3).encode()[:16384], GIB + 16384),
        4,
        "{data}: a NUL byte at offset 16384" + NUL,
    ),
    ("1gib-all-nul-sparse", sparse(b"", GIB), 4, "{data}: a NUL byte at offset 0" + NUL),
    (
        "nul-after-3-mib-chunk-boundary",
        sparse(("a,y\n" + "1,0\n" * (3 * (1 << 18))).encode(), (3 << 20) + 4 + 10),
        4,
        f"{{data}}: a NUL byte at offset {(3 << 20) + 4}" + NUL,
    ),
    # encodings
    (
        "utf16-le-bom",
        text(codecs.BOM_UTF16_LE + "a,y\n1,0\n".encode("utf-16-le")),
        4,
        f"{{data}}: a UTF-16 text file; {SAVE}.",
    ),
    (
        "utf16-be-bom",
        text(codecs.BOM_UTF16_BE + "a,y\n1,0\n".encode("utf-16-be")),
        4,
        f"{{data}}: a UTF-16 text file; {SAVE}.",
    ),
    (
        "utf32-bom",
        text("a,y\n1,0\n".encode("utf-32")),
        4,
        f"{{data}}: a UTF-32 text file; {SAVE}.",
    ),
    (
        "utf16-without-bom",
        text("a,y\n1,0\n".encode("utf-16-le")),
        4,
        "{data}: a NUL byte at offset 1" + NUL,
    ),
    (
        "latin1",
        text("a,y\ncafé,0\nthé,1\n".encode("latin-1")),
        4,
        f"{{data}}: not UTF-8 text (byte 0xe9 at offset 7); {SAVE}.",
    ),
    (
        "cp1252-quote-in-header",
        text("a,\u201cy\u201d\n1,0\n".encode("cp1252")),
        4,
        f"{{data}}: not UTF-8 text (byte 0x93 at offset 2); {SAVE}.",
    ),
    (
        "latin1-after-1-mib",
        text(("a,y\n" + "1,0\n" * (1 << 18) + "é,1\n").encode("latin-1")),
        4,
        f"{{data}}: not UTF-8 text (byte 0xe9 at offset {4 + (1 << 20)}); {SAVE}.",
    ),
    (
        "utf8-cut-inside-a-character",
        text("a,y\n1,é".encode()[:-1]),
        4,
        f"{{data}}: not UTF-8 text (it ends inside a character, at offset 7); {SAVE}.",
    ),
    # headers
    ("duplicate-names", text("a,y,a\n1,0,2\n"), 4, "{data}: duplicate column names: a."),
    (
        "duplicate-beyond-8kb",
        text(wide(2000, "c7") + "1," * 2001 + "0\n"),
        4,
        "{data}: duplicate column names: c7.",
    ),
    (
        "empty-name",
        text(",a,y\n0,1,0\n1,2,1\n"),
        4,
        "{data}: column 1 of the header has no name; name it (a pandas index saved with "
        "`to_csv`? save with index=False).",
    ),
    (
        "blank-name",
        text("a,   ,y\n1,2,0\n"),
        4,
        "{data}: column 2 of the header has no name; name it (a pandas index saved with "
        "`to_csv`? save with index=False).",
    ),
    (
        "newline-in-name",
        text('a,"b\nc",y\n1,2,0\n'),
        4,
        "{data}: column 2 name 'b\\nc' holds a line break or control character; rename it in "
        "the header.",
    ),
    (
        "tab-in-name",
        text("a,b\tc,y\n1,2,0\n"),
        4,
        "{data}: column 2 name 'b\\tc' holds a line break or control character; rename it in "
        "the header.",
    ),
    (
        "name-over-the-csv-field-limit",
        text("a," + "n" * 200_000 + ",y\n1,2,0\n"),
        4,
        "{data}: the header is not readable CSV (field larger than field limit (131072)).",
    ),
    ("empty", text(""), 4, "{data}: the file is empty."),
    ("blank-lines-only", text("\n\r\n\n"), 4, "{data}: the file is empty."),
    ("header-only", text("a,y\n"), 4, "{data}: the file has a header but no rows."),
    ("header-only-crlf", text("a,y\r\n"), 4, "{data}: the file has a header but no rows."),
    (
        "header-only-with-bom",
        text(codecs.BOM_UTF8 + b"a,y\n"),
        4,
        "{data}: the file has a header but no rows.",
    ),
    (
        "single-column",
        text("y\n0\n1\n0\n"),
        4,
        "{data}: no feature columns left besides the target 'y'.",
    ),
    (
        "target-missing-from-2000-columns",
        text(wide(2000).replace(",y\n", ",z\n") + "1," * 2000 + "0\n"),
        4,
        "{data}: target column 'y' not found (columns: "
        + ", ".join(f"c{i}" for i in range(2000))
        + ", z).",
    ),
    (
        "ragged-rows",
        text("a,y\n1,0\n1,2,3,4\n"),
        4,
        "{data}: not a readable CSV file (Error tokenizing data. C error: Expected 2 fields "
        "in line 3, saw 4).",
    ),
    # formats
    (
        "text-extension",
        text("a,y\n1,0\n", "data.txt"),
        4,
        "{data}: unsupported format; give a .csv or .parquet file.",
    ),
    (
        "xlsx",
        text(b"PK\x03\x04", "data.xlsx"),
        4,
        "{data}: unsupported format; give a .csv or .parquet file.",
    ),
    (
        "parquet-list-column",
        parquet(nested("list")),
        4,
        NESTED.format(kind="a list"),
    ),
    (
        "parquet-struct-column",
        parquet(nested("struct")),
        4,
        NESTED.format(kind="a struct"),
    ),
    (
        "parquet-map-column",
        parquet(nested("map")),
        4,
        NESTED.format(kind="a map"),
    ),
    (
        "parquet-duplicate-names",
        parquet(duplicated),
        4,
        "{data}: duplicate column names: a.",
    ),
    (
        "parquet-damaged",
        text(b"PAR1 not really PAR1", "data.parquet"),
        4,
        "{data}: not a readable Parquet file.",
    ),
    (
        "parquet-csv-inside",
        text("a,y\n1,0\n", "data.parquet"),
        4,
        "{data}: not a readable Parquet file.",
    ),
    # not a regular file
    ("missing", lambda folder: folder / "data.csv", 4, "{data}: no such file."),
    ("folder", folder_named("data.csv"), 4, "{data}: a folder, not a file."),
    ("fifo", fifo, 4, "{data}: not a regular file (a pipe, socket or device); give a file."),
    ("symlink-to-folder", link_to(folder_named("real")), 4, "{data}: a folder, not a file."),
    (
        "symlink-to-fifo",
        link_to(fifo),
        4,
        "{data}: not a regular file (a pipe, socket or device); give a file.",
    ),
    ("symlink-dangling", dangling, 4, "{data}: no such file."),
    ("symlink-loop", loop, 4, "{data}: cannot be read (Too many levels of symbolic links)."),
    ("symlink-to-nul-file", link_to(text(b"a,y\n\0")), 4, "{data}: a NUL byte at offset 4" + NUL),
]


@pytest.mark.parametrize(
    ("build", "code", "message"),
    [pytest.param(build, code, message, id=name) for name, build, code, message in REFUSED],
)
def test_a_hostile_data_file_is_one_line_and_nothing_is_written(
    tmp_path: Path, build: Build, code: int, message: str
) -> None:
    source = tmp_path / "in"
    source.mkdir()
    data = build(source)
    out = tmp_path / "out"
    out.mkdir()
    before = snapshot(source)
    result = runner.invoke(
        app,
        ["new", "demo", "--no-input", "-o", str(out), "--data", str(data), "--target", "y"],
    )
    assert_error_is(result, code, message.format(data=data))
    assert listing(out) == []
    assert snapshot(source) == before


@pytest.mark.parametrize(
    ("content", "columns"),
    [
        pytest.param(codecs.BOM_UTF8 + b"a,y\n1,0\n2,1\n", ["a", "y"], id="utf8-bom"),
        pytest.param(b"a,y\r\n1,0\r\n2,1\r\n", ["a", "y"], id="crlf"),
        pytest.param(b"a,y\r1,0\r2,1\r", ["a", "y"], id="old-mac-cr"),
        pytest.param(b"\n\na,y\n1,0\n2,1\n", ["a", "y"], id="blank-lines-before-header"),
        pytest.param(
            wide(2000).encode() + b"1," * 2000 + b"0\n",
            [*map("c{}".format, range(2000)), "y"],
            id="2000-columns-80kb-header",
        ),
        pytest.param(b'"a ""quoted"" name",y\n1,0\n', ['a "quoted" name', "y"], id="quotes"),
        pytest.param(
            "caf\u00e9,\u6a21\u578b,y\n1,2,0\n".encode(),
            ["caf\u00e9", "\u6a21\u578b", "y"],
            id="non-ascii-names",
        ),
        pytest.param(b"a,y\n" + b"x" * 100_000 + b",0\n", ["a", "y"], id="100kb-cell"),
        pytest.param(b"a,y\n1,0", ["a", "y"], id="no-final-newline"),
        pytest.param(
            b"yes,no,null,y\n1,2,3,0\n", ["yes", "no", "null", "y"], id="yaml-words-as-names"
        ),
    ],
)
def test_awkward_but_valid_csv_is_read_whole(
    tmp_path: Path, content: bytes, columns: list[str]
) -> None:
    frame = read_table(write(tmp_path / "data.csv", content))
    assert list(frame.columns) == columns


def test_a_symlinked_csv_is_read_through_the_link(tmp_path: Path) -> None:
    real = write(tmp_path / "real.csv", "a,y\n1,0\n2,1\n")
    (tmp_path / "link.csv").symlink_to(real)
    assert read_table(tmp_path / "link.csv").shape == (2, 2)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "content", "first"),
    [
        pytest.param("data.csv", codecs.BOM_UTF8 + b"a,b\r\n", "a", id="bom-crlf"),
        pytest.param("data.csv", b'"x ""q"" 1",b\n', 'x "q" 1', id="quoted-names"),
    ],
)
def test_awkward_files_make_a_project(
    tmp_path: Path, name: str, content: bytes, first: str
) -> None:
    rows = "".join(f"{i % 5},{'ab'[i % 2]}\r\n" for i in range(40)).encode()
    data = write(tmp_path / "in" / name, content + rows)
    (tmp_path / "in" / "link.csv").symlink_to(data)
    out = tmp_path / "out"
    out.mkdir()
    result = runner.invoke(
        app,
        [
            "new", "demo", "--no-input", "--no-run", "-o", str(out),
            "--data", str(tmp_path / "in" / "link.csv"), "--target", "b",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    raw = out / "demo" / "data" / "raw" / "data.csv"  # the link's target, copied
    assert raw.read_bytes() == content + rows
    assert not raw.is_symlink()
    config = yaml.safe_load((out / "demo" / "conf" / "data" / "default.yaml").read_text())
    assert config["numeric"] == [first]


# ------------------------------------------------ other files commands read, not via --data


@pytest.mark.slow
def test_incident_rows_that_became_a_folder(tmp_path: Path) -> None:
    from tests.toy_project import classifier, make_project

    project = make_project(tmp_path / "proj", model=classifier())
    rows = write(tmp_path / "rows.csv", "id,x,color,truth\n1,-2.0,red,a\n2,2.0,blue,b\n")
    args = ["add-regression", "INC-1", "--rows", str(rows), "-p", str(project)]
    assert runner.invoke(app, [*args, "--expected-column", "truth"]).exit_code == 0
    kept = project / "tests" / "regressions" / "INC-1" / "rows.csv"
    kept.unlink()
    kept.mkdir()
    before = snapshot(project)
    result = runner.invoke(app, ["regression", "run", "-p", str(project)])
    assert_error_is(
        result,
        4,
        "tests/regressions/INC-1/rows.csv: cannot be read (Is a directory); restore it or "
        "remove the incident's folder.",
    )
    assert snapshot(project) == before


def test_metrics_that_are_not_utf8_stop_the_gates(tmp_path: Path) -> None:
    from tests.card.test_write import build_project

    project = build_project(tmp_path / "proj")
    (project / "metrics.json").write_bytes(b'{"accuracy": "\xe9"}')
    before = snapshot(project)
    result = runner.invoke(app, ["gates", "check", "-p", str(project)])
    assert_error_is(
        result,
        19,
        f"{project / 'metrics.json'}: cannot be read ('utf-8' codec can't decode byte 0xe9 in "
        "position 14: invalid continuation byte); run `dvc repro`.",
    )
    assert snapshot(project) == before


@pytest.mark.parametrize(
    "content", [b"\xe9t\xe9\n", b"\xff\xfeh\x00i\x00"], ids=["latin1", "utf16"]
)
def test_a_review_report_that_is_not_utf8_is_not_posted(tmp_path: Path, content: bytes) -> None:
    report = write(tmp_path / "report.md", content)
    env = {"GITHUB_TOKEN": "t", "GITHUB_REPOSITORY": "a/b", "GITHUB_EVENT_PATH": str(report)}
    result = runner.invoke(app, ["review", "post", str(report)], env=env)
    assert_error_is(result, 1, f"Cannot read {report}: write it with `mlproj review report`.")
