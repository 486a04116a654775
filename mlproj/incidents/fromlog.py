"""`mlproj add-regression INC --from-log REQUEST_ID...`: logged requests become an incident.

The rows a served model answered for those requests (their features only, in request and row
order) are the incident's rows. When every row has a label in the feedback log (the latest
recorded wins) the label is the expectation, kept as the rows' `_label` column; otherwise the
usual expectation options say what the model must do. An id the log does not hold, or one
whose rows were all refused by the contract, is refused in one line, before anything is written.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from mlproj._core.progress import Activity, Progress, ignore
from mlproj._core.text import listing, path_in
from mlproj.errors import InvalidIncident
from mlproj.incidents.commands import Added, add_regression
from mlproj.incidents.expectations import Expectation
from mlproj.incidents.flags import CHOICES, ExpectationFlags
from mlproj.incidents.incident import IncidentRequest, check_id
from mlproj.predictionlog.feedback import LABEL, feedback_folder, latest_labels, log_folder
from mlproj.predictionlog.schema import ANSWERED, REQUEST_ID, ROW, TIME, read_log
from mlproj.project.project import open_project

if TYPE_CHECKING:
    import pandas as pd


def add_regression_from_log(
    project: Path,
    incident_id: str,
    request_ids: Sequence[str],
    flags: ExpectationFlags,
    *,
    description: str | None = None,
    link: str | None = None,
    force: bool = False,
    on_step: Progress = ignore,
) -> Added:
    """Record the answered rows of REQUEST_IDS as incident INCIDENT_ID (see the module)."""
    config = open_project(project)
    check_id(incident_id)
    if not request_ids:
        raise InvalidIncident("--from-log needs the REQUEST_ID of at least one logged request.")
    log, feedback = log_folder(config), feedback_folder(config)
    shown = path_in(log, config.root)
    on_step(Activity(f"Reading {len(request_ids)} request(s) from {shown}"))
    rows = logged_rows(log, request_ids, config.features, shown=shown)
    labels = _labels(feedback, rows)
    uses_labels = not flags.given() or LABEL in (flags.expected_column, flags.not_label_column)
    if uses_labels and labels.isna().any():
        missing = int(labels.isna().sum())
        raise InvalidIncident(
            f"{missing} of {len(rows)} row(s) of those requests have no feedback label; say "
            f"what the model must do on them: {CHOICES[config.task]}."
        )
    expectation = flags if flags.given() else _from_labels(config.task)
    table = rows[list(config.features)].copy()
    if uses_labels:
        table[LABEL] = labels.to_numpy()
    when = rows[TIME].min().date()
    shown = listing([str(r) for r in request_ids], 3)
    with tempfile.TemporaryDirectory(prefix="mlproj-from-log-") as folder:
        csv = Path(folder) / "rows.csv"
        table.to_csv(csv, index=False)
        request = IncidentRequest(
            incident_id,
            csv,
            expectation,
            description if description is not None else f"Logged request(s) {shown}",
            link,
            when,
        )
        return add_regression(project, request, force=force, on_step=on_step)


def check_log_options(
    incident_id: str | None,
    request_ids: Sequence[str],
    *,
    from_log: bool,
    rows: Path | None,
    from_file: Path | None,
) -> str:
    """The incident id, once the options given with (or without) `--from-log` fit together."""
    if not from_log:
        raise InvalidIncident(
            f"unexpected argument {request_ids[0]!r}: request ids go with --from-log."
        )
    if rows is not None or from_file is not None:
        raise InvalidIncident(
            "--from-log takes its rows from the log; give no --rows or --from-file."
        )
    if incident_id is None:
        raise InvalidIncident(
            "give INCIDENT and the REQUEST_IDs: add-regression INC-42 --from-log ID..."
        )
    return incident_id


def logged_rows(
    log: Path, request_ids: Sequence[str], features: Sequence[str], *, shown: str | None = None
) -> pd.DataFrame:
    """The answered rows of REQUEST_IDS, in the order given and by row; refuse unknown ids.

    Refusals name the log as SHOWN (the project-relative path), else as LOG.
    """
    import pandas as pd

    frame = read_log(log)
    where = shown or str(log)
    wanted = list(dict.fromkeys(str(r) for r in request_ids))
    found = frame[frame[REQUEST_ID].astype(str).isin(wanted)] if len(frame) else frame
    unknown = [r for r in wanted if r not in set(found[REQUEST_ID].astype(str))]
    if unknown:
        names = listing([repr(r) for r in unknown])
        raise InvalidIncident(
            f"{where}: no logged request {names}; check the id(s) (X-Request-ID)."
        )
    answered = found[found[ANSWERED].fillna(False).astype(bool)]
    refused = [r for r in wanted if r not in set(answered[REQUEST_ID].astype(str))]
    if refused:
        names = listing([repr(r) for r in refused])
        raise InvalidIncident(
            f"{where}: request {names} was refused by the data contract, never answered: there "
            "is no prediction to keep from coming back."
        )
    absent = [c for c in features if c not in answered.columns]
    if absent:
        raise InvalidIncident(f"{where}: the log has no column {listing(absent)}, a model feature.")
    order = {r: i for i, r in enumerate(wanted)}
    keyed = answered.assign(_order=answered[REQUEST_ID].astype(str).map(order))
    keyed = keyed.drop_duplicates([REQUEST_ID, ROW], keep="last")
    return pd.DataFrame(keyed.sort_values(["_order", ROW]).reset_index(drop=True))


def _labels(feedback: Path, rows: pd.DataFrame) -> pd.Series:
    """Each row's latest feedback label, or a gap."""
    joined = rows[[REQUEST_ID, ROW]].merge(latest_labels(feedback), how="left")
    return joined[LABEL]


def _from_labels(task: str) -> Expectation:
    origin = "--from-log (each row's feedback label)"
    if task == "classification":
        return Expectation("label", column=LABEL, origin=origin)
    raise InvalidIncident(
        "--from-log: the feedback labels give each row's right value; add --expected-column "
        f"{LABEL} --tolerance T to say how far off a prediction may be."
    )
