"""Write files so that a reader sees the old content or the new, never half of either.

Every failure to write (a folder that cannot be made, a full disk, a read-only file system, a
name too long, a folder where a file should go) is the user's to fix: `CannotWrite`, one line
naming the target, and no temporary file left behind.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from mlproj._core.leftovers import remove_stale, stale_pattern
from mlproj.errors import CannotWrite, DataError


def write_bytes(path: Path, data: bytes) -> None:
    """Write DATA to a temporary file beside PATH, then rename it over PATH."""
    with _temporary_beside(path) as (handle, _tmp):
        handle.write(data)


def write_text(path: Path, text: str) -> None:
    """Write TEXT as UTF-8, atomically."""
    write_bytes(path, text.encode("utf-8"))


def copy_file(source: Path, path: Path) -> None:
    """Copy SOURCE to PATH atomically: a full disk leaves no partial copy behind."""
    try:
        reader = source.open("rb")
    except OSError as exc:
        raise DataError(f"{source}: cannot be read ({exc.strerror or exc}).") from None
    with reader, _temporary_beside(path) as (handle, _tmp):
        shutil.copyfileobj(reader, handle, 1 << 20)


@contextmanager
def streaming(path: Path) -> Iterator[BinaryIO]:
    """Write PATH piece by piece into a temporary file beside it, renamed over PATH at the end.

    For outputs too big to hold in memory: an error or Ctrl-C half way leaves no partial PATH
    and no temporary file.
    """
    with _temporary_beside(path) as (handle, _tmp):
        yield handle


@contextmanager
def writing(what: str) -> Iterator[None]:
    """Turn an `OSError` raised while writing WHAT with another library's code into `CannotWrite`.

    For writers that are not ours (cookiecutter, `shutil` trees, `os.replace` of folders): the
    caller cleans up its own staging; this only names the target and the reason.
    """
    try:
        yield
    except OSError as exc:
        raise CannotWrite(f"Cannot write {what}: {_reason(exc)}.") from None


def check_target(path: Path) -> None:
    """Refuse, before any work, an output PATH that is a folder or lies under a file.

    Commands that compute for a while before writing (a report, a model from DVC) call it
    first, so a wrong `--output` costs nothing.
    """
    try:
        if path.is_dir():
            raise CannotWrite(f"Cannot write {path}: it is a folder; name a file to write.")
        for folder in (path.parent, *path.parent.parents):
            if folder.exists() or folder.is_symlink():
                if not folder.is_dir():
                    raise CannotWrite(f"Cannot write {path}: {folder} is a file, not a folder.")
                break
    except OSError as exc:  # a name too long, a loop of symbolic links
        raise CannotWrite(f"Cannot write {path}: {_reason(exc)}.") from None


@contextmanager
def _temporary_beside(path: Path) -> Iterator[tuple[BinaryIO, str]]:
    check_target(path)
    name = path.name[:64]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # The temporary name holds our process id: one left by a killed run is removed here.
        remove_stale(path.parent, stale_pattern(re.escape(f".{name}"), r"\.tmp"))
        prefix = f".{name}.{os.getpid()}."
        fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise CannotWrite(f"Cannot write {path}: {_reason(exc)}.") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle, tmp
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes files private; keep the usual mode
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise CannotWrite(f"Cannot write {path}: {_reason(exc)}.") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# What to do about the usual reasons, said after the system's own words.
FIXES = {
    errno.ENOSPC: "free some space and run it again",
    errno.EDQUOT: "free some space and run it again",
    errno.EROFS: "write somewhere writable",
    errno.EACCES: "check the folder's permissions",
    errno.EPERM: "check the folder's permissions",
    errno.ENAMETOOLONG: "choose a shorter name",
}


def _reason(exc: OSError) -> str:
    fix = FIXES.get(exc.errno or 0)
    return f"{exc.strerror or exc}; {fix}" if fix else str(exc.strerror or exc)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
