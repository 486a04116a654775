"""The HTTP service against tiny fitted models: answers, refusals, headers, metrics, the log."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from mlproj.serve.app import build_app
from mlproj.serve.model import served
from mlproj.serve.routing import fraction
from tests.serve.helpers import COMMIT, Broken, Recorder, served_classifier, served_regressor

GOOD = [{"x": -2.0, "color": "red"}, {"x": 3, "color": "blue", "unused": 1}]


@pytest.fixture(scope="module")
def primary() -> Any:
    return served_classifier()


@pytest.fixture(scope="module")
def candidate() -> Any:
    return served_classifier("v2.0.0", inverted=True)


def client(model: Any, log: Recorder | None = None, **options: Any) -> TestClient:
    return TestClient(build_app(model, writer=log, **options))  # type: ignore[arg-type]


def test_rows_get_their_predictions_and_probabilities(primary: Any) -> None:
    log = Recorder()
    response = client(primary, log).post(
        "/predict", json={"rows": GOOD}, headers={"X-Request-ID": "req-1"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["request_id"] == "req-1"
    assert body["model_version"] == "v1.0.0"
    assert body["predictions"] == ["a", "b"]
    assert [sorted(p) for p in body["probabilities"]] == [["a", "b"], ["a", "b"]]
    assert body["probabilities"][0]["a"] > 0.5
    rows = log.rows()
    assert rows["_request_id"].tolist() == ["req-1", "req-1"]
    assert rows["_row"].tolist() == [0, 1]
    assert rows["_role"].tolist() == ["primary", "primary"]
    assert rows["_answered"].tolist() == [True, True]
    assert rows["_prediction"].tolist() == ["a", "b"]
    assert rows["x"].tolist() == [-2.0, 3.0]
    assert "unused" not in rows.columns
    assert str(rows["_time"].dtype) == "datetime64[us, UTC]"


def test_a_regressor_answers_values_without_probabilities() -> None:
    response = client(served_regressor()).post("/predict", json={"rows": GOOD[:1]})
    assert response.status_code == 200
    assert response.json()["predictions"] == [pytest.approx(-4.0)]
    assert response.json()["probabilities"] is None


def test_a_contract_break_names_the_row_the_column_and_the_rule(primary: Any) -> None:
    log = Recorder()
    rows = [GOOD[0], {"x": 50, "color": "red"}, {"x": 1, "color": "green"}]
    response = client(primary, log).post(
        "/predict", json={"rows": rows}, headers={"X-Request-ID": "bad-1"}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "row 2: column 'x' is 50, above max 10 (and 1 more problem(s))"
    assert body["request_id"] == "bad-1"
    assert body["model_version"] == "v1.0.0"
    assert [(e["row"], e["column"], e["rule"]) for e in body["errors"]] == [
        (1, "x", "max"),
        (2, "color", "allowed"),
    ]
    assert body["errors"][1]["message"] == "row 3: column 'color' is 'green', not one of blue, red"
    refused = log.rows()
    assert refused["_row"].tolist() == [1, 2]
    assert refused["_role"].tolist() == ["refused", "refused"]
    assert refused["_answered"].tolist() == [False, False]
    assert refused["_prediction"].isna().all()
    assert refused["_error"].tolist() == [
        "row 2: column 'x' is 50, above max 10",
        "row 3: column 'color' is 'green', not one of blue, red",
    ]


@pytest.mark.parametrize(
    ("body", "rule", "detail"),
    [
        pytest.param(b'{"rows": [', "json", "the body is not valid JSON", id="malformed-json"),
        pytest.param(b'[{"x": 1}]', "body", 'the body must be {"rows"', id="not-rows"),
        pytest.param(b'{"rows": []}', "empty", "the request has no rows", id="empty"),
        pytest.param(b'{"rows": [3]}', "object", "row 1 is not an object", id="row-not-object"),
        pytest.param(
            b"[" * 100_000 + b"]" * 100_000, "json", "the body nests too deep", id="too-deep"
        ),
    ],
)
def test_a_body_that_is_not_rows_is_refused(
    primary: Any, body: bytes, rule: str, detail: str
) -> None:
    response = client(primary).post("/predict", content=body)
    assert response.status_code == 422
    assert response.json()["detail"].startswith(detail)
    assert response.json()["errors"][0]["rule"] == rule


def test_a_missing_feature_and_a_list_value_are_refused_by_row(primary: Any) -> None:
    rows = [{"x": 1}, {"x": [1, 2], "color": "red"}]
    response = client(primary).post("/predict", json={"rows": rows})
    assert response.status_code == 422
    assert [(e["row"], e["column"], e["rule"]) for e in response.json()["errors"]] == [
        (0, "color", "missing"),
        (1, "x", "kind"),
    ]
    assert response.json()["detail"] == (
        "row 1: column 'color' is missing, and the model needs it (and 1 more problem(s))"
    )


def test_too_many_rows_is_413(primary: Any) -> None:
    response = client(primary, max_rows=2).post("/predict", json={"rows": GOOD * 2})
    assert response.status_code == 413
    assert response.json()["detail"] == "4 rows in one request; at most 2 (serve.max_rows)"


def test_every_response_carries_the_version_and_the_request_id(primary: Any) -> None:
    service = client(primary)
    for method, path in [("GET", "/health"), ("GET", "/version"), ("GET", "/metrics"),
                         ("GET", "/nowhere"), ("POST", "/predict"), ("GET", "/predict")]:  # fmt: skip
        response = service.request(method, path, headers={"X-Request-ID": "abc.1"})
        assert response.headers["X-Model-Version"] == "v1.0.0", path
        assert response.headers["X-Request-ID"] == "abc.1", path
    invalid = service.get("/health", headers={"X-Request-ID": "no spaces allowed"})
    assert len(invalid.headers["X-Request-ID"]) == 32


def test_health_and_version(primary: Any, candidate: Any) -> None:
    assert client(primary).get("/health").json() == {"status": "ok", "model_version": "v1.0.0"}
    assert client(primary, canary=candidate, share=0.25).get("/version").json() == {
        "model_version": "v1.0.0",
        "commit": COMMIT,
        "contract_sha256": "f" * 64,
        "task": "classification",
        "shadow": None,
        "canary": {"model_version": "v2.0.0", "share": 0.25},
    }


def test_metrics_count_requests_errors_predictions_and_log_rows(primary: Any) -> None:
    service = client(primary, Recorder())
    service.post("/predict", json={"rows": GOOD})
    service.post("/predict", content=b"{")
    text = service.get("/metrics").text
    for line in [
        'mlproj_requests_total{status="200"} 1.0',
        'mlproj_requests_total{status="422"} 1.0',
        'mlproj_request_errors_total{reason="malformed_json"} 1.0',
        "mlproj_request_latency_seconds_count 2.0",
        'mlproj_predictions_total{model_version="v1.0.0",prediction="a"} 1.0',
        f'mlproj_model_info{{commit="{COMMIT}",model_version="v1.0.0"}} 1.0',
        "mlproj_log_rows_written_total 0.0",
        "mlproj_log_rows_dropped_total 0.0",
    ]:
        assert line in text.splitlines(), line
    regression = client(served_regressor())
    regression.post("/predict", json={"rows": GOOD})
    assert (
        'mlproj_prediction_value_count{model_version="v1.0.0"} 2.0'
        in regression.get("/metrics").text.splitlines()
    )


def test_a_shadow_is_logged_beside_the_primary_which_answers(primary: Any, candidate: Any) -> None:
    log = Recorder()
    response = client(primary, log, shadow=candidate).post(
        "/predict", json={"rows": GOOD}, headers={"X-Request-ID": "s1"}
    )
    assert response.json()["predictions"] == ["a", "b"]
    assert response.headers["X-Model-Version"] == "v1.0.0"
    rows = log.rows()
    assert rows[["_role", "_model_version", "_answered", "_prediction"]].values.tolist() == [
        ["primary", "v1.0.0", True, "a"],
        ["primary", "v1.0.0", True, "b"],
        ["shadow", "v2.0.0", False, "b"],
        ["shadow", "v2.0.0", False, "a"],
    ]
    assert set(rows["_request_id"]) == {"s1"}


def test_a_failing_shadow_never_fails_the_request(primary: Any) -> None:
    broken = served(Broken(), "v9.0.0", primary.contract, "classification")
    log = Recorder()
    service = client(primary, log, shadow=broken)
    response = service.post("/predict", json={"rows": GOOD})
    assert response.status_code == 200
    assert response.json()["predictions"] == ["a", "b"]
    assert set(log.rows()["_role"]) == {"primary"}
    metrics = service.get("/metrics").text.splitlines()
    assert 'mlproj_request_errors_total{reason="shadow_error"} 1.0' in metrics


def test_a_failing_primary_is_a_500_naming_why(primary: Any) -> None:
    broken = served(Broken(), "v9.0.0", primary.contract, "classification")
    response = client(broken).post("/predict", json={"rows": GOOD})
    assert response.status_code == 500
    assert response.json()["detail"] == (
        "the model v9.0.0 cannot predict these rows (RuntimeError: out of memory)"
    )


def test_the_canary_answers_a_seeded_share(primary: Any, candidate: Any) -> None:
    log = Recorder()
    service = client(primary, log, canary=candidate, share=0.3, seed=7)
    ids = [f"id-{n}" for n in range(1000)]
    chosen = [fraction(7, rid) < 0.3 for rid in ids]
    assert 250 < sum(chosen) < 350
    for rid, is_canary in zip(ids[:8], chosen[:8], strict=True):
        for _ in range(2):  # the same id, the same answerer
            response = service.post(
                "/predict", json={"rows": GOOD[:1]}, headers={"X-Request-ID": rid}
            )
            version = "v2.0.0" if is_canary else "v1.0.0"
            assert response.json()["model_version"] == version
            assert response.headers["X-Model-Version"] == version
            assert response.json()["predictions"] == (["b"] if is_canary else ["a"])
    rows = log.rows()
    canary = rows[rows["_role"] == "canary"]
    assert len(canary) == 2 * sum(chosen[:8]) > 0
    assert set(canary["_model_version"]) == {"v2.0.0"}
    assert canary["_answered"].all()


class Capturing:
    """The toy classifier, keeping every frame it is asked to score."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.classes_, self.seen = inner, inner.classes_, []
        self.feature_names_in_ = inner.feature_names_in_

    def predict(self, rows: Any) -> Any:
        self.seen.append(rows.copy())
        return self.inner.predict(rows)

    def predict_proba(self, rows: Any) -> Any:
        self.seen.append(rows.copy())
        return self.inner.predict_proba(rows)


def test_a_json_null_reaches_the_model_as_a_gap_read_from_a_csv_does(primary: Any) -> None:
    model = Capturing(primary.model)
    capturing = served(model, "v1.0.0", primary.contract, "classification")
    rows = [{"x": 1.0, "color": None}, {"x": 2.0, "color": "red"}]
    assert client(capturing).post("/predict", json={"rows": rows}).status_code == 200
    color = model.seen[0]["color"].tolist()
    assert isinstance(color[0], float) and color[0] != color[0]  # NaN, never None
    assert color[1] == "red"
