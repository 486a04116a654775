"""A table checked in parts reads as a table checked whole: same report, same validated rows."""

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
from mlproj.errors import ContractViolation


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """An in-process cluster of two one-thread workers: the Dask path without processes.

    Dask DataFrames and pandera are loaded here, once, so no test pays for them.
    """
    import dask.dataframe  # noqa: F401
    from distributed import Client, LocalCluster

    validate_frame(table(2), infer_contract(table(2)))

    with (
        LocalCluster(  # type: ignore[no-untyped-call]
            processes=False, n_workers=2, threads_per_worker=1, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as connected,  # type: ignore[no-untyped-call]
    ):
        yield connected


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


def test_a_folder_reads_as_the_whole_table_here_and_on_the_cluster(
    tmp_path: Path, client: Any
) -> None:
    frame = table()
    frame.to_csv(tmp_path / "raw.csv", index=False)
    contract = infer_contract(pd.read_csv(tmp_path / "raw.csv"))
    whole = validate_table(tmp_path / "raw.csv", contract)
    # Twelve parts, so part-10 and part-11 must come after part-9, not after part-1.
    folder = parts(frame, tmp_path / "raw", [3] * 12 + [4])

    pd.testing.assert_frame_equal(validate_table(folder, contract), whole)
    pd.testing.assert_frame_equal(validate_table(folder, contract, client=client), whole)
    pd.testing.assert_frame_equal(read_frame(folder), pd.read_csv(tmp_path / "raw.csv"))


def test_a_break_in_the_second_part_is_reported_by_its_row_in_the_table(
    tmp_path: Path, client: Any
) -> None:
    frame = table()
    contract = infer_contract(frame)
    broken = frame.copy()
    broken.loc[25, "island"] = "Atlantis"
    broken.loc[[3, 31], "bill length (mm)"] = [1000.0, -5.0]
    broken.to_parquet(tmp_path / "raw.parquet")
    expected = message(lambda: validate_frame(broken, contract, source="raw"))
    folder = parts(broken, tmp_path / "raw", [20, 20])

    assert message(lambda: validate_table(folder, contract, source="raw")) == expected
    assert message(lambda: validate_table(folder, contract, source="raw", client=client)) == (
        expected
    )
    assert "rows 25 (values 'Atlantis')" in expected


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
    tmp_path: Path, client: Any
) -> None:
    frame = table(12)
    contract = infer_contract(frame)
    whole = validate_frame(frame.copy(), contract)
    folder = tmp_path / "raw"
    parts(frame, folder, [0, 6, 0, 6])
    # The second part's years as floats and its islands as categories: types that differ.
    second = frame.iloc[6:].astype({"année": "float64", "island": "category"})
    second.to_parquet(folder / "part-3.parquet")

    for client_or_none in (None, client):
        result = validate_table(folder, contract, client=client_or_none)
        pd.testing.assert_frame_equal(result, whole)


def test_hive_folders_give_their_keys_as_text_columns(tmp_path: Path, client: Any) -> None:
    frame = table(12)
    for island, rows in frame.groupby("island"):
        folder = tmp_path / "raw" / f"island={island}"
        folder.mkdir(parents=True)
        rows.drop(columns="island").to_parquet(folder / "part-0.parquet", index=False)
    # The keys come after the files' own columns, as text, the folders in name order.
    joined = pd.concat([rows for _, rows in frame.groupby("island")], ignore_index=True)
    expected = joined[["bill length (mm)", "année", "sex", "island"]].astype({"island": "str"})
    contract = infer_contract(expected)

    local = validate_table(tmp_path / "raw", contract)
    pd.testing.assert_frame_equal(local, validate_frame(expected.copy(), contract))
    pd.testing.assert_frame_equal(validate_table(tmp_path / "raw", contract, client=client), local)


def test_a_column_missing_from_one_part_is_reported_once(tmp_path: Path, client: Any) -> None:
    frame = table(10)
    contract = infer_contract(frame)
    folder = parts(frame, tmp_path / "raw", [5, 5])
    frame.iloc[5:].drop(columns="sex").to_parquet(folder / "part-1.parquet")

    assert message(lambda: validate_table(folder, contract, source="raw", client=client)) == (
        "raw breaks the data contract in 1 place(s):\n  - column 'sex': missing"
    )
