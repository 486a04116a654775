"""A project's DVC remote in `.dvc/config` (committed) and its keys in `.dvc/config.local`.

Written and read through DVC's own `Config`, so the files are exactly what `dvc remote add -d`
and `dvc remote modify [--local]` write, and no key ever passes on a command line. The URL and
endpoint go in `.dvc/config`; credentials only in the environment or, on request, in
`.dvc/config.local`, which DVC's `.dvc/.gitignore` ignores: checked with git before a key is
written, and a key found in `.dvc/config` is refused rather than used.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlproj._core.shell import run
from mlproj.errors import InvalidRemote, NotAProject, RemoteCredentialsRejected
from mlproj.remote.server import probe
from mlproj.remote.url import Remote, parse_remote

# Keys of a DVC S3 remote that are secrets: never in the committed `.dvc/config`.
SECRET_KEYS = ("access_key_id", "secret_access_key", "session_token")
LOCAL_CONFIG = ".dvc/config.local"
ENV_KEYS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")


@dataclass(frozen=True)
class Configured:
    """A remote as the project configures it, with the S3 options DVC would use for it.

    OPTIONS holds what the probe needs from the merged config: keys from `.dvc/config.local`,
    `region`, `profile`; missing ones come from the environment, as boto reads them.
    """

    remote: Remote
    options: Mapping[str, str] = field(default_factory=dict)


def configured_remote(project: Path, name: str | None = None) -> Configured:
    """The remote NAME (default: the project's default remote), checked; refuses keys in git."""
    from dvc.config import Config

    dvc_dir = _dvc_dir(project)
    config = Config(dvc_dir=str(dvc_dir), validate=False)
    merged: dict[str, Any] = config.read()
    remotes: dict[str, Any] = merged.get("remote", {})
    name = name or merged.get("core", {}).get("remote")
    if not name or name not in remotes:
        known = ", ".join(sorted(remotes)) or "none"
        raise InvalidRemote(
            f"No DVC remote {name or '(default)'} in {project / '.dvc/config'} (configured: "
            f"{known}): add one with `mlproj remote add s3://BUCKET/PREFIX`."
        )
    committed = config.read("repo").get("remote", {}).get(name, {})
    leaked = [key for key in SECRET_KEYS if key in committed]
    if leaked:
        raise InvalidRemote(
            f"{project / '.dvc/config'} holds {', '.join(leaked)} of remote '{name}', a file git "
            f"commits: remove it (`dvc remote modify --unset {name} {leaked[0]}`) and keep keys in "
            "the environment or .dvc/config.local (`mlproj remote add ... --local-credentials`)."
        )
    section = remotes[name]
    url = str(section.get("url", ""))
    endpoint = section.get("endpointurl")
    remote = parse_remote(url, None if endpoint is None else str(endpoint), name)
    options = {
        key: str(section[key]) for key in (*SECRET_KEYS, "region", "profile") if key in section
    }
    return Configured(remote, options)


def add_remote(
    project: Path,
    remote: Remote,
    *,
    local_credentials: bool = False,
    check: bool = True,
) -> Configured:
    """Make REMOTE the project's default DVC remote, probed first unless not CHECK."""
    return write_remote(
        project,
        remote,
        local_credentials=local_credentials,
        before=(lambda configured: probe(configured.remote, configured.options))
        if check
        else (lambda configured: None),
    )


def write_remote(
    project: Path,
    remote: Remote,
    *,
    local_credentials: bool = False,
    before: Callable[[Configured], None] = lambda configured: None,
) -> Configured:
    """Make REMOTE the project's default DVC remote, all of it or nothing.

    With LOCAL_CREDENTIALS, keys from the environment go to `.dvc/config.local`. BEFORE (the
    probe) runs first: if it raises, or a write fails, both files are as they were.
    """
    dvc_dir = _dvc_dir(project)
    options = credentials_from_env() if local_credentials else {}
    if local_credentials:
        check_ignored(project)
    configured = Configured(remote, options)
    before(configured)
    from dvc.config import Config

    with _restored_on_failure(dvc_dir / "config", dvc_dir / "config.local"):
        config = Config(dvc_dir=str(dvc_dir), validate=False)
        with config.edit("repo") as conf:
            section: dict[str, str] = {"url": remote.url}
            if remote.endpoint:
                section["endpointurl"] = remote.endpoint
            conf["remote"][remote.name] = section  # replaces a remote of that name wholesale
            conf["core"]["remote"] = remote.name
        if options or (dvc_dir / "config.local").exists():  # keys replaced, or removed
            with config.edit("local") as conf:
                local = conf["remote"].get(remote.name, {})
                for key in SECRET_KEYS:
                    local.pop(key, None)
                local.update(options)
                if local:
                    conf["remote"][remote.name] = local
                else:
                    conf["remote"].pop(remote.name, None)
        if (dvc_dir / "config.local").exists():
            (dvc_dir / "config.local").chmod(0o600)  # keys: readable by their owner only
        written = (dvc_dir / "config").read_text(encoding="utf-8")
        if any(value and value in written for value in options.values()):
            raise InvalidRemote(f"A credential reached {dvc_dir / 'config'}; nothing is written.")
    return configured


def credentials_from_env() -> dict[str, str]:
    """AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY as DVC's config names them; both needed."""
    missing = [key for key in ENV_KEYS if not os.environ.get(key)]
    if missing:
        raise RemoteCredentialsRejected(
            f"--local-credentials copies the keys from the environment, and {' and '.join(missing)}"
            " is not set: export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY first."
        )
    return {
        "access_key_id": os.environ["AWS_ACCESS_KEY_ID"],
        "secret_access_key": os.environ["AWS_SECRET_ACCESS_KEY"],
    }


def check_ignored(project: Path) -> None:
    """Refuse unless git ignores `.dvc/config.local` and does not track it: keys go there."""
    tracked = run(["git", "ls-files", "--error-unmatch", LOCAL_CONFIG], project, check=False)
    ignored = run(["git", "check-ignore", "--quiet", LOCAL_CONFIG], project, check=False)
    if tracked.returncode == 0 or ignored.returncode != 0:
        why = "git tracks it" if tracked.returncode == 0 else "git does not ignore it"
        raise InvalidRemote(
            f"{project / LOCAL_CONFIG} would hold the keys but {why}: restore DVC's "
            ".dvc/.gitignore (`/config.local`) and `git rm --cached .dvc/config.local`, or keep "
            "the keys in the environment (drop --local-credentials)."
        )


def _dvc_dir(project: Path) -> Path:
    dvc_dir = project / ".dvc"
    if not dvc_dir.is_dir():
        raise NotAProject(f"{project} is not a DVC project (no .dvc/ folder): `cd` into one.")
    return dvc_dir


@contextmanager
def _restored_on_failure(*paths: Path) -> Iterator[None]:
    """Copies of PATHS, put back if the block raises (a file that did not exist is removed)."""
    saved = Path(tempfile.mkdtemp(prefix=".remote.", dir=paths[0].parent))
    try:
        for index, path in enumerate(paths):
            if path.exists():
                shutil.copy2(path, saved / str(index))
        try:
            yield
        except BaseException:
            for index, path in enumerate(paths):
                copy = saved / str(index)
                if copy.exists():
                    os.replace(copy, path)
                else:
                    path.unlink(missing_ok=True)
            raise
    finally:
        shutil.rmtree(saved, ignore_errors=True)
