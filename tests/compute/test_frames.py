"""A table checked in parts reads as a table checked whole: same report, same validated rows.

Each check runs here (fast) and on an in-process Dask cluster (`slow`: starting it and loading
Dask DataFrames takes seconds on a busy machine, once per module).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from mlproj.compute import validate_table
from mlproj.data.contract import infer_contract, validate_frame
from mlproj.data.parts import read_frame
from mlproj.errors import ContractViolation, DataError


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """An in-process cluster of two one-thread workers: the Dask path without processes.

    Dask DataFrames, pandera and the first graph are loaded here, once, so no test pays for
    them.
    """
    from distributed import Client, LocalCluster

    warm = parts(table(4), tmp_path_factory.mktemp("warm") / "raw", [2, 2])

    with (
        LocalCluster(  # type: ignore[no-untyped-call]
            processes=False, n_workers=2, threads_per_worker=1, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as connected,  # type: ignore[no-untyped-call]
    ):
        validate_table(warm, infer_contract(table(4)), client=connected)
        yield connected


@pytest.fixture(params=["here", pytest.param("dask", marks=pytest.mark.slow)])
def where(request: pytest.FixtureRequest) -> Any:
    """No client (the check runs here), or the in-process cluster's."""
    return None if request.param == "here" else request.getfixturevalue("client")


def table(rows: int = 40) -> pd.DataFrame:
    generator = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "bill length (mm)": generator.normal(44, 5, rows).round(1),
            "année": generator.integers(2007, 2010, rows),
            "island": generator.choice(["Biscoe", "Dream", "Torgersen"], rows),
            "sex": pd.Series(generator.choice(["male", "female"], rows)).where(
                np.arange(rows) % 7 != 3
            ),
        }
    )


def parts(frame: pd.DataFrame, folder: Path, sizes: list[int]) -> Path:
    """FRAME written as one Parquet file per size, part-0 ... part-N (an index stored in each)."""
    folder.mkdir(parents=True)
    start = 0
    for number, size in enumerate(sizes):
        frame.iloc[start : start + size].to_parquet(folder / f"part-{number}.parquet")
        start += size
    return folder


def message(check: Any) -> str:
    with pytest.raises(ContractViolation) as caught:
        check()
    return str(caught.value)


def test_a_folder_reads_as_the_whole_table(tmp_path: Path, where: Any) -> None:
    frame = table()
    frame.to_csv(tmp_path / "raw.csv", index=False)
    contract = infer_contract(pd.read_csv(tmp_path / "raw.csv"))
    whole = validate_table(tmp_path / "raw.csv", contract)
    folder = parts(frame, tmp_path / "raw", [13, 13, 14])

    pd.testing.assert_frame_equal(validate_table(folder, contract, client=where), whole)
    pd.testing.assert_frame_equal(read_frame(folder), pd.read_csv(tmp_path / "raw.csv"))


def test_a_break_in_the_second_part_is_reported_by_its_row_in_the_table(
    tmp_path: Path, where: Any
) -> None:
    frame = table()
    contract = infer_contract(frame)
    broken = frame.copy()
    broken.loc[25, "island"] = "Atlantis"
    broken.loc[[3, 31], "bill length (mm)"] = [1000.0, -5.0]
    broken.to_parquet(tmp_path / "raw.parquet")
    expected = message(lambda: validate_frame(broken, contract, source="raw"))
    folder = parts(broken, tmp_path / "raw", [20, 20])

    assert message(lambda: validate_table(folder, contract, source="raw", client=where)) == (
        expected
    )
    assert "rows 25 (values 'Atlantis')" in expected


@pytest.mark.slow
def test_a_csv_in_blocks_gives_the_report_of_the_whole_csv(tmp_path: Path, client: Any) -> None:
    frame = table(400)
    contract = infer_contract(frame)
    frame.loc[390, "année"] = 1900
    frame.to_csv(tmp_path / "raw.csv", index=False)
    expected = message(lambda: validate_table(tmp_path / "raw.csv", contract))

    blocks = lambda: validate_table(  # noqa: E731
        tmp_path / "raw.csv", contract, client=client, blocksize="2KB"
    )
    assert message(blocks) == expected
    assert "rows 390 (values 1900)" in expected


def test_empty_parts_and_parts_of_other_types_give_the_whole_tables_types(
    tmp_path: Path, where: Any
) -> None:
    frame = table(18)
    frame.loc[12:14, "sex"] = None
    contract = infer_contract(frame)
    frame.to_parquet(tmp_path / "raw.parquet")
    whole = validate_table(tmp_path / "raw.parquet", contract)
    folder = parts(frame, tmp_path / "raw", [0, 6, 0])
    # Years as floats and islands as categories in one file; in another, a text column with no
    # value at all, stored untyped (null) and read as object; empty files between them.
    frame.iloc[6:12].astype({"année": "float64", "island": "category"}).to_parquet(
        folder / "part-3.parquet"
    )
    frame.iloc[12:15].astype({"sex": object}).to_parquet(folder / "part-4.parquet")
    frame.iloc[15:].to_parquet(folder / "part-5.parquet")

    pd.testing.assert_frame_equal(validate_table(folder, contract, client=where), whole)


def test_hive_folders_give_their_keys_as_text_columns(tmp_path: Path, where: Any) -> None:
    frame = table(12)
    for island, rows in frame.groupby("island"):
        folder = tmp_path / "raw" / f"island={island}"
        folder.mkdir(parents=True)
        rows.drop(columns="island").to_parquet(folder / "part-0.parquet", index=False)
    # The keys come after the files' own columns, as text, the folders in name order.
    joined = pd.concat([rows for _, rows in frame.groupby("island")], ignore_index=True)
    expected = joined[["bill length (mm)", "année", "sex", "island"]].astype({"island": "str"})
    contract = infer_contract(expected)

    pd.testing.assert_frame_equal(
        validate_table(tmp_path / "raw", contract, client=where),
        validate_frame(expected.copy(), contract),
    )


def test_a_column_missing_from_one_part_is_reported_once(tmp_path: Path, where: Any) -> None:
    frame = table(10)
    contract = infer_contract(frame)
    folder = parts(frame, tmp_path / "raw", [5, 5])
    frame.iloc[5:].drop(columns="sex").to_parquet(folder / "part-1.parquet")

    assert message(lambda: validate_table(folder, contract, source="raw", client=where)) == (
        "raw breaks the data contract in 1 place(s):\n  - column 'sex': missing"
    )


@pytest.mark.slow
def test_files_the_workers_cannot_read_are_named_in_one_line(
    tmp_path: Path, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlproj.data.parts import table_files

    frame = table(10)
    contract = infer_contract(frame)
    folder = parts(frame, tmp_path / "raw", [5, 5])
    # As if the workers saw another file system: a file listed here is not there for them.
    monkeypatch.setattr(
        "mlproj.compute.frames.table_files",
        lambda p: [*table_files(p), Path(p) / "part-2.parquet"],
    )

    with pytest.raises(DataError) as caught:
        validate_table(folder, contract, client=client)
    assert str(caught.value).startswith(f"{folder}: the Dask workers cannot read it (")
    assert str(caught.value).endswith(
        "); they must see the data at the same path as this machine (a shared file system), "
        "or run with -S compute=local"
    )


@pytest.mark.slow
def test_a_csv_whose_blocks_disagree_on_a_columns_type_is_refused_in_one_line(
    tmp_path: Path, client: Any
) -> None:
    frame = pd.DataFrame({"code": [str(n) for n in range(2000)]})
    frame.loc[1990, "code"] = "A-17"
    frame.to_csv(tmp_path / "raw.csv", index=False)
    contract = infer_contract(pd.read_csv(tmp_path / "raw.csv"))

    with pytest.raises(DataError) as caught:
        validate_table(tmp_path / "raw.csv", contract, client=client, blocksize="2KB")
    assert str(caught.value) == (
        f"{tmp_path / 'raw.csv'}: a column holds different types in different blocks of the CSV; "
        "write the table as Parquet (typed), or check it here with -S compute=local"
    )


@pytest.mark.slow
def test_one_parquet_file_keeps_its_index_on_the_cluster(tmp_path: Path, client: Any) -> None:
    frame = table(10).set_axis([f"id-{n}" for n in range(10)])
    contract = infer_contract(frame)
    frame.loc["id-7", "island"] = "Atlantis"
    frame.to_parquet(tmp_path / "raw.parquet")
    expected = message(lambda: validate_table(tmp_path / "raw.parquet", contract))

    assert message(lambda: validate_table(tmp_path / "raw.parquet", contract, client=client)) == (
        expected
    )
    assert "rows id-7 (values 'Atlantis')" in expected
    frame.loc["id-7", "island"] = "Dream"
    frame.to_parquet(tmp_path / "raw.parquet")
    pd.testing.assert_frame_equal(
        validate_table(tmp_path / "raw.parquet", contract, client=client),
        validate_table(tmp_path / "raw.parquet", contract),
    )
