"""A stand-in for `mlproj serve`: the HTTP API of the production plan, on a toy model.

`mlproj smoke` is tested against it in-process (FastAPI's TestClient is an httpx.Client).
`Lies` makes it answer wrong in one named way, as a broken deployment would.
"""

from __future__ import annotations

import hashlib
import time
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from mlproj.data.contract import ColumnRule, Contract, load_contract
from mlproj.project.project import open_project


@dataclass(frozen=True)
class Lies:
    """Ways the stand-in answers wrong; all off by default."""

    accept_anything: bool = False  # no validation: a contract break gets 200
    label: str | None = None  # every prediction is this label
    drop_row: bool = False  # one prediction fewer than rows
    body_version: str | None = None  # the body claims another version than the header
    contract_sha256: str | None = None
    delay_ms: float = 0.0
    health: int = 200


def standin_app(
    project: Path, model: Any, *, version: str = "v1.0.0", lies: Lies = Lies()
) -> FastAPI:
    config = open_project(project)
    contract = load_contract(config.contract)
    features = Contract(tuple(contract.rule(name) for name in config.features))
    digest = lies.contract_sha256 or hashlib.sha256(config.contract.read_bytes()).hexdigest()
    app = FastAPI()

    @app.middleware("http")
    async def stamp(request: Request, call_next: Any) -> Any:
        response = await call_next(request)
        response.headers["X-Model-Version"] = version
        response.headers["X-Request-ID"] = request.headers.get("x-request-id", uuid.uuid4().hex)
        return response

    @app.get("/health")
    def health() -> JSONResponse:
        return JSONResponse({"status": "ok", "model_version": version}, status_code=lies.health)

    @app.get("/version")
    def version_() -> dict[str, Any]:
        return {
            "model_version": version,
            "commit": None,
            "contract_sha256": digest,
            "task": config.task,
            "shadow": None,
            "canary": None,
        }

    @app.post("/predict")
    async def predict(request: Request) -> JSONResponse:
        request_id = request.headers.get("x-request-id", uuid.uuid4().hex)
        rows = (await request.json())["rows"]
        frame = pd.DataFrame(rows)
        missing = [name for name in config.features if name not in frame.columns]
        if missing and not lies.accept_anything:
            errors = [{"row": 0, "column": missing[0], "rule": "missing", "message": "missing"}]
            return _refused(request_id, version, errors)
        if not lies.accept_anything:
            errors = [
                {"row": row, "column": rule.name, "rule": "contract", "message": message}
                for row, item in enumerate(rows)
                for rule in features.columns
                if (message := _broken(rule, item.get(rule.name)))
            ]
            if errors:
                return _refused(request_id, version, errors)
        time.sleep(lies.delay_ms / 1000)
        scored = frame[list(config.features)].fillna(np.nan)
        labels = [str(v) for v in model.predict(scored)]
        if lies.label is not None:
            labels = [lies.label] * len(labels)
        if lies.drop_row:
            labels = labels[:-1]
        classes = [str(c) for c in model.classes_]
        probabilities = [
            dict(zip(classes, map(float, p), strict=True)) for p in model.predict_proba(scored)
        ]
        body = {
            "request_id": request_id,
            "model_version": lies.body_version or version,
            "predictions": labels,
            "probabilities": probabilities,
        }
        return JSONResponse(body)

    return app


def _broken(rule: ColumnRule, value: Any) -> str | None:
    """Why VALUE breaks RULE (a few rules only: pandera per request would slow every test)."""
    if value is None:
        return None if rule.nullable else f"column {rule.name!r} is empty"
    if rule.kind == "numeric" and not isinstance(value, (int, float)):
        return f"column {rule.name!r} holds {value!r}, expected numeric"
    if rule.allowed and value not in rule.allowed:
        return f"column {rule.name!r} is {value!r}, not one of {', '.join(rule.allowed)}"
    return None


def _refused(request_id: str, version: str, errors: list[dict[str, Any]]) -> JSONResponse:
    body = {"detail": errors[0]["message"], "request_id": request_id, "model_version": version,
            "errors": errors}  # fmt: skip
    return JSONResponse(body, status_code=422)


def client(app: FastAPI) -> Any:
    """An httpx.Client that calls APP in-process; a crash in it is a 500, as on a server."""
    with warnings.catch_warnings():
        # Starlette asks for `httpx2`; the plain httpx client is what mlproj smoke uses.
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    return TestClient(app, base_url="http://standin", raise_server_exceptions=False)
