"""Incidents: production failures kept as rows plus an expectation, one reviewed folder each.

`tests/regressions/<ID>/` holds `rows.csv`, byte for byte as the team exported it, and
`incident.yaml`: what went wrong, what the model must do instead, and whether it already does
(`fixed`: from then on any model that fails it is blocked) or not yet (`open`: reported only).
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

from mlproj._core.text import brief
from mlproj._core.yamlio import load_yaml
from mlproj.errors import InvalidIncident
from mlproj.incidents.expectations import Expectation, expectation_from_mapping

if TYPE_CHECKING:
    from mlproj.incidents.flags import ExpectationFlags

Status = Literal["open", "fixed"]
STATUSES: tuple[Status, ...] = ("open", "fixed")
MAX_ID = 64
_ID_CHARACTERS = frozenset(string.ascii_letters + string.digits + "-_.")
_ID_RULE = "use letters, digits, '-', '_' and '.', such as INC-42"
_REQUEST_KEYS = ("id", "rows", "expectation", "description", "link", "date")
_STORED_KEYS = ("id", "date", "description", "link", "expectation", "status", "last_result")

HEADER = """\
# An incident the model must never repeat: `mlproj regression run` checks every model on rows.csv.
# status: open (the model still fails it; reported, not blocking) or fixed (a model that fails it
# again is blocked). Once an open incident passes, `mlproj regression fix ID` marks it fixed.
"""


def check_id(incident_id: str) -> str:
    """Return INCIDENT_ID if it is safe as a folder name and readable in a report; else raise."""
    if not incident_id:
        raise InvalidIncident(f"incident id is empty; {_ID_RULE}.")
    bad = sorted(set(incident_id) - _ID_CHARACTERS)
    reason = ""
    if bad:
        reason = "contains " + ", ".join(repr(c) for c in bad)
    elif incident_id.startswith((".", "-")):
        reason = f"starts with {incident_id[0]!r}"  # hidden, or read as an option by a shell
    elif ".." in incident_id:
        reason = "contains '..'"
    elif len(incident_id) > MAX_ID:
        reason = f"is longer than {MAX_ID} characters"
    if reason:
        raise InvalidIncident(f"incident id {incident_id!r} {reason}; {_ID_RULE}.")
    return incident_id


@dataclass(frozen=True)
class LastResult:
    """How a model fared on an incident when it was last checked."""

    checked: datetime
    passed: int
    failed: int


@dataclass(frozen=True)
class Incident:
    """One incident as `incident.yaml` records it."""

    id: str
    date: date
    description: str
    link: str | None
    expectation: Expectation
    status: Status = "open"
    last_result: LastResult | None = None


@dataclass(frozen=True)
class IncidentRequest:
    """An incident as a user describes it, before the project has checked it."""

    id: str
    rows: Path
    expectation: Expectation | ExpectationFlags
    description: str = ""
    link: str | None = None
    date: date | None = None


def incident_request(
    incident_id: str | None,
    rows: Path | None,
    flags: ExpectationFlags,
    *,
    description: str | None = None,
    link: str | None = None,
    from_file: Path | None = None,
) -> IncidentRequest:
    """The request `mlproj add-regression` options make: INCIDENT with --rows, or --from-file."""
    if from_file is not None:
        mixed = [incident_id, rows, description, link]
        if (
            any(value is not None for value in mixed)
            or flags.given()
            or flags.tolerance is not None
        ):
            raise InvalidIncident(
                "--from-file describes the whole incident; give no INCIDENT, --rows, "
                "expectation, --description or --link with it."
            )
        return read_request(from_file)
    if incident_id is None:
        raise InvalidIncident("give INCIDENT and --rows FILE, or --from-file FILE.")
    if rows is None:
        raise InvalidIncident(f"{check_id(incident_id)} needs --rows FILE: the rows it failed on.")
    return IncidentRequest(check_id(incident_id), rows, flags, description or "", link)


def read_request(path: Path) -> IncidentRequest:
    """Read an incident file (YAML or JSON); its `rows` path is relative to the file."""
    where = str(path)
    document = _document(path)
    _keys(document, where, ("id", "rows", "expectation"), _REQUEST_KEYS)
    rows = Path(_string(document["rows"], f"{where}: 'rows'"))
    return IncidentRequest(
        id=check_id(_string(document["id"], f"{where}: 'id'")),
        rows=rows if rows.is_absolute() else path.parent / rows,
        expectation=expectation_from_mapping(document["expectation"], where),
        description=_optional(document, "description", where) or "",
        link=_optional(document, "link", where),
        date=_date(document["date"], f"{where}: 'date'") if "date" in document else None,
    )


def incident_from_yaml(text: str | bytes | Path, *, source: str) -> Incident:
    """Read an `incident.yaml` (its text, bytes or path), naming the field at fault."""
    document = _parse(text, source, json_file=False)
    _keys(document, source, ("id", "date", "expectation", "status"), _STORED_KEYS)
    status = document["status"]
    if status not in STATUSES:
        raise InvalidIncident(f"{source}: 'status' must be open or fixed, not {status!r}")
    return Incident(
        id=check_id(_string(document["id"], f"{source}: 'id'")),
        date=_date(document["date"], f"{source}: 'date'"),
        description=_optional(document, "description", source) or "",
        link=_optional(document, "link", source),
        expectation=expectation_from_mapping(document["expectation"], source),
        status=cast(Status, status),
        last_result=_last_result(document.get("last_result"), f"{source}: 'last_result'"),
    )


def incident_to_yaml(incident: Incident) -> str:
    """The commented `incident.yaml` a reviewer reads in a diff."""
    import yaml

    last = incident.last_result
    fields: dict[str, Any] = {
        "id": incident.id,
        "date": incident.date,
        "description": incident.description,
        "link": incident.link,
        "expectation": incident.expectation.to_mapping(),
        "status": incident.status,
        "last_result": None
        if last is None
        else {"checked": last.checked.isoformat(), "passed": last.passed, "failed": last.failed},
    }
    body = yaml.safe_dump(fields, sort_keys=False, allow_unicode=True, width=1_000_000)
    return HEADER + body


def _document(path: Path) -> dict[str, Any]:
    suffix = path.suffix.lower()
    if suffix not in (".yaml", ".yml", ".json"):
        raise InvalidIncident(f"{path}: an incident file is .yaml, .yml or .json")
    if not path.is_file():
        raise InvalidIncident(f"{path}: no such incident file")
    return _parse(path, str(path), json_file=suffix == ".json")


def _parse(content: str | bytes | Path, source: str, *, json_file: bool) -> dict[str, Any]:
    import json

    if not json_file:
        # The one bounded loader: a few lines of YAML anchors must not become gigabytes.
        document = load_yaml(content, source=source)
    else:
        try:
            raw = content.read_bytes() if isinstance(content, Path) else content
            document = json.loads(raw)
        except OSError as error:
            raise InvalidIncident(f"{source}: cannot be read ({error.strerror})") from None
        except UnicodeDecodeError:
            raise InvalidIncident(f"{source}: not UTF-8; save it as UTF-8") from None
        except json.JSONDecodeError as error:
            raise InvalidIncident(
                f"{source}: not valid JSON at line {error.lineno}: {error.msg}"
            ) from error
        except RecursionError:
            raise InvalidIncident(f"{source}: nested too deeply to be an incident") from None
    if not isinstance(document, dict):
        raise InvalidIncident(f"{source}: expected a mapping of field names to values")
    return document


def _keys(
    document: dict[str, Any], where: str, required: tuple[str, ...], known: tuple[str, ...]
) -> None:
    for key in document:
        if key not in known:
            raise InvalidIncident(f"{where}: unknown field {key!r} (expected {', '.join(known)})")
    for key in required:
        if key not in document:
            raise InvalidIncident(f"{where}: missing {key!r}")


def _string(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidIncident(f"{what} must be text, not {brief(value)}")
    return value


def _optional(document: dict[str, Any], key: str, where: str) -> str | None:
    value = document.get(key)
    if value is not None and not isinstance(value, str):
        raise InvalidIncident(f"{where}: {key!r} must be text, not {brief(value)}")
    return value


def _date(value: object, what: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        shown = brief(value)
        raise InvalidIncident(f"{what} must be a date such as 2025-01-31, not {shown}") from None


def _last_result(value: object, what: str) -> LastResult | None:
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) != {"checked", "passed", "failed"}:
        raise InvalidIncident(f"{what} must map 'checked', 'passed' and 'failed', or be null")
    counts = [value["passed"], value["failed"]]
    if any(isinstance(n, bool) or not isinstance(n, int) or n < 0 for n in counts):
        raise InvalidIncident(f"{what}: 'passed' and 'failed' must be counts of rows")
    try:
        # A time without a zone is local time, so it compares with the zoned ones mlproj writes.
        checked = datetime.fromisoformat(str(value["checked"])).astimezone()
    except ValueError:
        raise InvalidIncident(
            f"{what}: 'checked' must be a time such as 2025-01-31T09:30:00+00:00"
        ) from None
    return LastResult(checked, counts[0], counts[1])
