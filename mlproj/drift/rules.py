"""What counts as drift: the thresholds a project declares and the verdict on each column.

A column drifts when its shift is both large and real. Large: PSI passes `psi_fail` (an
effect size that does not grow with the number of rows). Real: the KS test (numeric) or the
chi-square test (categorical) rejects "same distribution" at `p_value`. Either alone misleads:
with a million rows every tiny shift has p < 1e-10, and with fifty rows PSI is noisy enough to
pass 0.1 by chance. Missing values, unseen categories and rows outside the data contract are
counted, not tested: each new one is a fact about the batch, so their thresholds are plain shares.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from mlproj._core.text import listing
from mlproj.drift.stats import CategoricalStats, NumericStats, compare_categorical, compare_numeric
from mlproj.errors import ConfigError, DriftDetected

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd

    from mlproj.drift.conformance import OutOfContract

Kind = Literal["numeric", "categorical"]
Status = Literal["ok", "warn", "drift"]
# Categories a reason names before "and N more".
_NAMED = 5


# Keys a project made by an older mlproj lacks until `mlproj update`: their defaults apply.
_ADDED_SINCE_0_2 = frozenset({"max_out_of_contract_share"})


@dataclass(frozen=True)
class Thresholds:
    """The `drift` config group: when a shift is reported (warn) and when it fails (drift).

    The defaults are those of the template's `conf/drift/default.yaml` (a test holds them equal).
    """

    p_value: float = 0.01
    psi_warn: float = 0.1
    psi_fail: float = 0.25
    max_missing_increase: float = 0.05
    max_unseen_share: float = 0.01
    max_out_of_contract_share: float = 0.01
    prediction_psi: float = 0.25
    bins: int = 10
    prediction_rows: int = 100_000
    seed: int = 0

    @classmethod
    def from_mapping(cls, data: object, *, source: str) -> Thresholds:
        """Read the group, naming the first key that is unknown, missing or out of range."""
        if not isinstance(data, Mapping):
            raise ConfigError(f"{source}: expected a mapping of drift thresholds")
        fields = {field.name: field for field in dataclasses.fields(cls)}
        for key in data:
            if key not in fields:
                raise ConfigError(f"{source}: unknown key {key!r} (expected {', '.join(fields)})")
        values: dict[str, Any] = {}
        for name, field in fields.items():
            if name not in data and name in _ADDED_SINCE_0_2:
                values[name] = field.default
                continue
            if name not in data:
                raise ConfigError(f"{source}: missing {name!r}")
            where = f"{source}.{name}"
            values[name] = _number(data[name], integer=field.type == "int", where=where)
        thresholds = cls(**values)
        thresholds._check_ranges(source)
        return thresholds

    def _check_ranges(self, source: str) -> None:
        shares = ("max_missing_increase", "max_unseen_share", "max_out_of_contract_share")
        for name in ("p_value", *shares):
            if not 0 <= getattr(self, name) <= 1:
                raise ConfigError(f"{source}.{name}: {getattr(self, name)} is not between 0 and 1")
        for name in ("psi_warn", "psi_fail", "prediction_psi"):
            if getattr(self, name) < 0:
                raise ConfigError(f"{source}.{name}: {getattr(self, name)} is negative")
        if self.psi_warn > self.psi_fail:
            raise ConfigError(f"{source}: psi_warn {self.psi_warn} is above psi_fail")
        for name, least in (("bins", 2), ("prediction_rows", 1), ("seed", 0)):
            if getattr(self, name) < least:
                raise ConfigError(f"{source}.{name}: {getattr(self, name)} is below {least}")

    def for_predictions(self) -> Thresholds:
        """The same rules with `prediction_psi` as the PSI that fails."""
        return dataclasses.replace(
            self, psi_fail=self.prediction_psi, psi_warn=min(self.psi_warn, self.prediction_psi)
        )


def _number(value: object, *, integer: bool, where: str) -> float | int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{where}: {value!r} is not a number")
    if integer and not isinstance(value, int):
        raise ConfigError(f"{where}: {value!r} is not a whole number")
    return value


@dataclass(frozen=True)
class ColumnDrift:
    """The verdict on one column (or on the predictions), with its numbers and the reasons."""

    name: str
    kind: Kind
    status: Status
    reasons: tuple[str, ...]
    missing_reference: float
    missing_batch: float
    stats: NumericStats | CategoricalStats | None

    def to_json(self) -> dict[str, Any]:
        """The column's entry in `drift.json`, floats rounded so reruns give the same bytes."""
        entry: dict[str, Any] = {
            "kind": self.kind,
            "status": self.status,
            "reasons": list(self.reasons),
            "missing": {
                "reference": _round(self.missing_reference),
                "batch": _round(self.missing_batch),
            },
        }
        stats = self.stats
        if isinstance(stats, NumericStats):
            entry |= {"psi": _round(stats.psi), "ks_statistic": _round(stats.ks_statistic)}
            entry["ks_p_value"] = _round(stats.ks_p_value)
        elif isinstance(stats, CategoricalStats):
            entry |= {"psi": _round(stats.psi), "chi2_p_value": _round(stats.chi2_p_value)}
            entry |= {"unseen_share": _round(stats.unseen_share), "unseen": list(stats.unseen)}
        if stats is not None:
            bins = stats.bins
            entry["bins"] = [
                {"bin": label, "reference": _round(r), "batch": _round(b)}
                for label, r, b in zip(bins.labels, bins.reference, bins.batch, strict=True)
            ]
        return entry


def judge_column(
    name: str, kind: Kind, reference: pd.Series, batch: pd.Series, thresholds: Thresholds
) -> ColumnDrift:
    """Compare one column of the batch with the reference and give its verdict."""
    import numpy as np

    t = thresholds
    missing_reference, missing_batch = _missing_share(reference), _missing_share(batch)
    fails, warns = [], []
    if missing_batch - missing_reference > t.max_missing_increase:
        fails.append(
            f"missing in {_pct(missing_batch)} of rows against {_pct(missing_reference)} in the "
            f"reference (limit: {_pct(t.max_missing_increase)} more)"
        )
    ref, new = reference.dropna(), batch.dropna()
    stats: NumericStats | CategoricalStats | None = None
    if len(ref) and len(new):
        if kind == "numeric":
            stats = compare_numeric(
                ref.to_numpy(dtype=np.float64), new.to_numpy(dtype=np.float64), bins=t.bins
            )
            test, p = "KS", stats.ks_p_value
        else:
            stats = compare_categorical(ref, new)
            test, p = "chi-square", stats.chi2_p_value
        shift = f"PSI {stats.psi:.3g} ≥ {{}} ({test} p = {p:.2g})"
        if p < t.p_value and stats.psi >= t.psi_fail:
            fails.append(shift.format(f"{t.psi_fail:g}"))
        elif p < t.p_value and stats.psi >= t.psi_warn:
            warns.append(shift.format(f"{t.psi_warn:g}"))
        if isinstance(stats, CategoricalStats) and stats.unseen:
            unseen = _unseen_reason(stats)
            (fails if stats.unseen_share > t.max_unseen_share else warns).append(unseen)
    status: Status = "drift" if fails else "warn" if warns else "ok"
    return ColumnDrift(
        name, kind, status, tuple(fails or warns), missing_reference, missing_batch, stats
    )


def _unseen_reason(stats: CategoricalStats) -> str:
    named = listing([repr(c) for c in stats.unseen], _NAMED)
    return f"categories never seen in the reference in {_pct(stats.unseen_share)} of rows: {named}"


def _missing_share(series: pd.Series) -> float:
    return float(series.isna().mean()) if len(series) else 0.0


def _pct(share: float) -> str:
    return f"{100 * share:.3g}%"


def _round(value: float) -> float:
    """Six significant digits: stable across platforms and BLAS builds, plenty to read."""
    return float(f"{value:.6g}")


@dataclass(frozen=True)
class DriftResult:
    """Every compared column's verdict and the predictions', what breaks the contract, notes."""

    batch: str
    reference: str
    batch_rows: int
    reference_rows: int
    thresholds: Thresholds
    columns: tuple[ColumnDrift, ...]
    predictions: ColumnDrift | None
    out_of_contract: OutOfContract
    notes: tuple[str, ...] = ()

    @property
    def compared(self) -> tuple[ColumnDrift, ...]:
        """The columns, then the predictions when they were compared."""
        return (*self.columns, *([self.predictions] if self.predictions else []))

    @property
    def drifted(self) -> tuple[ColumnDrift, ...]:
        """What passed a failing threshold."""
        return tuple(c for c in self.compared if c.status == "drift")

    @property
    def drift(self) -> bool:
        """The verdict: a column or the predictions drifted, or too many rows break the contract."""
        return bool(self.drifted) or self.out_of_contract.status == "drift"

    @property
    def warnings(self) -> tuple[ColumnDrift, ...]:
        """What passed a warning threshold only."""
        return tuple(c for c in self.compared if c.status == "warn")

    def check(self, report: Path | None = None) -> DriftResult:
        """Return self, or raise `DriftDetected` naming what drifted (and where REPORT is)."""
        if not self.drift:
            return self
        found = []
        if self.drifted:
            names = ", ".join(c.name for c in self.drifted)
            found.append(f"({len(self.drifted)} of {len(self.compared)} compared): {names}")
        if self.out_of_contract.status == "drift":
            rows, limit = self.out_of_contract.summary, _pct(self.out_of_contract.limit)
            found.append(f"{rows} outside the data contract (limit: {limit})")
        where = f"; see {report}" if report is not None else ""
        raise DriftDetected(
            f"{self.batch} drifted from {self.reference} beyond the thresholds in conf/drift/"
            f"{' ' if self.drifted else ': '}{'; '.join(found)}{where}"
        )

    def to_json(self) -> dict[str, Any]:
        """The content of `drift.json`: no time and no absolute path unless one was given."""
        return {
            "batch": {"path": self.batch, "rows": self.batch_rows},
            "reference": {"path": self.reference, "rows": self.reference_rows},
            "drift": self.drift,
            "drifted": [c.name for c in self.drifted],
            "warnings": [c.name for c in self.warnings],
            "thresholds": dict(vars(self.thresholds)),
            "columns": {c.name: c.to_json() for c in self.columns},
            "predictions": None if self.predictions is None else self.predictions.to_json(),
            "out_of_contract": self.out_of_contract.to_json(),
            "notes": list(self.notes),
        }
