"""The HTTP service: `POST /predict`, `GET /health`, `GET /version`, `GET /metrics`.

Every response, errors included, carries `X-Model-Version` (the version that answered, or
would have) and `X-Request-ID`. A request is scored in a worker thread, so a slow model never
stalls the event loop; its log rows are handed to the `LogWriter`, which never blocks it. A
shadow scores the same rows after the response is sent: its time and its failures never
reach the client.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from mlproj.serve.inputs import Refused, check_rows, parse_rows, request_id
from mlproj.serve.logrows import Request, refused_rows, scored_rows
from mlproj.serve.metrics import CONTENT_TYPE, Metrics
from mlproj.serve.model import ModelFailed, ServedModel, score
from mlproj.serve.routing import Routing

if TYPE_CHECKING:
    from fastapi import FastAPI
    from starlette.requests import Request as HttpRequest
    from starlette.responses import Response

    from mlproj.predictionlog.writer import LogWriter

DEFAULT_MAX_ROWS = 1000


def build_app(
    primary: ServedModel,
    *,
    writer: LogWriter | None = None,
    shadow: ServedModel | None = None,
    canary: ServedModel | None = None,
    share: float = 0.0,
    seed: int = 0,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> FastAPI:
    """The service for PRIMARY (with at most one of SHADOW or CANARY), logging to WRITER.

    The app's shutdown (uvicorn's lifespan) closes WRITER, writing the rows still queued.
    """
    from fastapi import FastAPI

    routing = Routing(primary, shadow=shadow, canary=canary, share=share, seed=seed)
    metrics = Metrics(primary, writer)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        if writer is not None:
            writer.close()

    app = FastAPI(
        title="mlproj serve",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.routing = routing
    app.state.metrics = metrics
    handler = _Predict(routing, metrics, writer, max_rows)

    @app.middleware("http")
    async def stamp(
        request: HttpRequest, call_next: Callable[[HttpRequest], Awaitable[Response]]
    ) -> Response:
        from fastapi.responses import JSONResponse

        rid = request_id(request.headers.get("x-request-id"))
        request.state.request_id = rid
        try:
            response = await call_next(request)
        except Exception as exc:  # a bug: say so, with the headers every response carries
            logging.getLogger("uvicorn.error").exception("%s %s failed", request.method, rid)
            response = JSONResponse(
                {"detail": f"internal error ({type(exc).__name__})", "request_id": rid},
                status_code=500,
            )
        response.headers.setdefault("X-Model-Version", primary.version)
        response.headers["X-Request-ID"] = rid
        return response

    # A plain Starlette route: the handler reads the raw body itself, so malformed JSON gets
    # the same 422 shape as every other refusal instead of FastAPI's own.
    app.router.add_route("/predict", handler.respond, methods=["POST"])

    @app.get("/health")
    async def health() -> dict[str, Any]:
        return {"status": "ok", "model_version": primary.version}

    @app.get("/version")
    async def version() -> dict[str, Any]:
        return {
            "model_version": primary.version,
            "commit": primary.commit,
            "contract_sha256": primary.contract_sha256,
            "task": primary.task,
            "shadow": {"model_version": shadow.version} if shadow is not None else None,
            "canary": (
                {"model_version": canary.version, "share": share} if canary is not None else None
            ),
        }

    @app.get("/metrics")
    async def prometheus() -> Response:
        from starlette.responses import Response

        return Response(metrics.text(), media_type=CONTENT_TYPE)

    return app


class _Predict:
    """`POST /predict`: parse, check, score, log, answer."""

    def __init__(
        self, routing: Routing, metrics: Metrics, writer: LogWriter | None, max_rows: int
    ) -> None:
        self.routing, self.metrics, self.writer, self.max_rows = routing, metrics, writer, max_rows

    async def respond(self, request: HttpRequest) -> Response:
        """Answer one request (a method, so Starlette passes it the request)."""
        from starlette.background import BackgroundTask
        from starlette.concurrency import run_in_threadpool
        from starlette.responses import JSONResponse

        started = time.perf_counter()
        arrived = Request(request.state.request_id, datetime.now(timezone.utc))
        model, role = self.routing.answerer(arrived.request_id)
        body = await request.body()
        status, content, after = await run_in_threadpool(self.answer, body, arrived, model, role)
        self.metrics.answered(status, time.perf_counter() - started)
        return JSONResponse(
            content,
            status_code=status,
            headers={"X-Model-Version": model.version},
            background=BackgroundTask(after) if after is not None else None,
        )

    def answer(
        self, body: bytes, request: Request, model: ServedModel, role: str
    ) -> tuple[int, dict[str, Any], Callable[[], None] | None]:
        """The status and body of the answer, and the shadow's work to run after sending it."""
        base = {"request_id": request.request_id, "model_version": model.version}
        try:
            rows = parse_rows(body, self.max_rows)
            checked = check_rows(rows, model)
            if checked.problems:
                self._log(refused_rows(request, checked.frame, model, checked.reasons))
                missing = all(p.rule == "missing" for p in checked.problems)
                raise Refused(422, "missing_feature" if missing else "contract", checked.problems)
            scored = score(model, checked.frame)
        except Refused as refused:
            self.metrics.refused(refused.reason)
            errors = [problem.as_json() for problem in refused.problems]
            return refused.status, {"detail": refused.detail, **base, "errors": errors}, None
        except ModelFailed as failed:
            self.metrics.refused("model_error")
            reasons = dict.fromkeys(range(len(checked.frame)), str(failed))
            self._log(refused_rows(request, checked.frame, model, reasons))
            return 500, {"detail": str(failed), **base}, None
        self.metrics.scored(scored)
        self._log(scored_rows(request, checked.frame, model, scored, role=role))
        content = {
            **base,
            "predictions": scored.predictions,
            "probabilities": scored.probabilities,
        }
        shadow = self.routing.shadow
        if shadow is None:
            return 200, content, None
        return 200, content, lambda: self._shadow(shadow, request, checked.frame)

    def _shadow(self, shadow: ServedModel, request: Request, rows: Any) -> None:
        """Score ROWS with the shadow and log them; a failure is counted, never raised."""
        try:
            scored = score(shadow, rows)
            self.metrics.scored(scored)
            self._log(scored_rows(request, rows, shadow, scored, role="shadow"))
        except Exception:  # the client has its answer; a broken shadow is a metric, not an error
            self.metrics.refused("shadow_error")

    def _log(self, frame: Any) -> None:
        if self.writer is not None:
            self.writer.put(frame)
