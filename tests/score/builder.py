"""Small projects for the audit: files, dvc.yaml stages, and a dvc.lock recording what ran."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import yaml

PARAMS: dict[str, Any] = {
    "seed": 1,
    "paths": {"reports": "reports", "metrics": "metrics.json"},
    "data": {
        "contract": "data/contract.yaml",
        "numeric": ["bill_length_mm"],
        "categorical": ["island"],
    },
}
CONTRACT = {
    "columns": {
        "bill_length_mm": {"kind": "numeric"},
        "island": {"kind": "categorical"},
    }
}


def md5(path: Path) -> str:
    """A file's md5, as DVC records it with `hash: md5`."""
    return hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()


def build(
    root: Path,
    *,
    files: dict[str, Any] | None = None,
    stages: dict[str, list[str]] | None = None,
    ran: dict[str, list[str]] | None = None,
    params: dict[str, Any] | None = None,
) -> Path:
    """A project at ROOT: FILES (dicts written as JSON, or YAML for .yaml), STAGES (name to
    outputs) declared in dvc.yaml, and RAN (name to the params.yaml keys it ran with) recorded
    in dvc.lock with the hashes of the outputs as they are now."""
    root.mkdir(parents=True, exist_ok=True)
    everything = {"params.yaml": params or PARAMS, "data/contract.yaml": CONTRACT, **(files or {})}
    for relative, content in everything.items():
        write(root, relative, content)
    stages = stages or {}
    pipeline = {name: {"cmd": f"run {name}", "outs": outs} for name, outs in stages.items()}
    write(root, "dvc.yaml", {"stages": pipeline})
    lock: dict[str, Any] = {}
    settings = yaml.safe_load((root / "params.yaml").read_text())
    for name, keys in (ran or {}).items():
        outs = [
            {"path": p, "hash": "md5", "md5": md5(root / p), "size": (root / p).stat().st_size}
            for p in stages[name]
        ]
        entry: dict[str, Any] = {"cmd": f"run {name}", "outs": outs}
        if keys:
            entry["params"] = {"params.yaml": {k: lookup(settings, k) for k in keys}}
        lock[name] = entry
    if lock:
        write(root, "dvc.lock", {"schema": "2.0", "stages": lock})
    return root


def write(root: Path, relative: str, content: Any) -> None:
    """Write CONTENT at RELATIVE: text as is, YAML for .yaml/.lock, JSON otherwise."""
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content)
    elif relative.endswith((".yaml", ".lock")):
        path.write_text(yaml.safe_dump(content, sort_keys=False))
    else:
        path.write_text(json.dumps(content))


def lookup(data: Any, dotted: str) -> Any:
    """The value at DOTTED in DATA, None when absent."""
    for key in dotted.split("."):
        data = data.get(key) if isinstance(data, dict) else None
    return data


def gates(status: str | None, *entries: tuple[str, str]) -> dict[str, Any]:
    """A gates.json: its overall status (None: the report from before `status`), and gates."""
    report: dict[str, Any] = {
        "passed": status == "passed",
        "gates": [{"gate": name, "status": s, "message": f"{name} {s}"} for name, s in entries],
    }
    if status is not None:
        report["status"] = status
    return report


def junit(when: str, *cases: tuple[str, str]) -> str:
    """A pytest JUnit report run at WHEN (ISO time): each case (classname, outcome)."""
    body = "".join(
        f'<testcase classname="{name}" name="t{i}">'
        + ("<failure message='x'/>" if outcome == "failed" else "")
        + "</testcase>"
        for i, (name, outcome) in enumerate(cases)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" '
        f'timestamp="{when}">{body}</testsuite></testsuites>'
    )


def gated_project(root: Path) -> Path:
    """A project whose gates stage ran and passed its margin and inclusion gates, with Dependabot."""
    report = gates("passed", ("margin over simple", "passed"), ("max gap in a across b", "passed"))
    return build(
        root,
        files={"reports/gates.json": report, ".github/dependabot.yml": "version: 2\n"},
        stages={"gates": ["reports/gates.json"]},
        ran={"gates": []},
    )
