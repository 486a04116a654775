"""Benchmark: feature drift of a 1,000,000-row x 20-column batch against a reference as large.

    python bench/drift.py              # 1M rows, 10 numeric and 10 categorical columns
    python bench/drift.py --rows 200000

Times `compare_frames` (every column's PSI, KS or chi-square, missing and unseen shares), median
of 3, and once the contract check the command runs on both tables first (`validate_frame`).
The batch is the reference's generator with a shift in a third of its columns, so the verdicts
exercise every rule. Seeded: the same figures on every run, up to the machine's noise.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd

from mlproj.data.contract import infer_contract
from mlproj.drift.check import compare_frames
from mlproj.drift.conformance import hold_to_contract
from mlproj.drift.rules import Thresholds

NUMERIC = [f"n{i}" for i in range(10)]
CATEGORICAL = [f"c{i}" for i in range(10)]


def table(rows: int, seed: int, shift: float) -> pd.DataFrame:
    """Numeric columns with 1% gaps and categorical ones of 5 to 50 levels; SHIFT moves some."""
    rng = np.random.default_rng(seed)
    columns: dict[str, object] = {}
    for i, name in enumerate(NUMERIC):
        values = rng.normal(10 * i, 1 + i, rows) + (shift * (1 + i) if i % 3 == 0 else 0.0)
        values[rng.random(rows) < 0.01] = np.nan
        columns[name] = values
    for i, name in enumerate(CATEGORICAL):
        levels = np.array([f"level-{k}" for k in range(5 + 5 * i)])
        weights = np.linspace(1.0, 1.0 + (4 * shift if i % 3 == 0 else 0.0), len(levels))
        columns[name] = levels[rng.choice(len(levels), rows, p=weights / weights.sum())]
    return pd.DataFrame(columns)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    reference, batch = table(args.rows, seed=1, shift=0.0), table(args.rows, seed=2, shift=1.0)
    # The reference's own contract: the shifted columns pass its ranges, and are counted.
    contract = infer_contract(reference)
    start = time.perf_counter()
    held = hold_to_contract(batch, contract, [*NUMERIC, *CATEGORICAL], source="batch", limit=0.01)
    validation = time.perf_counter() - start
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        result = compare_frames(
            reference, batch, numeric=NUMERIC, categorical=CATEGORICAL, thresholds=Thresholds()
        )
        times.append(time.perf_counter() - start)
    drifted = [c.name for c in result if c.status == "drift"]
    warned = [c.name for c in result if c.status == "warn"]
    shown = ", ".join(f"{t:.2f}" for t in times)
    print(f"{args.rows:,} rows x {len(NUMERIC) + len(CATEGORICAL)} columns against as many")
    print(f"  compare_frames: median {statistics.median(times):.2f} s (runs: {shown})")
    print(f"  hold_to_contract (the contract check, per table): {validation:.2f} s")
    print(f"  rows outside the contract: {held.out_of_contract.summary}")
    print(f"  drifted: {', '.join(drifted) or 'none'}; warnings: {', '.join(warned) or 'none'}")


if __name__ == "__main__":
    main()
