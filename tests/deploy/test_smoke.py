"""`mlproj smoke`: a running service checked as its clients use it; exit 37 naming each failure."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from mlproj.cli import app
from mlproj.deploy import client as client_module
from mlproj.deploy.smoke import smoke
from mlproj.errors import SmokeFailed
from mlproj.incidents.expectations import Expectation
from mlproj.incidents.incident import Incident, incident_to_yaml
from tests.conftest import write
from tests.deploy.standin import Lies, client, standin_app
from tests.toy_project import classifier, make_project

URL = "http://standin"
CHECKS = [
    "health",
    "version",
    "data contract",
    "sample rows, one per request",
    "sample rows, 20 in one request",
    "contract break refused",
    "latency p50",
    "latency p95",
]


@pytest.fixture(scope="module")
def model() -> Any:
    return classifier()


# Generous: a loaded test machine is no deployment; one test sets a budget it must miss.
BUDGET = "serve:\n  latency:\n    p50_ms: 10000\n    p95_ms: 10000\n"


def toy_project(root: Path) -> Path:
    project = make_project(root)
    params = project / "params.yaml"
    params.write_text(params.read_text() + BUDGET)
    return project


@pytest.fixture
def toy(tmp_path: Path) -> Path:
    return toy_project(tmp_path / "proj")


HONEST = Lies()


def run(project: Path, model: Any, lies: Lies = HONEST, **options: Any) -> Any:
    options.setdefault("requests", 3)
    return smoke(project, URL, client=client(standin_app(project, model, lies=lies)), **options)


def failed(result: Any) -> dict[str, str]:
    return {check.name: check.detail for check in result.failed}


def test_a_healthy_service_passes_every_check(toy: Path, model: Any) -> None:
    result = run(toy, model, expect_version="v1.0.0")
    assert [check.name for check in result.checks] == CHECKS
    assert result.failed == ()
    assert result.model_version == "v1.0.0"
    assert result.checks[1].detail == "v1.0.0 (as expected)"
    assert result.checks[5].detail == "422 naming column 'color'"
    assert result.latency is not None and result.latency.requests == 3
    assert result.check() is result


def test_another_version_than_expected_fails(toy: Path, model: Any) -> None:
    result = run(toy, model, expect_version="v2.0.0")
    with pytest.raises(SmokeFailed) as caught:
        result.check()
    assert str(caught.value) == (
        "http://standin failed 1 smoke check: version (the service runs v1.0.0, expected v2.0.0)"
    )


@pytest.mark.parametrize(
    ("lies", "check", "detail"),
    [
        (
            Lies(label="c"),
            "sample rows, one per request",
            "prediction 0: 'c' is not a class the contract allows (a, b)",
        ),
        (
            Lies(drop_row=True),
            "sample rows, 20 in one request",
            "20 row(s) sent, 19 prediction(s) back",
        ),
        (
            Lies(body_version="v9"),
            "sample rows, one per request",
            "header X-Model-Version 'v1.0.0', body model_version 'v9'",
        ),
        (
            Lies(accept_anything=True),
            "contract break refused",
            "POST /predict: HTTP 500 with a body that is not JSON "
            "(text/plain; charset=utf-8: 'Internal Server Error')",
        ),
        (
            Lies(contract_sha256="f" * 64),
            "data contract",
            "the service's data contract (sha256 ffffffffffff) is not this checkout's "
            "(322ee20c6a26): check out the commit it was released from",
        ),
    ],
    ids=["class-outside-contract", "row-missing", "version-mismatch", "no-validation", "contract"],
)
def test_a_lying_service_fails_the_check_it_lies_to(
    toy: Path, model: Any, lies: Lies, check: str, detail: str
) -> None:
    assert failed(run(toy, model, lies))[check] == detail


def test_latency_is_held_to_the_budget_in_conf_serve(toy: Path, model: Any) -> None:
    params = toy / "params.yaml"
    params.write_text(params.read_text().replace("p50_ms: 10000", "p50_ms: 0.001"))
    result = run(toy, model)
    assert list(failed(result)) == ["latency p50"]
    assert failed(result)["latency p50"].endswith("over serve.latency.p50_ms = 0.001 ms")


def fixed_incident(project: Path, expectation: Expectation, rows: str) -> None:
    incident = Incident("INC-1", date(2026, 11, 1), "a wrong class", None, expectation, "fixed")
    write(project / "tests" / "regressions" / "INC-1" / "incident.yaml", incident_to_yaml(incident))
    write(project / "tests" / "regressions" / "INC-1" / "rows.csv", rows)


def test_fixed_incidents_are_checked_on_the_service(toy: Path, model: Any) -> None:
    fixed_incident(toy, Expectation("label", column="truth"), "x,color,truth\n-2.0,red,a\n2.0,,b\n")
    result = run(toy, model)
    assert result.checks[6].name == "incident INC-1"
    assert result.checks[6].passed
    fixed_incident(
        toy, Expectation("min_probability", label="b", threshold=0.99), "x,color\n2.0,red\n"
    )
    assert failed(run(toy, model))["incident INC-1"].startswith("1 of 1 rows fails: row 0: P(b) = ")


def test_an_incident_row_the_service_refuses_fails(toy: Path, model: Any) -> None:
    fixed_incident(toy, Expectation("no_error"), "x,color\n1.0,green\n2.0,red\n")
    assert failed(run(toy, model))["incident INC-1"] == (
        "1 of 2 rows fails: row 0: the service refused it (422: \"column 'color' is 'green', "
        'not one of blue, red")'
    )


def test_a_service_that_is_not_healthy_stops_at_once(toy: Path, model: Any) -> None:
    with pytest.raises(SmokeFailed) as caught:
        run(toy, model, Lies(health=503))
    assert str(caught.value) == "http://standin/health: no healthy answer at once (last: HTTP 503)."


def test_an_address_that_is_not_http_is_refused(toy: Path) -> None:
    with pytest.raises(SmokeFailed) as caught:
        smoke(toy, "127.0.0.1:8000")
    assert str(caught.value) == (
        "'127.0.0.1:8000' is not an http:// or https:// address such as http://127.0.0.1:8000."
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def raw_server() -> Iterator[tuple[int, list[bytes]]]:
    """A TCP server on loopback that answers each connection with the bytes queued, or nothing."""
    replies: list[bytes] = []
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held: list[socket.socket] = []

    def serve() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            connection.recv(65536)
            if replies:
                connection.sendall(replies[0])
                connection.close()
            else:
                held.append(connection)  # never answers

    threading.Thread(target=serve, daemon=True).start()
    yield int(listener.getsockname()[1]), replies
    listener.close()
    for connection in held:
        connection.close()


def test_a_refused_connection_is_one_line(toy: Path) -> None:
    port = free_port()
    result = CliRunner().invoke(app, ["smoke", f"http://127.0.0.1:{port}", "-p", str(toy)])
    assert result.exit_code == 37
    assert result.output == (
        f"Error: http://127.0.0.1:{port}/health: no healthy answer at once "
        "(last: GET /health: cannot connect (Connection refused)).\n"
    )


def test_an_answer_that_is_not_http_is_one_line(toy: Path, raw_server: Any) -> None:
    port, replies = raw_server
    replies.append(b"SSH-2.0-OpenSSH_9.6\r\n")
    with pytest.raises(SmokeFailed) as caught:
        smoke(toy, f"http://127.0.0.1:{port}")
    assert str(caught.value).startswith(
        f"http://127.0.0.1:{port}/health: no healthy answer at once "
        "(last: GET /health: the answer is not HTTP ("
    )


def test_a_service_that_hangs_times_out(
    toy: Path, raw_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client_module, "TIMEOUT_SECONDS", 0.2)
    port, _ = raw_server
    with pytest.raises(SmokeFailed) as caught:
        smoke(toy, f"http://127.0.0.1:{port}")
    assert str(caught.value) == (
        f"http://127.0.0.1:{port}/health: no healthy answer at once "
        "(last: GET /health: no answer within 0.2 s)."
    )


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, model: Any) -> Iterator[tuple[Path, str]]:
    """The stand-in under uvicorn on a free loopback port, for the command's own HTTP client."""
    import time

    import uvicorn

    project = toy_project(tmp_path_factory.mktemp("served") / "proj")
    port = free_port()
    config = uvicorn.Config(
        standin_app(project, model), host="127.0.0.1", port=port, log_level="error"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        yield project, f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(5)


def test_the_command_prints_each_check_and_passes(served: tuple[Path, str]) -> None:
    project, url = served
    args = ["smoke", url, "--requests", "2", "--wait", "5", "-p", str(project)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "✓ health                          ok, model v1.0.0"
    assert lines[-1] == f"8 of 8 checks passed against {url}."


def test_the_command_names_the_failed_check_after_the_table(served: tuple[Path, str]) -> None:
    project, url = served
    args = ["smoke", url, "--expect-version", "v3", "--requests", "0", "-p", str(project)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 37
    assert "✗ version" in result.output
    assert result.output.splitlines()[-1] == (
        f"Error: {url} failed 1 smoke check: version (the service runs v1.0.0, expected v3)"
    )


class GapsAsNaN:
    """The toy model, reading a JSON null as pandas reads a CSV's empty cell (its encoder
    refuses None, which mlproj serve passes on as sent)."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.classes_ = model.classes_
        self.feature_names_in_ = model.feature_names_in_

    def predict(self, rows: Any) -> Any:
        return self.model.predict(rows.fillna(float("nan")))

    def predict_proba(self, rows: Any) -> Any:
        return self.model.predict_proba(rows.fillna(float("nan")))


def served_toy(project: Path, model: Any, version: str = "v1.0.0") -> Any:
    """The toy model as `mlproj serve` serves it, with the project's contract."""
    import hashlib

    from mlproj.data.contract import load_contract
    from mlproj.serve.model import served

    contract = project / "data" / "contract.yaml"
    return served(
        GapsAsNaN(model),
        version,
        load_contract(contract),
        "classification",
        features=("x", "color"),
        contract_sha256=hashlib.sha256(contract.read_bytes()).hexdigest(),
    )


def test_mlproj_serves_own_app_passes_and_logs_the_smoke_traffic(toy: Path, model: Any) -> None:
    from mlproj.serve.app import build_app
    from tests.serve.helpers import Recorder

    primary = served_toy(toy, model)
    fixed_incident(toy, Expectation("no_error"), "x,color\n1.0,green\n2.0,red\n")
    log = Recorder()
    app = build_app(primary, writer=log)
    result = smoke(toy, URL, client=client(app), requests=2, expect_version="v1.0.0")
    assert failed(result) == {
        "incident INC-1": '1 of 2 rows fails: row 0: the service refused it (422: "row 1: '
        "column 'color' is 'green', not one of blue, red\")"
    }
    assert set(log.rows()["_request_id"].str.split("-").str[0]) == {"smoke"}


def test_answers_from_the_canary_are_answers_from_the_service(toy: Path, model: Any) -> None:
    from mlproj.serve.app import build_app

    canary = served_toy(toy, model, "v1.1.0")
    app = build_app(served_toy(toy, model), canary=canary, share=0.5)
    result = smoke(toy, URL, client=client(app), requests=4, expect_version="v1.0.0")
    assert result.failed == ()
