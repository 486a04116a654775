"""Check a CSV file's bytes and read its real header before pandas is let near it.

pandas reads whatever it is given: NUL bytes become values, a Latin-1 file a traceback, a
repeated column name a silent `x.1`. Looking only at the first kilobytes misses a NUL a
megabyte in and cuts a long header short, so the whole file is scanned, in chunks (a huge
file costs time, never memory), and the header is the whole first record, however long.
"""

from __future__ import annotations

import codecs
import csv
from collections import Counter
from pathlib import Path

from mlproj.errors import DataError

CHUNK_BYTES = 1 << 20
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
UTF32_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)
SAVE_AS_UTF8 = "save it as UTF-8 (e.g. in a spreadsheet: CSV UTF-8)"


def check_text(path: Path) -> None:
    """Refuse a file that is not UTF-8 text: a NUL byte anywhere, or bytes UTF-8 cannot decode.

    The message gives the byte offset of the first offence, so the user can look at it.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    try:
        with path.open("rb") as handle:
            head = handle.read(4)
            if head.startswith(UTF32_BOMS) or head.startswith(UTF16_BOMS):
                width = "32" if head.startswith(UTF32_BOMS) else "16"
                raise DataError(f"{path}: a UTF-{width} text file; {SAVE_AS_UTF8}.")
            handle.seek(0)
            while chunk := handle.read(CHUNK_BYTES):
                nul = chunk.find(b"\x00")
                if nul >= 0:
                    raise DataError(
                        f"{path}: a NUL byte at offset {offset + nul}; a CSV file is text, "
                        "and this one is binary or damaged from there on."
                    )
                pending = len(decoder.getstate()[0])
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    at = offset - pending + exc.start
                    raise DataError(
                        f"{path}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset "
                        f"{at}); {SAVE_AS_UTF8}."
                    ) from None
                offset += len(chunk)
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                raise DataError(
                    f"{path}: not UTF-8 text (it ends inside a character, at offset {offset}); "
                    f"{SAVE_AS_UTF8}."
                ) from None
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror or exc}).") from None


def read_header(path: Path) -> list[str]:
    """The column names: the first non-blank record, read with the csv module as pandas would.

    Refuses repeated names (pandas would rename them `x.1` without a word), empty names and
    names holding a line break or other control character (they break configs and messages).
    Call `check_text` first: this assumes UTF-8 without NULs.
    """
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next((row for row in csv.reader(handle) if row), [])
    except csv.Error as exc:
        raise DataError(f"{path}: the header is not readable CSV ({exc}).") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror or exc}).") from None
    repeated = sorted(name for name, count in Counter(header).items() if count > 1)
    if repeated:
        shown = ", ".join(repr(name) if not name.isprintable() else name for name in repeated)
        raise DataError(f"{path}: duplicate column names: {shown}.")
    for number, name in enumerate(header, start=1):
        if not name.strip():
            raise DataError(
                f"{path}: column {number} of the header has no name; name it (a pandas index "
                "saved with `to_csv`? save with index=False)."
            )
        if not name.isprintable():
            raise DataError(
                f"{path}: column {number} name {name!r} holds a line break or control "
                "character; rename it in the header."
            )
    return header
