"""`mlproj serve`: the model the registry names, behind HTTP, every answer logged.

`settings` reads the `serve:` block, `model` holds a model as served and scores rows,
`inputs` reads and checks a request's rows (`rules`: the contract value by value), `routing`
picks who answers (primary or canary), `logrows` turns answers into prediction log rows,
`metrics` keeps Prometheus' counters, `app` is the FastAPI service, `server` loads the models
and runs uvicorn.
"""

from __future__ import annotations

from mlproj.serve.app import build_app
from mlproj.serve.model import ServedModel, served
from mlproj.serve.server import serve
from mlproj.serve.settings import ServeSettings, serve_settings

__all__ = ["ServeSettings", "ServedModel", "build_app", "serve", "serve_settings", "served"]
