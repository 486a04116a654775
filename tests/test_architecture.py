"""The package map of docs/architecture.md holds: each subpackage imports only what it may."""

from __future__ import annotations

import ast
from pathlib import Path

import mlproj

PACKAGE = Path(mlproj.__file__).parent
BASE = {"errors", "_core", "data", "project"}
# What each part of mlproj may import, as docs/architecture.md's table says; keep the two equal.
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "_core": {"errors"},
    "data": {"errors", "_core"},
    "project": {"errors", "_core", "data"},
    "scaffold": BASE | {"review", "gates", "remote"},
    "explain": BASE | {"gates"},
    "incidents": BASE | {"predictionlog"},
    "gates": BASE | {"flow"},
    "drift": BASE,
    "card": BASE | {"gates", "incidents", "explain", "score"},
    "review": BASE | {"gates", "explain"},
    "flow": BASE | {"incidents"},
    "reproduce": BASE,
    "predict": BASE | {"flow"},
    "score": BASE,
    "sweep": BASE,
    "predictionlog": BASE,
    "serve": BASE | {"predictionlog", "predict", "flow"},
    "deploy": BASE | {"predictionlog", "incidents", "flow", "predict", "serve"},
    "monitor": BASE | {"predictionlog", "drift", "flow", "predict", "serve"},
    "compute": BASE,
    "remote": {"errors", "_core"},
}
# Known breaks of the map, to be removed (never added to): (module, what it imports).
KNOWN = {}


def imported_parts(path: Path) -> set[str]:
    """The top-level parts of mlproj (subpackage or module) that PATH imports."""
    parts = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = node.module.split(".")
            if names[0] == "mlproj" and len(names) > 1:
                parts.add(names[1])
            elif names == ["mlproj"]:
                parts |= {alias.name for alias in node.names}
        elif isinstance(node, ast.Import):
            for alias in node.names:
                names = alias.name.split(".")
                if names[0] == "mlproj" and len(names) > 1:
                    parts.add(names[1])
    return {part for part in parts if (PACKAGE / part).is_dir() or part == "errors"}


def test_every_subpackage_imports_only_what_the_map_allows() -> None:
    breaks = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        owner = relative.parts[0] if len(relative.parts) > 1 else relative.stem
        if owner not in ALLOWED:  # cli, api, __init__, __main__ may import any part
            continue
        for part in imported_parts(path) - {owner} - ALLOWED[owner]:
            if (relative.as_posix(), part) not in KNOWN:
                breaks.append(f"{relative.as_posix()} imports mlproj.{part}")
    assert breaks == []


def test_the_map_names_every_subpackage() -> None:
    subpackages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert subpackages - {"cli"} == set(ALLOWED) - {"errors"}
