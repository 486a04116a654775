"""Write files so that a reader sees the old content or the new, never half of either."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from mlproj._core.leftovers import remove_stale, stale_pattern
from mlproj.errors import CannotWrite


def write_bytes(path: Path, data: bytes) -> None:
    """Write DATA to a temporary file beside PATH, then rename it over PATH.

    A folder that cannot be made or written to is the user's to fix: `CannotWrite`, one line.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # The temporary name holds our process id: one left by a killed run is removed here.
        remove_stale(path.parent, stale_pattern(re.escape(f".{path.name}"), r"\.tmp"))
        prefix = f".{path.name}.{os.getpid()}."
        fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise CannotWrite(f"Cannot write {path}: {exc.strerror or exc}.") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes files private; keep the usual mode
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> None:
    """Write TEXT as UTF-8, atomically."""
    write_bytes(path, text.encode("utf-8"))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
