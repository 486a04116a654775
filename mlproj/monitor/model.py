"""The model behind the log: which version answered, its file, its age, and what it predicts.

The log names each answer's version: a registry version (`v1.2.0`) comes back through DVC at
its `model@v1.2.0` tag, a workspace model (`workspace@<commit>`) is the project's model file.
Age is counted from the version's release tag (or the workspace commit) to the window's end.
Two checks re-run the model: prediction drift (the logged answers against what it predicts
on the test split) and train/serve skew (the logged rows, scored offline through the
project's own pipeline, must give the answers the service gave).
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlproj._core.git import git
from mlproj._core.text import listing, number, percent
from mlproj.drift.rules import Kind, judge_column
from mlproj.errors import DataError, RegistryError
from mlproj.monitor.check import Check, alert, judged, ok, skipped
from mlproj.predictionlog.schema import PREDICTION, REQUEST_ID, ROW

if TYPE_CHECKING:
    import pandas as pd

    from mlproj.monitor.inputs import Features
    from mlproj.monitor.settings import MonitorSettings
    from mlproj.project.project import Project

AGE, PREDICTION_DRIFT, SKEW = "model age", "prediction drift", "skew"
RELEASE = re.compile(r"v\d+\.\d+\.\d+")
# Regression answers read back from Parquet are the same float64; this only forgives printing.
_RELATIVE = 1e-9


@dataclass(frozen=True)
class Served:
    """The version judged, its model (None when it could not be loaded), and why not."""

    version: str
    model: Any
    problem: str | None = None


def served_model(project: Project, version: str) -> Served:
    """Load VERSION's model: a registry version through DVC, anything else from the workspace."""
    from mlproj.predict.model import scoring_model

    try:
        scoring = scoring_model(project, version if RELEASE.fullmatch(version) else None)
    except (RegistryError, DataError) as exc:
        return Served(version, None, f"cannot load {version}'s model: {exc}")
    return Served(version, scoring.model)


def model_age(project: Project, version: str, until: date, settings: MonitorSettings) -> Check:
    """Alert when VERSION is older than `max_age_days` at the end of the window."""
    born, source = _born(project.root, version)
    if born is None:
        return skipped(AGE, f"no date for {version}: {source}")
    end = datetime.combine(until, time.max, tzinfo=timezone.utc)
    days = (end - born).days
    return judged(
        AGE,
        days,
        settings.max_age_days,
        f"{version} is {days} day(s) old ({source} {born.date()}; limit {settings.max_age_days})",
    )


def release_tags(version: str) -> tuple[str, str]:
    """The tags a release VERSION may carry, in the order they are looked up: GTO's, then git's."""
    return f"model@{version}", version


def _born(root: Path, version: str) -> tuple[datetime | None, str]:
    """When VERSION was made, and what that date is (its release tag, or a commit)."""
    if RELEASE.fullmatch(version):
        for tag in release_tags(version):
            found = git(
                root,
                "for-each-ref",
                "--format=%(creatordate:iso-strict)",
                f"refs/tags/{tag}",
                check=False,
            )
            if found:
                return datetime.fromisoformat(found.splitlines()[0]), f"tag {tag} of"
        return None, f"no tag model@{version} or {version} in this repository"
    commit = version.partition("@")[2].removesuffix("+dirty") or "HEAD"
    found = git(root, "show", "-s", "--format=%cI", commit, check=False)
    if not found:
        return None, f"commit {commit} is not in this repository"
    return datetime.fromisoformat(found.splitlines()[-1]), f"commit {commit} of"


def predict(model: Any, rows: pd.DataFrame) -> Any:
    """The model's answers on ROWS, without scikit-learn's advice on stderr."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.predict(rows)


def prediction_drift(
    served: Served, answered: pd.DataFrame, test: pd.DataFrame, features: Features, task: str
) -> Check:
    """PSI (and its test) of the logged answers against the model's answers on the test split."""
    import pandas as pd

    if answered.empty:
        return skipped(PREDICTION_DRIFT, f"no row answered by {served.version} in the window")
    if served.model is None:
        return skipped(PREDICTION_DRIFT, served.problem or "no model")
    reference = pd.Series(predict(served.model, test[features.names]))
    logged = answered[PREDICTION]
    kind: Kind = "categorical" if task == "classification" else "numeric"
    if kind == "categorical":
        reference, logged = reference.astype(str), logged.astype(str)
    else:
        logged = pd.to_numeric(logged, errors="coerce")
    t = features.thresholds.for_predictions()
    verdict = judge_column("predictions", kind, reference, logged, t)
    psi = None if verdict.stats is None else verdict.stats.psi
    against = f"{len(answered)} logged answer(s) against {len(test)} on the test split"
    if verdict.status == "drift":
        return alert(PREDICTION_DRIFT, f"{'; '.join(verdict.reasons)} ({against})", psi, t.psi_fail)
    return ok(PREDICTION_DRIFT, f"PSI {number(psi or 0.0)} ({against})", psi, t.psi_fail)


def skew(
    served: Served, answered: pd.DataFrame, features: Features, task: str, settings: MonitorSettings
) -> Check:
    """Score the logged rows offline with the same model; alert on answers that differ."""
    import numpy as np
    import pandas as pd

    from mlproj.monitor.inputs import coerced

    if answered.empty:
        return skipped(SKEW, f"no row answered by {served.version} in the window")
    if served.model is None:
        return skipped(SKEW, served.problem or "no model")
    rows = coerced(answered, features)[features.names]
    try:
        offline = pd.Series(predict(served.model, rows))
    except Exception as exc:  # whatever the project's model raises on these rows
        return alert(
            SKEW,
            f"the model cannot re-score the logged rows offline ({type(exc).__name__}: {exc})",
        )
    logged = answered[PREDICTION].reset_index(drop=True)
    if task == "classification":
        same = offline.astype(str).to_numpy() == logged.astype(str).to_numpy()
    else:
        values = pd.to_numeric(logged, errors="coerce").to_numpy(dtype=np.float64)
        same = np.isclose(offline.to_numpy(dtype=np.float64), values, rtol=_RELATIVE, atol=0.0)
    differ = int((~same).sum())
    share = differ / len(same)
    keys = answered.loc[~same, [REQUEST_ID, ROW]].head(3)
    shown = listing([f"{r}#{i}" for r, i in keys.itertuples(index=False)], 3)
    first = f" (first: {shown})" if differ else ""
    return judged(
        SKEW,
        share,
        settings.max_skew_share,
        f"{differ} of {len(same)} logged answer(s) differ when {served.version} re-scores the "
        f"logged rows offline ({percent(share)}; limit {percent(settings.max_skew_share)}){first}",
    )
