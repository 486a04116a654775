"""Keep `params.yaml` equal to the composition of `conf/`.

`dvc repro` reads only `params.yaml`; `dvc exp run` recomposes it from `conf/` (dvc #10750).
A generated project's first stage runs `mlproj params refresh`, so an edit under `conf/` reaches
`dvc repro` too, while a hand edit of `params.yaml` is never silently overwritten (dvc #8486).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlproj._core.atomic import write_text
from mlproj._core.git import git
from mlproj._core.text import first_line, listing
from mlproj._core.yamlio import load_yaml
from mlproj.errors import ConfigError, InvalidYaml, NotAProject, ParamsOutOfSync

PARAMS_FILE = "params.yaml"
CONF_DIR = "conf"
CONFIG_NAME = "config"
PARAMS_STAGE = "params"
# Set by DVC for every stage of `dvc exp run`, which composed params.yaml itself.
EXPERIMENT_ENV = "DVC_EXP_NAME"
HAND_EDITED = (
    "params.yaml was edited by hand; conf/ is the source of truth: move the change into conf/, "
    "or run `mlproj params sync` to discard it"
)


@dataclass(frozen=True)
class Refresh:
    """What `refresh_params` did: nothing, rewrote the file, or stood aside for an experiment."""

    action: str  # "unchanged", "recomposed" or "experiment"
    changes: tuple[str, ...] = ()


def compose_yaml(project: Path, overrides: list[str] | None = None) -> str:
    """Compose `conf/` to YAML text exactly as DVC's Hydra integration writes `params.yaml`."""
    import yaml
    from hydra import compose, initialize_config_dir
    from hydra.errors import HydraException
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    conf = project / CONF_DIR
    if not (conf / f"{CONFIG_NAME}.yaml").is_file():
        raise NotAProject(f"{conf / (CONFIG_NAME + '.yaml')} not found; run this in a project.")
    _check_conf_files(project)
    try:
        with initialize_config_dir(str(conf.resolve()), version_base=None):
            cfg = compose(config_name=CONFIG_NAME, overrides=overrides or [])
        OmegaConf.resolve(cfg)
    except (HydraException, OmegaConfBaseException, yaml.YAMLError, ValueError) as exc:
        # ValueError covers a UnicodeDecodeError from a file the check above could not see.
        # Hydra wraps some causes in an exception with no message of its own.
        first = first_line(exc.__cause__ if exc.__cause__ and not str(exc).strip() else exc)
        raise ConfigError(f"conf/ does not compose: {first}") from exc
    return OmegaConf.to_yaml(cfg)


def _check_conf_files(project: Path) -> None:
    """Read every file under conf/ with the bounded loader before Hydra reads it unbounded.

    Hydra's own loader would expand an alias bomb node by node and lets a non-UTF-8 file or a
    syntax error escape as a traceback; here each is one line naming the file.
    """
    for path in sorted((project / CONF_DIR).rglob("*.yaml")):
        name = path.relative_to(project).as_posix()
        try:
            load_yaml(path, source=name)
        except InvalidYaml as exc:
            raise ConfigError(f"conf/ does not compose: {exc}") from None


def differences(expected: Mapping[str, Any], actual: Mapping[str, Any]) -> list[str]:
    """One line per dotted key whose value differs, compared by value rather than bytes."""
    left, right = dict(flatten(expected)), dict(flatten(actual))
    lines = []
    for key in sorted(left.keys() | right.keys()):
        if key not in right:
            lines.append(f"{key}: {left[key]!r} in conf/, missing from params.yaml")
        elif key not in left:
            lines.append(f"{key}: {right[key]!r} in params.yaml, not in conf/")
        elif left[key] != right[key]:
            lines.append(f"{key}: {left[key]!r} in conf/, {right[key]!r} in params.yaml")
    return lines


def check_params(project: Path) -> None:
    """Raise `ParamsOutOfSync`, naming each differing key, unless params.yaml matches conf/."""
    changes = _compare(project, compose_yaml(project))
    if changes:
        raise ParamsOutOfSync(_stale_message(changes, "run `mlproj params sync`"))


def sync_params(project: Path) -> list[str]:
    """Rewrite params.yaml from conf/ (discarding hand edits); return what changed."""
    composed = compose_yaml(project)
    changes = _compare(project, composed)
    if changes or not (project / PARAMS_FILE).exists():
        write_text(project / PARAMS_FILE, composed)
    return changes


def refresh_params(project: Path, environ: Mapping[str, str] | None = None) -> Refresh:
    """The pipeline's first stage: recompose params.yaml when only conf/ changed.

    Inside `dvc exp run` DVC has composed params.yaml with the experiment's overrides, so it
    is left alone. Outside, params.yaml is rewritten only if it is byte-for-byte what the
    project last recorded (`_as_recorded`): then every difference came from conf/. Otherwise
    someone edited params.yaml by hand, and that edit is reported instead of lost.
    """
    if (environ if environ is not None else os.environ).get(EXPERIMENT_ENV):
        return Refresh("experiment")
    composed = compose_yaml(project)
    changes = _compare(project, composed)
    if not changes:
        return Refresh("unchanged")
    params = project / PARAMS_FILE
    if params.exists() and not _as_recorded(project):
        raise ParamsOutOfSync(_stale_message(changes, HAND_EDITED))
    write_text(params, composed)
    return Refresh("recomposed", tuple(changes))


def check_hand_edit(project: Path) -> None:
    """Raise `ParamsOutOfSync`, as `refresh_params` would, if params.yaml holds a hand edit.

    A params.yaml that is what the project last recorded is not an edit, and is recognised
    without composing conf/.
    """
    params = project / PARAMS_FILE
    if not params.exists() or _as_recorded(project):
        return
    changes = _compare(project, compose_yaml(project))
    if changes:
        raise ParamsOutOfSync(_stale_message(changes, HAND_EDITED))


def read_params(project: Path) -> dict[str, Any] | None:
    """The project's params.yaml as a mapping, or None when it has none."""
    params = project / PARAMS_FILE
    if not params.is_file():
        return None
    data = load_yaml(params) or {}
    if not isinstance(data, dict):
        raise ConfigError(f"{params}: must be a mapping of parameters; run `mlproj params sync`.")
    return data


def project_params(project: Path) -> dict[str, Any]:
    """The project's params.yaml, or `NotAProject` for a folder that has none."""
    params = read_params(project)
    if params is None:
        raise NotAProject(
            f"no {PARAMS_FILE} in {project.resolve()}: run this inside a project made by "
            "`mlproj new`, or give --project DIR."
        )
    return params


def _compare(project: Path, composed: str) -> list[str]:
    current = read_params(project)
    if current is None:
        return [f"{PARAMS_FILE} is missing"]
    return differences(load_yaml(composed, source="the composition of conf/") or {}, current)


def _stale_message(changes: list[str], remedy: str) -> str:
    shown = listing(changes, 5, sep="; ", last="; and ")
    return f"params.yaml does not match conf/ ({shown}): {remedy}."


def _as_recorded(project: Path) -> bool:
    """Whether params.yaml is what the project last recorded, so no one has edited it since.

    After a run, the record is the md5 dvc.lock holds for the params stage's output. Before the
    first run (`mlproj new --no-run`) there is no dvc.lock: the record is then the committed
    params.yaml, which the `params-match-conf` hook keeps equal to the composition of conf/.
    """
    params = project / PARAMS_FILE
    locked = _locked_md5(project)
    if locked is not None:
        return _md5(params) == locked
    committed = git(
        project, "rev-parse", "--verify", "--quiet", f"HEAD:./{PARAMS_FILE}", check=False
    )
    return bool(committed) and committed == git(project, "hash-object", PARAMS_FILE, check=False)


def _locked_md5(project: Path) -> str | None:
    """The md5 dvc.lock recorded for params.yaml as the params stage's output, if any."""
    lock = project / "dvc.lock"
    if not lock.exists():
        return None
    data = load_yaml(lock) or {}
    stages = data.get("stages") if isinstance(data, dict) else None
    stage = stages.get(PARAMS_STAGE) if isinstance(stages, dict) else None
    outs = stage.get("outs") if isinstance(stage, dict) else None
    if not isinstance(data, dict) or not isinstance(outs, list | None):
        raise ConfigError(
            f"{lock}: not the file DVC writes (no mapping of stages): restore it with "
            "`git checkout dvc.lock`, or delete it and run `dvc repro`."
        )
    for out in outs or []:
        if isinstance(out, dict) and out.get("path") == PARAMS_FILE:
            return str(out.get("md5"))
    return None


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()


def flatten(data: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Nested mappings as (dotted.key, value) pairs: how params and metrics are compared."""
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            yield from flatten(value, f"{dotted}.")
        else:
            yield dotted, value
