"""`mlproj smoke URL`: test a deployed service the way its clients will use it.

The service must be up (`/health`), say which version it runs (`/version`), answer the
contract's sample rows alone and in a batch with classes the contract allows (or finite
numbers), refuse a row that breaks the contract (422), still meet every fixed incident's
expectation, and answer within the latency budget of `conf/serve`. Each check is one line of
the result; any failure is `SmokeFailed` naming them all. Request ids start with `smoke-`, so
the prediction log tells this traffic from real clients'.
"""

from __future__ import annotations

import hashlib
import math
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlproj._core.text import brief, number
from mlproj.deploy.answers import Expected, answer_problem, incident_output, rows_json
from mlproj.deploy.client import Service, Unanswered, check_url
from mlproj.errors import SmokeFailed
from mlproj.predictionlog.schema import SMOKE_PREFIX

if TYPE_CHECKING:
    import httpx
    import pandas as pd

    from mlproj.data.contract import Contract
    from mlproj.incidents.incident import Incident
    from mlproj.serve.settings import LatencyBudget

# Sample rows made from the contract: the first few go one per request, then all in one batch.
SAMPLE_ROWS = 20
SINGLES = 5
DEFAULT_REQUESTS = 50


@dataclass(frozen=True)
class Check:
    """One post-deployment check: its name, whether it passed, and what was seen."""

    name: str
    passed: bool
    detail: str


@dataclass(frozen=True)
class Latency:
    """Client-side milliseconds of REQUESTS single-row requests, against the budget."""

    requests: int
    p50_ms: float
    p95_ms: float
    budget: LatencyBudget


@dataclass(frozen=True)
class SmokeResult:
    """Every check run against the service at URL, in order."""

    url: str
    model_version: str | None
    checks: tuple[Check, ...]
    latency: Latency | None = None

    @property
    def failed(self) -> tuple[Check, ...]:
        """The checks that did not pass."""
        return tuple(check for check in self.checks if not check.passed)

    def check(self) -> SmokeResult:
        """Return self, or raise `SmokeFailed` naming every failed check in one line."""
        if not self.failed:
            return self
        count = len(self.failed)
        named = "; ".join(f"{check.name} ({check.detail})" for check in self.failed)
        raise SmokeFailed(
            f"{self.url} failed {count} smoke check{'s' if count > 1 else ''}: {named}"
        )


@dataclass(frozen=True)
class _Plan:
    """What the checks need from the project, read before the service is contacted."""

    contract: Contract
    contract_sha256: str
    expected: Expected
    samples: pd.DataFrame
    incidents: tuple[tuple[Incident, pd.DataFrame], ...]
    features: tuple[str, ...]
    budget: LatencyBudget
    max_rows: int


def smoke(
    project_root: Path,
    url: str,
    *,
    expect_version: str | None = None,
    wait_seconds: float = 0.0,
    requests: int = DEFAULT_REQUESTS,
    client: httpx.Client | None = None,
) -> SmokeResult:
    """Run every post-deployment check against the service at URL; never raises for a check.

    `SmokeFailed` at once for a URL that is not http(s) or a service that never answers
    `/health` within WAIT_SECONDS: nothing else can be checked. CLIENT replaces the HTTP
    client (tests pass an in-process one).
    """
    problem = check_url(url)
    if problem:
        raise SmokeFailed(f"{problem}.")
    plan = _plan(project_root)
    service = Service(url, client)
    try:
        try:
            health = service.wait_healthy(max(wait_seconds, 0.0))
        except Unanswered as exc:
            raise SmokeFailed(f"{exc}.") from None
        return _run(service, plan, health.body, expect_version, max(requests, 0))
    finally:
        service.close()


def _plan(project_root: Path) -> _Plan:
    from mlproj.data.contract import load_contract
    from mlproj.data.synthetic import synthesize
    from mlproj.incidents.store import load_incidents, read_rows
    from mlproj.project.project import open_project
    from mlproj.serve.settings import serve_settings

    project = open_project(project_root)
    settings = serve_settings(project)
    contract = load_contract(project.contract)
    target = contract.rule(project.target) if project.target in contract.names else None
    seed = project.params.get("seed", 0)
    samples = synthesize(contract, SAMPLE_ROWS, seed=seed if isinstance(seed, int) else 0)
    features = tuple(name for name in project.features if name in contract.names)
    incidents = tuple(
        (incident, read_rows(project_root, incident.id))
        for incident in load_incidents(project_root)
        if incident.status == "fixed"
    )
    return _Plan(
        contract=contract,
        contract_sha256=hashlib.sha256(project.contract.read_bytes()).hexdigest(),
        expected=Expected(project.task, target),
        samples=samples[list(features)],
        incidents=incidents,
        features=features,
        budget=settings.latency,
        max_rows=settings.max_rows,
    )


def _run(
    service: Service, plan: _Plan, health: Any, expect_version: str | None, requests: int
) -> SmokeResult:
    checks = [_health(health)]
    version, answering, version_checks = _version(service, plan, expect_version)
    checks += version_checks
    rows = rows_json(plan.samples)
    expected = Expected(plan.expected.task, plan.expected.target, answering)
    checks.append(_samples(service, rows[:SINGLES], expected, "sample rows, one per request"))
    batch = rows[: plan.max_rows]
    checks.append(_samples(service, [batch], expected, f"sample rows, {len(batch)} in one request"))
    checks.append(_contract_break(service, plan, rows[0]))
    checks += [
        _incident(service, plan, incident, frame, expected) for incident, frame in plan.incidents
    ]
    latency = None
    if requests:
        latency, latency_checks = _latency(service, plan, rows, requests, expected)
        checks += latency_checks
    return SmokeResult(service.url, version, tuple(checks), latency)


def _request_id(what: str) -> str:
    """`smoke-<what>-<random>`: the service keeps ids up to 64 characters, so WHAT is cut."""
    return f"{SMOKE_PREFIX}{what[:24]}-{uuid.uuid4().hex[:12]}"


def _health(body: Any) -> Check:
    if not isinstance(body, dict) or body.get("status") != "ok":
        return Check("health", False, f"/health answered {_shown(body)}, not status ok")
    return Check("health", True, f"ok, model {body.get('model_version')}")


def _version(
    service: Service, plan: _Plan, expect: str | None
) -> tuple[str | None, frozenset[str], list[Check]]:
    """The version the service reports, every version that may answer, and the checks."""
    try:
        reply = service.get("/version")
    except Unanswered as exc:
        return None, frozenset(), [Check("version", False, str(exc))]
    body = reply.body
    version = body.get("model_version") if isinstance(body, dict) else None
    if reply.status != 200 or not isinstance(version, str) or not version:
        detail = f"/version answered HTTP {reply.status} {_shown(body)}, no model_version"
        return None, frozenset(), [Check("version", False, detail)]
    answering = {version}
    canary = body.get("canary")
    if isinstance(canary, dict) and isinstance(canary.get("model_version"), str):
        answering.add(canary["model_version"])
    if expect is not None and version != expect:
        check = Check("version", False, f"the service runs {version}, expected {expect}")
    else:
        check = Check("version", True, version + (" (as expected)" if expect else ""))
    checks = [check]
    served = body.get("contract_sha256")
    if served != plan.contract_sha256:
        detail = (
            f"the service's data contract (sha256 {str(served)[:12]}) is not this checkout's "
            f"({plan.contract_sha256[:12]}): check out the commit it was released from"
        )
        checks.append(Check("data contract", False, detail))
    else:
        checks.append(Check("data contract", True, f"sha256 {plan.contract_sha256[:12]}"))
    return version, frozenset(answering), checks


def _samples(service: Service, requests: list[Any], expected: Expected, name: str) -> Check:
    """Send each item of REQUESTS (a row, or a list of rows) and check every answer."""
    answered = 0
    for item in requests:
        rows = item if isinstance(item, list) else [item]
        request_id = _request_id("sample")
        try:
            reply = service.predict(rows, request_id)
        except Unanswered as exc:
            return Check(name, False, str(exc))
        problem = answer_problem(reply, len(rows), request_id, expected)
        if problem:
            return Check(name, False, problem)
        answered += len(rows)
    return Check(name, True, f"{answered} row(s) answered")


def _contract_break(service: Service, plan: _Plan, row: dict[str, Any]) -> Check:
    """Send ROW broken on one column: validation must refuse it with a 422 naming it."""
    name = "contract break refused"
    column, broken = _broken(plan.contract, plan.features, row)
    try:
        reply = service.predict([broken], _request_id("break"))
    except Unanswered as exc:
        return Check(name, False, str(exc))
    if reply.status != 422:
        return Check(name, False, f"HTTP {reply.status} for column {column!r} broken, not 422")
    errors = reply.body.get("errors") if isinstance(reply.body, dict) else None
    if not isinstance(errors, list) or not any(
        isinstance(e, dict) and e.get("column") == column for e in errors
    ):
        return Check(name, False, f"the 422 does not name column {column!r}: {_shown(reply.body)}")
    return Check(name, True, f"422 naming column {column!r}")


def _broken(
    contract: Contract, features: tuple[str, ...], row: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    """A copy of ROW that breaks one rule of one feature, and that feature's name."""
    rules = [contract.rule(name) for name in features]
    for rule in rules:
        if rule.kind in ("numeric", "integer") and rule.maximum is not None:
            high = rule.maximum + abs(rule.maximum) * 10 + 1000
            return rule.name, {**row, rule.name: int(high) if rule.kind == "integer" else high}
        if rule.kind in ("numeric", "integer") and rule.minimum is not None:
            low = rule.minimum - abs(rule.minimum) * 10 - 1000
            return rule.name, {**row, rule.name: int(low) if rule.kind == "integer" else low}
    for rule in rules:
        if rule.kind == "categorical" and rule.allowed:
            return rule.name, {**row, rule.name: "not-" + "-".join(rule.allowed)}
        if not rule.nullable:
            return rule.name, {**row, rule.name: None}
    # No rule to break but the presence of the column itself.
    first = features[0]
    return first, {key: value for key, value in row.items() if key != first}


def _incident(
    service: Service, plan: _Plan, incident: Incident, frame: pd.DataFrame, expected: Expected
) -> Check:
    """The service's answers on a fixed incident's rows, judged by its expectation."""
    from mlproj.incidents.verdicts import judge

    rows = frame.reset_index(drop=True)
    sent = rows[[name for name in plan.features if name in rows.columns]]
    output = incident_output(
        service,
        rows_json(sent),
        plan.max_rows,
        _request_id(incident.id),
        incident.expectation,
        expected,
    )
    verdict = judge(incident.expectation, rows, output)
    return Check(f"incident {incident.id}", verdict.passed, verdict.message)


def _latency(
    service: Service, plan: _Plan, rows: list[dict[str, Any]], count: int, expected: Expected
) -> tuple[Latency | None, list[Check]]:
    import numpy as np

    times = []
    for i in range(count):
        request_id = _request_id("latency")
        try:
            reply = service.predict([rows[i % len(rows)]], request_id)
        except Unanswered as exc:
            return None, [Check("latency", False, f"request {i + 1} of {count}: {exc}")]
        problem = answer_problem(reply, 1, request_id, expected)
        if problem:
            return None, [Check("latency", False, f"request {i + 1} of {count}: {problem}")]
        times.append(reply.elapsed_ms)
    p50, p95 = (float(v) for v in np.percentile(times, [50, 95]))
    budget = plan.budget
    latency = Latency(count, p50, p95, budget)
    return latency, [
        _within("p50", p50, budget.p50_ms, count),
        _within("p95", p95, budget.p95_ms, count),
    ]


def _within(which: str, value: float, budget: float, count: int) -> Check:
    passed = math.isfinite(value) and value <= budget
    relation = "within" if passed else "over"
    detail = (
        f"{number(value, 3)} ms over {count} requests, {relation} "
        f"serve.latency.{which}_ms = {number(budget)} ms"
    )
    return Check(f"latency {which}", passed, detail)


def _shown(body: Any) -> str:
    return brief(body, 60)
