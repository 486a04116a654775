"""Save and load models with skops, never pickle, trusting only the types a project names."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mlproj.atomic import write_bytes
from mlproj.errors import DataError, UntrustedModel


def save_model(model: Any, path: Path) -> None:
    """Serialise MODEL with skops, atomically."""
    import skops.io as sio

    write_bytes(path, sio.dumps(model))


def load_model(path: Path, trusted: Iterable[str]) -> Any:
    """Load a skops file, refusing it if it holds any type outside skops' defaults and TRUSTED."""
    import skops.io as sio

    if not path.is_file():
        raise DataError(f"{path}: no model here; run `dvc repro` to train one.")
    allowed = set(trusted)
    found = set(sio.get_untrusted_types(file=path))
    refused = sorted(found - allowed)
    if refused:
        raise UntrustedModel(
            f"{path} holds types outside the trusted list: {', '.join(refused)}. "
            "If you trust them, add them to TRUSTED_TYPES in the project's models.py."
        )
    return sio.load(path, trusted=sorted(found))
