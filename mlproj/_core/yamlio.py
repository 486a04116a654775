"""The one way mlproj reads YAML: bounded in size and alias expansion, Python tags refused.

PyYAML's safe loader still expands aliases: a few lines of nested anchors describe billions of
nodes. Loading them is quick (the nodes are shared), but anything that walks the value later
(a comparison, a flatten, an error message that formats it) hangs at gigabytes of memory. So
the composed node graph is measured, with aliases expanded, before a single Python object is
built, and a file past the bounds is refused with one line that names it and never shows it.
"""

from __future__ import annotations

import functools
import re
import sys
from pathlib import Path
from typing import Any

from mlproj.errors import InvalidYaml

# Far above any file a project writes by hand or DVC writes (dvc.lock of a big pipeline is
# well under a megabyte); libyaml itself reads about 1 MB a second on a busy 2-core runner.
MAX_BYTES = 4 * 1024 * 1024
# Nodes that aliases may add beyond those written out: room for `<<: *defaults` merges,
# none for a "billion laughs".
MAX_ALIAS_NODES = 10_000
# A broken file up to this size is read again by the pure-Python loader for its clearer
# message; past it that would take longer than the user should wait (about 10 s a megabyte).
RETRY_CHARS = 256 * 1024
# Nesting deeper than this is no configuration anyone reads, and recursion would end it badly.
MAX_DEPTH = 500


def load_yaml(
    text_or_path: str | bytes | Path,
    *,
    source: str | Path | None = None,
    max_bytes: int = MAX_BYTES,
) -> Any:
    """Parse one YAML document from text, bytes or a file, safely.

    SOURCE is how the input is called in messages (default: the path, or "YAML"). Raises
    `InvalidYaml`, naming SOURCE and the fix, when the input is too big, not UTF-8, not YAML,
    uses a tag other than YAML's plain ones (`!!python/object`...) or expands past the bounds.
    A missing file raises `FileNotFoundError`, so each caller says what the file is for.
    """
    if source is None:
        source = text_or_path if isinstance(text_or_path, Path) else "YAML"
    shown = str(source)
    return _parse(_text(text_or_path, shown, max_bytes), shown)


def _text(source: str | bytes | Path, shown: str, max_bytes: int) -> str:
    if isinstance(source, Path):
        try:
            size = source.stat().st_size
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise InvalidYaml(f"{shown}: cannot be read ({exc.strerror}).") from None
        if size > max_bytes:
            raise InvalidYaml(_too_big(shown, size, max_bytes))
        try:
            with source.open("rb") as handle:
                source = handle.read(max_bytes + 1)
        except OSError as exc:
            raise InvalidYaml(f"{shown}: cannot be read ({exc.strerror}).") from None
    if isinstance(source, bytes):
        if len(source) > max_bytes:
            raise InvalidYaml(_too_big(shown, len(source), max_bytes))
        try:
            return source.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InvalidYaml(
                f"{shown}: not UTF-8 (byte {exc.start + 1} cannot be decoded): "
                "save it as UTF-8 and try again."
            ) from None
    if len(source) > max_bytes:
        raise InvalidYaml(_too_big(shown, len(source), max_bytes, "characters"))
    return source


def _too_big(shown: str, size: int, max_bytes: int, unit: str = "bytes") -> str:
    return (
        f"{shown}: {size:,} {unit} is more than the {max_bytes / 1024**2:g} MB mlproj reads "
        "from a YAML file: shorten it, or keep bulk data in a CSV or Parquet file."
    )


def _parse(text: str, shown: str) -> Any:
    import yaml

    try:
        try:
            return _load(text, fast=True)
        except yaml.YAMLError as exc:
            if "maximum nesting depth" in str(exc):
                raise RecursionError from None
            if len(text) > RETRY_CHARS:
                raise
            # libyaml words its errors differently: read a broken file again with the pure
            # loader, so a message does not depend on how PyYAML was installed.
            return _load(text, fast=False)
    except InvalidYaml as exc:
        exc.message = f"{shown}: {exc.message}"
        raise
    except yaml.constructor.ConstructorError as exc:
        raise InvalidYaml(f"{shown}{_where(exc)}: {_constructor_problem(exc)}") from None
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or _first(exc)
        raise InvalidYaml(f"{shown}: not valid YAML{_where(exc)}: {problem}") from None
    except (ValueError, TypeError, AttributeError, OverflowError) as exc:
        # PyYAML's constructors fail this way on a value that does not fit its (implicit) tag:
        # `2024-13-45` looks like a date, `!!timestamp` with nothing after it, `!!int x`.
        raise InvalidYaml(
            f"{shown}: a value does not fit its type ({_first(exc)}): quote it to keep it as text."
        ) from None
    except RecursionError:
        raise InvalidYaml(
            f"{shown}: nested more than {MAX_DEPTH} levels deep: flatten it."
        ) from None


def _where(exc: Exception) -> str:
    mark = getattr(exc, "problem_mark", None)
    return f" at line {mark.line + 1}" if mark is not None else ""


def _constructor_problem(exc: Exception) -> str:
    # The problem names the tag as written: a bounded slice of one line of the user's file.
    problem = str(getattr(exc, "problem", "") or "")
    quoted = re.search(r"tag '([^']*)'", problem)
    if quoted:
        tag = quoted.group(1).replace("tag:yaml.org,2002:", "!!")[:80]
        return (
            f"the tag {tag} is not allowed: mlproj reads plain YAML only "
            "(remove the tag; write the value as text, a list or a mapping)."
        )
    return f"not valid YAML: {problem or _first(exc)}"


def _first(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__


def _load(text: str, *, fast: bool) -> Any:
    loader = _loader(fast=fast)(text)
    loader.has_alias = "*" in text
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


@functools.cache
def _loader(*, fast: bool) -> type:
    """A SafeLoader (FAST: libyaml's, where installed) that measures a document before building it.

    libyaml reads a suite of a thousand incidents ten times faster than the pure loader.
    """
    import yaml

    base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader) if fast else yaml.SafeLoader

    class BoundedLoader(base):  # type: ignore[misc]
        def construct_document(self, node: Any) -> Any:
            # Without a `*` there is no alias to expand: skip the walk (a third of the time).
            if self.has_alias:
                _check_expansion(node)
            return super().construct_document(node)

    return BoundedLoader


def _check_expansion(root: Any) -> None:
    """Count the nodes of ROOT with every alias expanded; refuse a bomb, a cycle or a tower."""
    written: set[int] = set()
    sizes: dict[int, int] = {}
    # Iterative post-order walk: a shared (aliased) node is measured once and counted each time.
    stack: list[tuple[Any, int, bool]] = [(root, 1, False)]
    on_path: set[int] = set()
    while stack:
        node, depth, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            if sizes[key] - len(written) > MAX_ALIAS_NODES:
                raise InvalidYaml(_bomb())
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise InvalidYaml(
                "an alias refers to a node that contains it (a recursive structure): "
                "write the value out instead of using the anchor."
            )
        if depth > MAX_DEPTH:
            raise InvalidYaml(f"nested more than {MAX_DEPTH} levels deep: flatten it.")
        written.add(key)
        on_path.add(key)
        stack.append((node, depth, True))
        stack.extend((child, depth + 1, False) for child in _children(node))


def _bomb() -> str:
    return (
        f"its aliases (*name) expand to more than {MAX_ALIAS_NODES:,} values beyond what is "
        "written: write the values out instead of repeating anchors."
    )


def _children(node: Any) -> list[Any]:
    import yaml

    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def yaml_string(value: object) -> str:
    """VALUE as a double-quoted YAML scalar: never a boolean, a null, a number or a comment.

    Always quoted: a bare `yes`, `off`, `null`, `~` or `1e3` would be read back as something else.
    """
    import yaml

    dumped: str = yaml.safe_dump(
        str(value), default_style='"', width=sys.maxsize, allow_unicode=True
    )
    return dumped.rstrip("\n").removesuffix("\n...").rstrip("\n")
