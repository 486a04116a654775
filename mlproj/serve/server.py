"""`mlproj serve`: load the model the registry names, check it can be served, run uvicorn.

Everything that can refuse does so before the port is opened, with `CannotServe`: the stage
holds nothing, the version is unknown, the port is taken, a contract column would collide
with the log's own fields, the canary's share is not in (0, 1]. The socket is bound here and
handed to uvicorn, so "port in use" is one line, not uvicorn's traceback.

Stopping: SIGTERM or Ctrl-C makes uvicorn finish the requests in flight, then the app's
shutdown closes the log writer, which writes every queued row. A SIGKILL loses the rows not
yet written (at most one batch, `serve.log.flush_rows` rows or `flush_seconds` of traffic).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from mlproj._core.git import git
from mlproj._core.text import path_in
from mlproj.errors import CannotServe, RegistryError
from mlproj.predictionlog.schema import reserved_names
from mlproj.serve.model import ServedModel, served
from mlproj.serve.settings import serve_settings

if TYPE_CHECKING:
    from mlproj.data.contract import Contract
    from mlproj.project.project import Project

DEFAULT_STAGE = "prod"
GRACEFUL_SECONDS = 30
log = logging.getLogger("uvicorn.error")


def serve(
    project_root: Path,
    *,
    stage: str | None = DEFAULT_STAGE,
    version: str | None = None,
    model: Path | None = None,
    host: str | None = None,
    port: int | None = None,
    shadow: str | None = None,
    canary: str | None = None,
    share: float | None = None,
) -> None:
    """Serve the project's model until SIGTERM or Ctrl-C: VERSION, else MODEL, else STAGE's.

    HOST and PORT default to `serve.host` and `serve.port`; SHARE to `serve.canary.share`.
    Returns once the server has stopped and the log's queued rows are written.
    """
    import uvicorn

    from mlproj.predictionlog.writer import LogWriter
    from mlproj.project.project import open_project
    from mlproj.serve.app import build_app

    if shadow is not None and canary is not None:
        raise CannotServe("Give --shadow or --canary, not both: one candidate at a time.")
    if share is not None and canary is None:
        raise CannotServe("--share is the canary's share of requests: give --canary VERSION too.")
    if share is not None and not 0 < share <= 1:
        raise CannotServe(f"--share must be above 0 and at most 1, not {share}.")
    if version is not None and model is not None:
        raise CannotServe("Give --version or --model, not both.")
    project = open_project(project_root)
    settings = serve_settings(project)
    host = host or settings.host
    port = settings.port if port is None else port
    _one_thread_per_request()
    # Bound before the models load, which can take a while: a taken port is said at once.
    with _bound(host, port) as listening:
        if model is not None:
            primary = workspace_model(project, model)
        else:
            which = version or stage or DEFAULT_STAGE
            primary = registry_model(project, which, stage=version is None)
        second = shadow or canary
        candidate = registry_model(project, second) if second is not None else None
        writer = LogWriter(
            settings.log.path,
            flush_rows=settings.log.flush_rows,
            flush_seconds=settings.log.flush_seconds,
            queue_rows=settings.log.queue_rows,
        )
        app = build_app(
            primary,
            writer=writer,
            shadow=candidate if shadow else None,
            canary=candidate if canary else None,
            share=share if share is not None else settings.canary.share,
            seed=settings.canary.seed,
            max_rows=settings.max_rows,
        )
        config = uvicorn.Config(
            app,
            log_level="info",
            access_log=False,  # every request is in the prediction log and the metrics already
            timeout_graceful_shutdown=GRACEFUL_SECONDS,
        )
        log.info(
            "Serving %s on http://%s:%s; logging predictions to %s",
            _named(primary, candidate, shadow),
            host,
            listening.getsockname()[1],  # the port the system chose, for --port 0
            settings.log.path,
        )
        try:
            _Server(config).run(sockets=[listening])
        finally:
            writer.close()


def workspace_model(project: Project, path: Path) -> ServedModel:
    """The model file at PATH (the workspace's, as a rule), held to today's contract."""
    from mlproj.data.contract import load_contract
    from mlproj.predict.model import workspace_version
    from mlproj.project.modelio import load_model

    if not path.is_absolute() and not path.exists() and (project.root / path).exists():
        path = project.root / path
    contract = load_contract(project.contract)
    _refuse_reserved(contract, str(project.contract.relative_to(project.root)))
    loaded = load_model(path, project.trusted_types())
    commit = git(project.root, "rev-parse", "HEAD", check=False) or None
    digest = hashlib.sha256(project.contract.read_bytes()).hexdigest()
    version = workspace_version(project.root)
    return served(
        loaded, version, contract, project.task,
        features=project.features, commit=commit, contract_sha256=digest,
    )  # fmt: skip


def registry_model(project: Project, which: str, *, stage: bool = False) -> ServedModel:
    """The model the registry has for the version (or, with STAGE, the stage) WHICH."""
    from mlproj.flow.registry import current, stages
    from mlproj.predict.model import scoring_model

    hint = f"or serve the workspace model with --model {path_in(project.model, project.root)}"
    try:
        if stage:
            allowed = stages(project.root)
            if which not in allowed:
                raise CannotServe(
                    f"{which!r} is not a stage: use one of {', '.join(allowed)} (.gto)."
                )
            if current(project.root, which) is None:
                raise CannotServe(
                    f"Nothing is in {which}: put a version there with "
                    f"`mlproj registry assign vX.Y.Z {which}`, {hint}."
                )
        scorer = scoring_model(project, which)
    except RegistryError as exc:
        raise CannotServe(f"{str(exc).rstrip('.')}; {hint}.") from None
    ref = scorer.version
    path = path_in(project.contract, project.root)
    text = git(project.root, "show", f"{ref}:{path}", check=False, strip=False)
    _refuse_reserved(scorer.contract, f"{ref}:{path}")
    commit = git(project.root, "rev-parse", f"{ref}^{{commit}}", check=False) or None
    return served(
        scorer.model, ref.removeprefix("model@"), scorer.contract, project.task,
        features=project.features, commit=commit,
        contract_sha256=hashlib.sha256(text.encode()).hexdigest(),
    )  # fmt: skip


def _one_thread_per_request() -> None:
    """OpenMP and BLAS down to one thread each: requests already run side by side in threads.

    A model's own threads fighting the requests' made things far worse: on the 2-core machine
    under load, scikit-learn's histogram gradient boosting took 352 ms to score one row with
    two OpenMP threads, 24 ms with one, and its threads' spinning stalled other requests for
    seconds. OpenMP reads its thread count from the environment when it loads, for every
    thread (a limit set later holds only in the thread that set it), so this runs before the
    models load; an OMP_NUM_THREADS the user set is kept.
    """
    import os

    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("MKL_NUM_THREADS", "1")


def _refuse_reserved(contract: Contract, source: str) -> None:
    taken = reserved_names(contract)
    if taken:
        names = ", ".join(repr(name) for name in taken)
        raise CannotServe(
            f"{source}: column {names} starts with '_', which the prediction log keeps for its "
            "own fields; rename it in the data and the contract."
        )


@contextlib.contextmanager
def _bound(host: str, port: int) -> Iterator[socket.socket]:
    """A socket bound to HOST:PORT for uvicorn to listen on; `CannotServe` when it is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not the default 0: asyncio sets TCP_NODELAY only on the connections of a
    # socket whose protocol says TCP, and without it Nagle's algorithm and delayed ACKs add
    # about 40 ms to every answer after the first on a keep-alive connection.
    listening = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listening.bind((host, port))
        except OSError as exc:
            raise CannotServe(
                f"Cannot listen on {host}:{port} ({exc.strerror or exc}): another server may be "
                "using it; give another --port."
            ) from None
        yield listening
    finally:
        listening.close()


class _Server:
    """uvicorn's server, minus the signal it re-raises once it has stopped gracefully.

    uvicorn stops on SIGTERM or Ctrl-C, then raises the signal again for the default handler,
    which would turn a clean stop (every request answered, the log flushed) into an exit
    code of 130 or 143. Here a clean stop returns, and `mlproj serve` exits 0.
    """

    def __init__(self, config: object) -> None:
        import uvicorn

        server = uvicorn.Server(config)  # type: ignore[arg-type]
        capture = server.capture_signals

        @contextlib.contextmanager
        def quiet() -> Iterator[None]:
            with capture():
                yield
                server._captured_signals.clear()

        server.capture_signals = quiet  # type: ignore[method-assign]
        self.server = server

    def run(self, sockets: list[socket.socket]) -> None:
        self.server.run(sockets=sockets)


def _named(primary: ServedModel, candidate: ServedModel | None, shadow: str | None) -> str:
    if candidate is None:
        return primary.version
    return f"{primary.version} with {candidate.version} as {'shadow' if shadow else 'canary'}"
