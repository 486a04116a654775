"""Save and load models with skops, never pickle, trusting only the types a project names."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlproj._core.atomic import write_bytes
from mlproj._core.text import first_line
from mlproj.errors import DataError, UntrustedModel

if TYPE_CHECKING:
    import zipfile

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold
SCHEMA = "schema.json"
# Pickle protocols 2 to 5 start with 0x80 and the protocol number.
PICKLE_PROTOCOLS = (b"\x02", b"\x03", b"\x04", b"\x05")


def save_model(model: Any, path: Path) -> None:
    """Serialise MODEL with skops, atomically and byte for byte the same for the same model.

    Otherwise the same model would get a new hash on every run, and DVC would see a change
    where there is none.
    """
    import skops.io as sio

    write_bytes(path, _canonical(sio.dumps(model)))


def _canonical(archive: bytes) -> bytes:
    """The same archive with stable ids and entry names, a fixed order and no timestamps.

    skops names objects and array entries after their memory address (`id()`), and stamps
    every entry with the time; both differ between runs of the same training. Renumbering them
    in order of appearance keeps every reference intact.
    """
    import io
    import itertools
    import json
    import zipfile

    with zipfile.ZipFile(io.BytesIO(archive)) as source:
        entries = {info.filename: (info, source.read(info)) for info in source.infolist()}
    schema_info, schema = entries.pop(SCHEMA)
    ids: dict[int, int] = {}
    files: dict[str, str] = {}

    numbers = itertools.count()

    def new_id(old: int, fresh: bool) -> int:
        if fresh:
            return next(numbers)
        if old not in ids:
            ids[old] = next(numbers)
        return ids[old]

    def renumber(node: Any) -> Any:
        if isinstance(node, dict):
            # A JSON value (a number, a string, None) is immutable: whether two are one object
            # in memory is chance (interning, a copy through pickle, a model fitted on a Dask
            # worker), so each gets its own id and the same model the same bytes.
            fresh = node.get("__loader__") == "JsonNode"
            return {
                key: new_id(value, fresh)
                if key == "__id__" and isinstance(value, int)
                else renumber(value)
                for key, value in node.items()
            }
        if isinstance(node, list):
            return [renumber(item) for item in node]
        if isinstance(node, str) and node in entries:
            return files.setdefault(node, f"{len(files)}.npy")
        return node

    # Compact: json's C encoder; with `indent` it falls back to pure Python, a second per
    # thousand trees.
    text = json.dumps(renumber(json.loads(schema)), separators=(",", ":"))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        target.writestr(_entry(SCHEMA, schema_info), text.encode("utf-8"))
        for old, new in files.items():
            info, data = entries[old]
            target.writestr(_entry(new, info), data)
    return out.getvalue()


def _entry(name: str, like: zipfile.ZipInfo) -> zipfile.ZipInfo:
    import zipfile

    entry = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
    entry.compress_type = like.compress_type
    entry.external_attr = like.external_attr
    return entry


def load_model(path: Path, trusted: Iterable[str]) -> Any:
    """Load a skops file, refusing it if it holds any type outside skops' defaults and TRUSTED.

    A file that is not a skops archive (a pickle, a truncated copy, a zip without a schema) is
    refused in one line naming it: it is the user's file to replace, not a bug here.
    """
    import skops.io as sio

    if not path.is_file():
        raise DataError(f"{path}: no model here; run `dvc repro` to train one.")
    _refuse_pickle(path)
    allowed = set(trusted)
    with _damaged(path):
        found = set(sio.get_untrusted_types(file=path))
    refused = sorted(found - allowed)
    if refused:
        raise UntrustedModel(
            f"{path} holds types outside the trusted list: {', '.join(refused)}. "
            "If you trust them, add them to TRUSTED_TYPES in the project's models.py."
        )
    with _damaged(path):
        return sio.load(path, trusted=sorted(found))


def _refuse_pickle(path: Path) -> None:
    """A pickle runs code when loaded, so it is refused by its first bytes, unopened."""
    try:
        with path.open("rb") as handle:
            head = handle.read(2)
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror or exc}).") from None
    if head[:1] == b"\x80" and head[1:2] in PICKLE_PROTOCOLS:
        raise UntrustedModel(
            f"{path} is a pickle, which can run code when loaded; mlproj loads only skops "
            "files: retrain it with `dvc repro` (models are saved with `save_model`)."
        )


@contextmanager
def _damaged(path: Path) -> Iterator[None]:
    """One line naming PATH for what a file that is not a whole skops archive raises.

    The list is explicit: these are what a foreign or cut-short file raises (a bad zip, no
    `schema.json` entry, a schema of the wrong shape, an array cut short, a class that no
    longer exists); anything else is a bug and keeps its traceback.
    """
    import zipfile
    import zlib

    try:
        yield
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror or exc}).") from None
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        KeyError,
        ValueError,
        TypeError,
        AttributeError,
        ImportError,
    ) as exc:
        # A KeyError's str() is the repr of its argument: show the argument itself.
        reason = first_line(exc)
        if isinstance(exc, KeyError) and exc.args:
            reason = str(exc.args[0])
        if "allow_pickle" in reason:  # numpy's advice to load it unsafely is not ours to give
            reason = "an array entry holds pickled objects"
        raise DataError(
            f"{path}: not a whole skops model file ({reason}); train it again with "
            "`dvc repro`, or `dvc checkout` it."
        ) from None
