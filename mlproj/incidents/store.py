"""Where incidents live: one folder each under `tests/regressions/`, written whole or not at all.

The folder is the unit of review: `rows.csv`, byte for byte as exported, beside `incident.yaml`.
Rows too large for git go to DVC, so a suite can hold a big batch without bloating the history.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from mlproj._core.atomic import write_text, writing
from mlproj._core.shell import DVC_ENV, python_module, run
from mlproj.data.contract import Contract, column_mismatches
from mlproj.errors import ContractViolation, DataError, IncidentExists, InvalidIncident
from mlproj.incidents.expectations import Expectation, label_text
from mlproj.incidents.incident import Incident, check_id, incident_from_yaml, incident_to_yaml
from mlproj.incidents.verdicts import rows_text

if TYPE_CHECKING:
    import pandas as pd

REGRESSIONS = Path("tests") / "regressions"
INCIDENT_FILE = "incident.yaml"
ROWS_FILE = "rows.csv"
# Rows files above this size go to DVC: git stays small and diffs stay readable.
LARGE_ROWS = 1024 * 1024
# `.ID.PID.HEX.new` is being built, `.ID.PID.HEX.old` is the incident it replaces until the new
# one is in place and tracked, `.ID.PID.HEX.done` is that old one on its way out.
_ASIDE = re.compile(r"\.(?P<id>.+)\.(?P<pid>\d+)\.[0-9a-f]{32}\.(?P<state>new|old|done)")


def incident_folder(project: Path, incident_id: str) -> Path:
    """Where the incident with this (already checked) id lives."""
    return project / REGRESSIONS / incident_id


def load_incident(project: Path, incident_id: str) -> Incident:
    """The incident with id INCIDENT_ID, refusing a record whose id disagrees with its folder."""
    path = incident_folder(project, check_id(incident_id)) / INCIDENT_FILE
    if not path.is_file():
        known = ", ".join(i.name for i in _folders(project)) or "none yet"
        raise InvalidIncident(f"no incident {incident_id!r} in {REGRESSIONS} (incidents: {known}).")
    source = str(path.relative_to(project)) if path.is_relative_to(project) else str(path)
    incident = incident_from_yaml(path, source=source)
    if incident.id != incident_id:
        raise InvalidIncident(
            f"{source}: 'id' is {incident.id!r} but its folder is {incident_id!r}"
        )
    return incident


def load_incidents(project: Path) -> list[Incident]:
    """Every incident of the project, INC-2 before INC-10."""
    return [load_incident(project, folder.name) for folder in _folders(project)]


def _folders(project: Path) -> list[Path]:
    root = project / REGRESSIONS
    if not root.is_dir():
        return []
    # A name starting with '.' is a half-built or replaced incident of a command in progress.
    found = [p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")]
    return sorted(
        found, key=lambda p: [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", p.name)]
    )


def check_free(project: Path, incident_id: str, *, force: bool = False) -> None:
    """Raise `IncidentExists` if the id is taken, unless FORCE says to replace it."""
    if incident_folder(project, incident_id).exists() and not force:
        raise IncidentExists(
            f"incident {incident_id} already exists in {REGRESSIONS / incident_id}; "
            "give --force to replace it."
        )


def read_rows(project: Path, incident_id: str) -> pd.DataFrame:
    """The rows of an incident, saying how to fetch them when DVC holds them elsewhere.

    They were checked when the incident was added, so this reads them with pandas alone:
    the full checks of `read_table` would double the time a large suite spends reading.
    """
    import pandas as pd

    path = incident_folder(project, incident_id) / ROWS_FILE
    where = path.relative_to(project) if path.is_relative_to(project) else path
    try:
        rows = pd.read_csv(path)
    except FileNotFoundError:
        if path.with_name(ROWS_FILE + ".dvc").exists():
            raise DataError(
                f"{where}: tracked by DVC and not here; run `dvc pull {where}`."
            ) from None
        raise DataError(f"{where}: missing; restore it or remove the incident's folder.") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise DataError(f"{where}: not a readable CSV file ({first}).") from exc
    except OSError as exc:  # a folder in its place, a permission
        raise DataError(
            f"{where}: cannot be read ({exc.strerror or exc}); restore it or remove the "
            "incident's folder."
        ) from None
    if rows.empty:
        raise DataError(f"{where}: the file has a header but no rows.")
    return rows


def read_new_rows(path: Path) -> pd.DataFrame:
    """The rows of a new incident: a CSV file with a header and at least one row."""
    from mlproj.data.dataset import read_table

    if path.suffix.lower() != ".csv":
        raise DataError(f"{path}: incident rows must be a .csv file; they are kept as rows.csv.")
    return read_table(path)


def check_rows(
    rows: pd.DataFrame,
    expectation: Expectation,
    contract: Contract,
    features: Sequence[str],
    *,
    classes: Sequence[str] | None,
    source: str,
) -> None:
    """Refuse rows the model cannot be judged on, naming every problem with their columns.

    Feature columns must be exactly the contract's. Its other columns (the target, identifiers,
    columns the model leaves out) may be absent, and the expectation's column may be extra:
    production logs rarely carry the label, and the label is why the rows are kept.
    """
    optional = [name for name in contract.names if name not in set(features)]
    column = expectation.column
    mismatches = column_mismatches(rows.columns, contract, ignore=[*optional, *[column or ""]])
    if mismatches:
        extra = any(m.startswith("unexpected") for m in mismatches)
        hint = " (besides the contract's columns, rows may hold only the expectation's column)"
        raise ContractViolation(
            f"{source}: the columns do not match the data contract: "
            f"{'; '.join(mismatches)}{hint if extra else ''}."
        )
    if column is not None:
        _check_expected(rows, column, expectation, source)
    labels: list[object] = [expectation.label] if expectation.kind == "min_probability" else []
    if expectation.kind in ("label", "not_label"):
        labels = list(rows[column]) if column is not None else [expectation.value]
    unknown = sorted({label_text(v) for v in labels} - set(classes or ()))
    if classes and unknown:
        raise DataError(
            f"{source}: {', '.join(map(repr, unknown[:5]))} not among the classes of the target "
            f"({', '.join(classes)}); check the spelling, or widen the contract first."
        )


def _check_expected(rows: pd.DataFrame, column: str, expectation: Expectation, source: str) -> None:
    import pandas as pd

    if column not in rows.columns:
        listed = ", ".join(map(str, rows.columns))
        raise DataError(
            f"{source}: no column {column!r} for {expectation.origin} (columns: {listed})."
        )
    values = rows[column]
    gaps = tuple(int(i) for i in values.index[values.isna()])
    if gaps:
        raise DataError(f"{source}: column {column!r} has no value in {rows_text(gaps)}.")
    if expectation.kind == "value":
        numbers = pd.to_numeric(values, errors="coerce")
        bad = tuple(int(i) for i in values.index[numbers.isna()])
        if bad:
            raise DataError(
                f"{source}: column {column!r} holds text, not numbers, in {rows_text(bad)} "
                f"(first: {values[bad[0]]!r})."
            )


def save_incident(
    project: Path, incident: Incident, rows: Path, *, force: bool = False, large: int = LARGE_ROWS
) -> bool:
    """Write the incident's folder whole or not at all; return whether DVC tracks its rows.

    A read-only project or a full disk is one `CannotWrite` naming the folder, raised after
    the partial folder has been cleaned up.
    """
    where = incident_folder(project, incident.id).relative_to(project)
    with writing(f"{where} in {project}"):
        return _save_incident(project, incident, rows, force=force, large=large)


def _save_incident(
    project: Path, incident: Incident, rows: Path, *, force: bool, large: int
) -> bool:
    """The work of `save_incident`.

    The folder is built under a temporary name beside its final place, then renamed; a folder
    it replaces (`force`) is kept aside until the new one is in place and tracked.
    """
    recover(project)
    check_free(project, incident.id, force=force)
    final = incident_folder(project, incident.id)
    made = [p for p in (final.parent, final.parent.parent) if not p.exists()]
    final.parent.mkdir(parents=True, exist_ok=True)
    # Names starting with '.' are skipped by `load_incidents`, so a half-built folder never counts.
    staging = final.with_name(f".{incident.id}.{os.getpid()}.{uuid.uuid4().hex}.new")
    aside = final.with_name(f".{incident.id}.{os.getpid()}.{uuid.uuid4().hex}.old")
    placed = False
    try:
        staging.mkdir()
        shutil.copyfile(rows, staging / ROWS_FILE)
        write_text(staging / INCIDENT_FILE, incident_to_yaml(incident))
        if final.exists():
            os.replace(final, aside)
        os.replace(staging, final)
        placed = True
        tracked = (final / ROWS_FILE).stat().st_size > large
        if tracked:
            target = str((final / ROWS_FILE).relative_to(project))
            run([*python_module("dvc"), "add", "--quiet", target], project, env=DVC_ENV)
    except BaseException:
        if placed:
            shutil.rmtree(final, ignore_errors=True)
        if aside.exists():
            os.replace(aside, final)
        shutil.rmtree(staging, ignore_errors=True)
        for folder in made:  # folders this call made, innermost first
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        raise
    if aside.exists():
        done = aside.with_suffix(".done")
        os.replace(aside, done)  # from here on, a kill leaves the new incident in place
        shutil.rmtree(done, ignore_errors=True)
    return tracked


def recover(project: Path) -> list[str]:
    """Undo what a killed `save_incident` left (the ids it restores or cleans up).

    A half-built `.new` folder is removed. An `.old` one means the replace did not finish: the
    old incident goes back in place, as if the command had never run. A `.done` one was
    replaced for good and is removed. Folders of a process still running are left alone.
    """
    from mlproj._core.leftovers import stale

    touched = []
    for entry in stale(project / REGRESSIONS, _ASIDE):
        match = _ASIDE.fullmatch(entry.name)
        assert match is not None  # `stale` matched it
        final = entry.with_name(match["id"])
        if match["state"] == "old":
            shutil.rmtree(final, ignore_errors=True)
            os.replace(entry, final)
        else:
            shutil.rmtree(entry, ignore_errors=True)
        touched.append(match["id"])
    return sorted(set(touched))


def update_incident(project: Path, incident: Incident) -> None:
    """Rewrite an existing incident's record atomically; its rows are left alone."""
    write_text(incident_folder(project, incident.id) / INCIDENT_FILE, incident_to_yaml(incident))
