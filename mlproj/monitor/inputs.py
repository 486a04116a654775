"""Checks on what the service was sent: NaN and infinite inputs, missing values, input drift.

Input drift is `mlproj drift`'s own verdict (`compare_frames`, the project's conf/drift/
thresholds) on the answered rows against the training split; batches dropped in
`data/incoming/` are run through `run_drift` whole, each with its own report beside this one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mlproj._core.text import listing, percent
from mlproj.drift.check import compare_frames, run_drift
from mlproj.drift.rules import Thresholds
from mlproj.errors import ConfigError, DataError
from mlproj.monitor.check import Check, alert, judged, ok, skipped

if TYPE_CHECKING:
    import pandas as pd

    from mlproj.data.contract import Contract
    from mlproj.monitor.settings import MonitorSettings

NAN, MISSING, INPUT_DRIFT = "nan", "missing", "input drift"
INCOMING = Path("data") / "incoming"


@dataclass(frozen=True)
class Features:
    """The model's features by kind, the data contract, and the training split they came from."""

    numeric: tuple[str, ...]
    categorical: tuple[str, ...]
    contract: Contract
    train: pd.DataFrame
    thresholds: Thresholds

    @property
    def names(self) -> list[str]:
        """Every feature, numeric first."""
        return [*self.numeric, *self.categorical]


def non_finite(rows: pd.DataFrame, features: Features, settings: MonitorSettings) -> Check:
    """Alert on infinite numeric inputs, and on gaps where the contract says never missing."""
    import numpy as np
    import pandas as pd

    numeric = [c for c in features.numeric if c in rows.columns]
    if rows.empty or not numeric:
        return skipped(NAN, "no request row in the window")
    bad, found = 0, []
    for name in numeric:
        values = pd.to_numeric(rows[name], errors="coerce").to_numpy(dtype=np.float64)
        never_missing = (
            name in features.contract.names and not features.contract.rule(name).nullable
        )
        mask = np.isinf(values) | (rows[name].isna().to_numpy() & never_missing)
        if mask.any():
            found.append(f"{name} ({int(mask.sum())})")
        bad += int(mask.sum())
    share = bad / (len(rows) * len(numeric))
    where = f": {listing(found)}" if found else ""
    return judged(
        NAN,
        share,
        settings.max_nan_share,
        f"{bad} NaN or infinite value(s) among {len(rows) * len(numeric)} numeric inputs "
        f"({percent(share)}; limit {percent(settings.max_nan_share)}){where}",
    )


def missing(rows: pd.DataFrame, features: Features, settings: MonitorSettings) -> Check:
    """Alert on features missing more often than in training, by `max_missing_increase`."""
    present = [c for c in features.names if c in rows.columns]
    if rows.empty or not present:
        return skipped(MISSING, "no request row in the window")
    rises = []
    worst = 0.0
    for name in present:
        rise = float(rows[name].isna().mean()) - float(features.train[name].isna().mean())
        worst = max(worst, rise)
        if rise > settings.max_missing_increase:
            rises.append(f"{name} +{percent(rise)}")
    limit = settings.max_missing_increase
    if rises:
        return alert(
            MISSING,
            f"missing more often than in training (limit +{percent(limit)}): {listing(rises)}",
            worst,
            limit,
        )
    return ok(
        MISSING,
        f"no feature missing more than {percent(limit)} more than in training",
        worst,
        limit,
    )


def input_drift(rows: pd.DataFrame, features: Features) -> Check:
    """`mlproj drift`'s verdict on the answered rows' features against the training split."""
    if rows.empty:
        return skipped(INPUT_DRIFT, "no answered row in the window")
    batch = coerced(rows, features)
    verdicts = compare_frames(
        features.train,
        batch,
        numeric=features.numeric,
        categorical=features.categorical,
        thresholds=features.thresholds,
    )
    drifted = [f"{v.name}: {'; '.join(v.reasons)}" for v in verdicts if v.status == "drift"]
    warned = [v.name for v in verdicts if v.status == "warn"]
    if drifted:
        shown = listing(drifted, 3, sep="; ")
        return alert(INPUT_DRIFT, f"{len(drifted)} of {len(verdicts)} feature(s) drifted: {shown}")
    tail = f" ({len(warned)} warning(s): {listing(warned)})" if warned else ""
    return ok(INPUT_DRIFT, f"{len(verdicts)} feature(s) compared with the training split{tail}")


def coerced(rows: pd.DataFrame, features: Features) -> pd.DataFrame:
    """The features of ROWS with numbers as numbers, as the training split holds them."""
    import pandas as pd

    frame = rows[[c for c in features.names if c in rows.columns]].copy()
    for name in features.numeric:
        if name in frame.columns:
            frame[name] = pd.to_numeric(frame[name], errors="coerce")
    return frame


def incoming(project: Path, output: Path) -> list[Check]:
    """`run_drift` on every CSV or Parquet batch in data/incoming/, a report for each in OUTPUT."""
    folder = project / INCOMING
    if not folder.is_dir():
        return []
    batches = sorted(
        p for p in folder.iterdir() if p.suffix.lower() in (".csv", ".parquet") and p.is_file()
    )
    checks = []
    for batch in batches:
        name = f"incoming {batch.name}"
        try:
            run = run_drift(project, batch, output_dir=output / "incoming" / batch.stem)
        except (DataError, ConfigError) as exc:
            checks.append(alert(name, f"cannot be compared: {exc}"))
            continue
        result = run.result
        if result.drift:
            drifted = [c.name for c in result.drifted]
            if result.out_of_contract.status == "drift":
                drifted.append(f"{result.out_of_contract.summary} outside the data contract")
            checks.append(alert(name, f"drifted: {listing(drifted)}"))
        else:
            checks.append(ok(name, f"{result.batch_rows} row(s), no drift"))
    return checks


def read_features(project: Path, params: dict[str, object], contract: Contract) -> Features:
    """The features, the training split (`data.train`) and the drift thresholds of a project."""
    from mlproj.data.dataset import read_table

    data = params.get("data")
    assert isinstance(data, dict)  # open_project read it already
    train = project / str(data.get("train"))
    if not train.is_file():
        raise DataError(
            f"{data.get('train')}: the training split is not here; run `dvc repro` (or "
            "`dvc pull`) first."
        )
    drift = params.get("drift")
    thresholds = (
        Thresholds()
        if drift is None
        else Thresholds.from_mapping(drift, source="params.yaml: drift")
    )
    return Features(
        tuple(str(c) for c in data.get("numeric") or []),
        tuple(str(c) for c in data.get("categorical") or []),
        contract,
        read_table(train),
        thresholds,
    )
