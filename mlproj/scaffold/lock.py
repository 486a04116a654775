"""The generated project's pinned environment: `requirements.txt`, written without a network.

`mlproj new` runs where mlproj is installed with every dependency the project needs, so the
versions installed beside it are a tested, working set: the lock pins the project's dependency
closure (pyproject.toml's dependencies and its `dev` extra) to them, in the format `uv pip
compile` and `pip-compile` write, with a header naming the command that regenerates it. CI
installs from it. mlproj's own line is the project's requirement when that is pinned to a URL
(see `source`), else the installed version.

A root that is not installed here (say pytest, when mlproj came without its dev tools) cannot
be pinned from this environment: it is written as the project declares it, under a comment
saying the regeneration command will pin it.

`mlproj update` never rewrites this file: it is not part of the template's render.
"""

from __future__ import annotations

import functools
import platform
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mlproj._core.atomic import write_text
from mlproj.errors import UserError

if TYPE_CHECKING:
    from packaging.requirements import Requirement

    from mlproj.scaffold.source import MlprojSource

LOCK_FILE = "requirements.txt"
REGENERATE = "uv pip compile pyproject.toml --extra dev -o requirements.txt"
"""The command the lock's header names (pip-tools: `pip-compile --extra dev pyproject.toml`)."""


@dataclass
class Pin:
    """One distribution of the closure: its line in the lock and who asked for it."""

    line: str
    via: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Lock:
    """The pins (canonical name to line) and the roots left unpinned, as written."""

    pins: dict[str, str]
    unpinned: tuple[str, ...]
    text: str


def write_lock(project: Path, source: MlprojSource) -> Lock:
    """Write PROJECT's `requirements.txt` from this environment; what it holds."""
    name, roots = _roots(project / "pyproject.toml")
    lock = resolve(name, roots, source)
    write_text(project / LOCK_FILE, lock.text)
    return lock


def resolve(project_name: str, roots: Iterable[str], source: MlprojSource) -> Lock:
    """Pin ROOTS (requirement strings) and what they need, as installed here."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    _installed.cache_clear()  # a cache for this call: what is installed may change between
    pins: dict[str, Pin] = {}
    unpinned: list[str] = []
    queue: list[tuple[Requirement, str]] = []
    for root in roots:
        requirement = Requirement(root)
        if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
            queue.append((requirement, f"{project_name} (pyproject.toml)"))
    seen: set[tuple[str, str]] = set()
    while queue:
        requirement, parent = queue.pop()
        key = canonicalize_name(requirement.name)
        found = _installed(requirement.name)
        if found is None:
            if parent.endswith("(pyproject.toml)"):
                unpinned.append(str(requirement))
            continue  # a dependency not installed here is one this platform does not need
        version, requires = found
        line = source.requirement if key == "mlproj" and source.pinned else f"{key}=={version}"
        pins.setdefault(key, Pin(line)).via.add(parent)
        for extra in ("", *sorted(requirement.extras)):
            if (key, extra) in seen:
                continue
            seen.add((key, extra))
            queue.extend((needed, key) for needed in _needs(requires, extra))
    text = _render(pins, unpinned)
    return Lock({key: pin.line for key, pin in pins.items()}, tuple(unpinned), text)


def _needs(requires: tuple[str, ...], extra: str) -> list[Requirement]:
    """The requirements in REQUIRES that apply here when EXTRA ('' for none) is asked for."""
    from packaging.requirements import Requirement

    needed = []
    for text in requires:
        requirement = Requirement(text)
        marker = requirement.marker
        if marker is None:
            applies = not extra
        else:  # an extra brings only what its marker adds to the plain install
            applies = marker.evaluate({"extra": extra}) and (
                not extra or not marker.evaluate({"extra": ""})
            )
        if applies:
            needed.append(requirement)
    return needed


@functools.cache
def _installed(name: str) -> tuple[str, tuple[str, ...]] | None:
    """The installed version of NAME and its declared requirements, or None.

    Only the metadata's headers are parsed: the long description after them is most of the
    text, and parsing it for 150 distributions costs seconds.
    """
    from email.parser import HeaderParser
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        found = distribution(name)
    except PackageNotFoundError:
        return None
    text = found.read_text("METADATA") or found.read_text("PKG-INFO") or ""
    headers = HeaderParser().parsestr(text.replace("\r\n", "\n").split("\n\n", 1)[0])
    version = headers.get("Version") or found.version
    requires = headers.get_all("Requires-Dist")
    if requires is None and found.read_text("requires.txt") is not None:  # an egg-info install
        requires = found.requires
    return str(version), tuple(str(line) for line in requires or ())


def _render(pins: dict[str, Pin], unpinned: list[str]) -> str:
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    lines = [
        "# The pinned environment of this project: CI installs it, and so can you:",
        '#    pip install -r requirements.txt -e ".[dev]"',
        f"# mlproj new wrote it from the versions installed beside it (Python {python}, "
        f"{platform.system().lower()}).",
        "# After changing the dependencies in pyproject.toml, regenerate it with uv (on PyPI):",
        f"#    {REGENERATE}",
    ]
    for key in sorted(pins):
        lines.append(pins[key].line)
        via = sorted(pins[key].via)
        if len(via) == 1:
            lines.append(f"    # via {via[0]}")
        else:
            lines.append("    # via")
            lines.extend(f"    #   {parent}" for parent in via)
    if unpinned:
        lines.append("# Not installed where this file was written, so not pinned yet:")
        lines.append("# the command above pins them.")
        lines.extend(sorted(set(unpinned)))
    return "\n".join(lines) + "\n"


def _roots(pyproject: Path) -> tuple[str, list[str]]:
    """The project's name, its dependencies and its `dev` extra, from PYPROJECT."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib

    try:
        table = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
        name = str(table["name"])
        roots = [str(r) for r in table.get("dependencies", [])]
        roots += [str(r) for r in table.get("optional-dependencies", {}).get("dev", [])]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UserError(f"{pyproject} cannot be read for its dependencies: {exc}") from None
    return name, roots
