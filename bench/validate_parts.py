"""Benchmark: the validate stage's contract check of a 1,000,000-row table, here or on Dask.

    python bench/validate_parts.py --data /tmp/v1m                 # here: the one CSV, whole
    python bench/validate_parts.py --data /tmp/v1m --folder        # here: 8 Parquet files
    python bench/validate_parts.py --data /tmp/v1m --folder --address tcp://127.0.0.1:8786

The first run writes the table to DATA (seeded: raw.csv, and parts/part-0..7.parquet) and its
contract; later runs reuse them. Times `validate_table` once and says how many rows and which
columns came back. Run it under `/usr/bin/time -v` for the memory of this process; with
--address the workers' memory is theirs (`dask worker` processes), reported as each one's RSS
after the check.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from mlproj.compute import validate_table
from mlproj.data.contract import infer_contract, load_contract, save_contract


def table(rows: int, seed: int = 0) -> pd.DataFrame:
    """Six numeric columns with 1% gaps, a year, and three categorical ones of 3 to 40 levels."""
    rng = np.random.default_rng(seed)
    columns: dict[str, object] = {}
    for i in range(6):
        values = rng.normal(10 * i, 1 + i, rows)
        values[rng.random(rows) < 0.01] = np.nan
        columns[f"n{i}"] = values
    columns["year"] = rng.integers(2000, 2025, rows)
    for i, levels in enumerate((3, 12, 40)):
        names = np.array([f"level-{k}" for k in range(levels)])
        columns[f"c{i}"] = names[rng.integers(0, levels, rows)]
    return pd.DataFrame(columns)


def prepare(data: Path, rows: int, parts: int) -> None:
    """Write the table as one CSV, as PARTS Parquet files, and its contract, once."""
    if (data / "contract.yaml").is_file():
        return
    frame = table(rows)
    (data / "parts").mkdir(parents=True)
    frame.to_csv(data / "raw.csv", index=False)
    for number, rows_of in enumerate(np.array_split(np.arange(rows), parts)):
        frame.iloc[rows_of].to_parquet(data / "parts" / f"part-{number}.parquet", index=False)
    save_contract(infer_contract(frame), data / "contract.yaml")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--parts", type=int, default=8)
    parser.add_argument("--folder", action="store_true", help="check the Parquet folder")
    parser.add_argument("--address", help="a Dask scheduler to check the partitions on")
    args = parser.parse_args()
    prepare(args.data, args.rows, args.parts)
    contract = load_contract(args.data / "contract.yaml")
    path = args.data / ("parts" if args.folder else "raw.csv")
    client = None
    if args.address:
        from distributed import Client

        client = Client(args.address)
    start = time.perf_counter()
    valid = validate_table(path, contract, client=client)
    took = time.perf_counter() - start
    where = f"on {args.address}" if args.address else "here"
    print(f"{path.name} {where}: {len(valid):,} rows, {valid.shape[1]} columns in {took:.2f} s")
    if client is not None:
        import psutil

        rss = client.run(lambda: psutil.Process().memory_info().rss)
        print("worker RSS MB:", {w: round(r / 2**20) for w, r in sorted(rss.items())})
        client.close()


if __name__ == "__main__":
    main()
