"""What a project's repository proves ran: DVC stages in `dvc.lock`, test results, reports.

The audit gives points only for what ran and is still current, so every question here is
answered from records, never from a file merely being there: a stage counts when `dvc.lock`
holds it and every output (and dependency, and parameter) on disk still has the hash or value
recorded there. Hashes are computed here, as DVC computes them (`hash: md5`: the file's md5; a
directory: the md5 of its `.dir` listing, see dvc_data's `Tree.digest`), because spawning DVC
would cost more than the whole audit may take.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from mlproj._core.yamlio import load_yaml

LOCK_FILE = "dvc.lock"
PIPELINE_FILE = "dvc.yaml"
PARAMS_FILE = "params.yaml"
# Where test results are looked for: `pytest --junitxml reports/junit.xml` (CI's Tests step).
JUNIT_FILE = "reports/junit.xml"
# Dependencies bigger than this (a raw data table) are compared by size only: hashing them would
# take seconds. Outputs are always hashed; the data's own stage output hash covers the rest.
HASH_LIMIT = 64 * 1024 * 1024
MAX_JSON_BYTES = 16 * 1024 * 1024
MAX_XML_BYTES = 8 * 1024 * 1024
NOT_IN_PIPELINE = "not a stage of dvc.yaml"


@dataclass(frozen=True)
class StageRun:
    """Whether STAGE ran and is current: `ok`, or why not (`reason`), one line."""

    stage: str
    ok: bool
    reason: str


@dataclass(frozen=True)
class TestRun:
    """Test results for one test file in the JUnit report: counts, and whether they are current."""

    path: str
    passed: int
    failed: int
    current: bool
    reason: str

    @property
    def ok(self) -> bool:
        """Ran, all green, and newer than every Python file it could test."""
        return self.current and self.passed > 0 and self.failed == 0


@dataclass
class Evidence:
    """The records of one project, read lazily and once each."""

    root: Path
    running: str | None = None  # the stage computing the score: not in dvc.lock yet
    _hashes: dict[str, str] = field(default_factory=dict, repr=False)

    @functools.cached_property
    def pipeline(self) -> dict[str, Any]:
        """The stages declared in dvc.yaml (name to declaration), `{}` when there is none."""
        data = self.yaml(PIPELINE_FILE)
        stages = data.get("stages") if isinstance(data, dict) else None
        return stages if isinstance(stages, dict) else {}

    @functools.cached_property
    def lock(self) -> dict[str, Any]:
        """The stages recorded in dvc.lock, `{}` when nothing ran yet."""
        data = self.yaml(LOCK_FILE)
        stages = data.get("stages") if isinstance(data, dict) else None
        return stages if isinstance(stages, dict) else {}

    @functools.cached_property
    def params(self) -> dict[str, Any]:
        """params.yaml, `{}` when absent."""
        data = self.yaml(PARAMS_FILE)
        return data if isinstance(data, dict) else {}

    def yaml(self, relative: str) -> Any:
        """A YAML file of the project, None when absent; unreadable raises `InvalidYaml`."""
        try:
            return load_yaml(self.root / relative, source=relative)
        except FileNotFoundError:
            return None

    def json(self, relative: str) -> Any:
        """A JSON file of the project, None when absent or unreadable (no record, no point)."""
        path = self.root / relative
        try:
            if path.stat().st_size > MAX_JSON_BYTES:
                return None
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def setting(self, dotted: str) -> Any:
        """The value at DOTTED in params.yaml, None when absent."""
        value: Any = self.params
        for key in dotted.split("."):
            if not isinstance(value, dict) or key not in value:
                return None
            value = value[key]
        return value

    def stage(self, name: str) -> StageRun:
        """Whether stage NAME ran and nothing it recorded changed since: outputs, deps, params."""
        if name not in self.pipeline:
            return StageRun(name, False, f"`{name}` is {NOT_IN_PIPELINE}")
        entry = self.lock.get(name)
        if not isinstance(entry, dict):
            return StageRun(name, False, f"`{name}` never ran: it is not in dvc.lock")
        why = self._files_changed(name, entry) or self._params_changed(name, entry)
        if why:
            return StageRun(name, False, why)
        return StageRun(name, True, f"`{name}` ran and is current in dvc.lock")

    def _files_changed(self, name: str, entry: dict[str, Any]) -> str:
        for kind in ("outs", "deps"):
            items = entry.get(kind) or []
            if not isinstance(items, list):
                return f"`{name}` has unreadable {kind} in dvc.lock"
            for item in items:
                changed = self.changed(item, hash_big=kind == "outs")
                if changed:
                    what = "output" if kind == "outs" else "dependency"
                    return f"`{name}` is stale: its {what} {changed}"
        return ""

    def _params_changed(self, name: str, entry: dict[str, Any]) -> str:
        params = entry.get("params") or {}
        values = params.get(PARAMS_FILE) if isinstance(params, dict) else None
        for dotted, value in values.items() if isinstance(values, dict) else ():
            if self.setting(str(dotted)) != value:
                return f"`{name}` is stale: params.yaml `{dotted}` changed since"
        return ""

    def locked_out(self, stage: str, relative: str) -> bool:
        """Whether RELATIVE is an output (or metric, or plot) STAGE recorded in dvc.lock."""
        entry = self.lock.get(stage)
        if not isinstance(entry, dict):
            return False
        return any(
            isinstance(item, dict) and item.get("path") == relative
            for item in entry.get("outs") or []
        )

    def locked_params(self, stage: str) -> set[str]:
        """The params.yaml keys STAGE ran with, as dvc.lock records them."""
        entry = self.lock.get(stage)
        params = (entry.get("params") or {}) if isinstance(entry, dict) else {}
        values = params.get(PARAMS_FILE)
        return {str(key) for key in values} if isinstance(values, dict) else set()

    def output_of(self, relative: str) -> StageRun | None:
        """The run of the stage that recorded RELATIVE as an output, None when no stage did."""
        for name, entry in self.lock.items():
            if isinstance(entry, dict) and self.locked_out(name, relative):
                return self.stage(str(name))
        return None

    def declared_by(self, relative: str) -> str | None:
        """The dvc.yaml stage that declares RELATIVE an output, metric or plot, if any."""
        for name, stage in self.pipeline.items():
            if not isinstance(stage, dict):
                continue
            for kind in ("outs", "metrics", "plots"):
                for item in stage.get(kind) or []:
                    for path in item if isinstance(item, dict) else [item]:
                        if self.interpolate(str(path)) == relative:
                            return str(name)
        return None

    def interpolate(self, text: str) -> str:
        """TEXT with `${dotted.key}` replaced by params.yaml's value, as dvc.yaml's templating."""
        return re.sub(r"\$\{([\w.-]+)\}", lambda m: str(self.setting(m.group(1))), text)

    def changed(self, item: Any, *, hash_big: bool) -> str:
        """'' when ITEM (a dvc.lock `outs`/`deps` entry) still matches the disk, else why not."""
        if not isinstance(item, dict) or not isinstance(item.get("path"), str):
            return "is not readable in dvc.lock"
        relative = item["path"]
        recorded = str(item.get("md5") or "")
        path = self.root / relative
        if not path.exists():
            return f"{relative} is missing"
        if recorded.endswith(".dir"):
            if not path.is_dir():
                return f"{relative} is no longer a folder"
            return "" if self.md5(relative) == recorded else f"{relative} changed since"
        if not path.is_file():
            return f"{relative} is no longer a file"
        size = item.get("size")
        if isinstance(size, int) and path.stat().st_size != size:
            return f"{relative} changed since"
        if not hash_big and path.stat().st_size > HASH_LIMIT:
            return ""
        legacy = "hash" not in item  # DVC 2 hashed text files with Windows line ends made Unix
        return "" if self.md5(relative, legacy=legacy) == recorded else f"{relative} changed since"

    def md5(self, relative: str, *, legacy: bool = False) -> str:
        """DVC's md5 of RELATIVE: a file's md5, or a folder's listing's md5 with `.dir`."""
        key = f"{relative}\0{legacy}"
        if key not in self._hashes:
            path = self.root / relative
            self._hashes[key] = _dir_md5(path) if path.is_dir() else _file_md5(path, legacy)
        return self._hashes[key]

    @functools.cached_property
    def junit(self) -> tuple[dict[str, list[int]], float | None, str]:
        """Per test module (`tests/test_x.py`): [passed, failed]; the run's time; why none."""
        return _read_junit(self.root / JUNIT_FILE)

    def tests(self, relative: str) -> TestRun:
        """The results for test file RELATIVE, from the JUnit report."""
        counts, when, why = self.junit
        if when is None:
            return TestRun(relative, 0, 0, False, why)
        passed, failed = counts.get(relative, [0, 0])
        if passed + failed == 0:
            return TestRun(relative, 0, 0, False, f"{JUNIT_FILE} has no result for {relative}")
        newest = self.newest_code()
        current = newest <= when
        reason = (
            f"{passed} passed, {failed} failed in {JUNIT_FILE}"
            if current
            else f"{JUNIT_FILE} is older than the code it tested (a .py file changed since)"
        )
        return TestRun(relative, passed, failed, current, reason)

    def newest_code(self) -> float:
        """The latest modification time of the project's Python files (package and tests)."""
        newest = 0.0
        for top, folders, files in os.walk(self.root):
            folders[:] = [f for f in folders if not f.startswith(".") and f not in SKIPPED]
            for name in files:
                if name.endswith(".py"):
                    newest = max(newest, os.stat(os.path.join(top, name)).st_mtime)
        return newest

    @functools.cached_property
    def tags(self) -> list[str]:
        """The repository's tag names, read from .git without spawning git."""
        return _tags(self.root / ".git")

    def text(self, relative: str) -> str:
        """A text file of the project, '' when absent or unreadable."""
        try:
            return (self.root / relative).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return ""


# Folders that hold no project code: data, outputs, caches, environments.
SKIPPED = {"data", "models", "reports", "plots", "notebooks", "node_modules", "venv", "__pycache__"}


def _file_md5(path: Path, legacy: bool) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        head = handle.read(8192)
        text = legacy and b"\0" not in head
        chunk = head
        while chunk:
            digest.update(chunk.replace(b"\r\n", b"\n") if text else chunk)
            chunk = handle.read(1024 * 1024)
    return digest.hexdigest()


def _dir_md5(path: Path) -> str:
    entries = []
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        relpath = file.relative_to(path).as_posix()
        entries.append({"md5": _file_md5(file, False), "relpath": relpath})
    entries.sort(key=lambda entry: entry["relpath"])
    listing = json.dumps(entries, sort_keys=True).encode("utf-8")
    return hashlib.md5(listing, usedforsecurity=False).hexdigest() + ".dir"


def _read_junit(path: Path) -> tuple[dict[str, list[int]], float | None, str]:
    import xml.etree.ElementTree as ElementTree

    try:
        data = path.read_bytes()
    except OSError:
        return {}, None, f"no test results ({JUNIT_FILE}: `pytest --junitxml {JUNIT_FILE}`)"
    if len(data) > MAX_XML_BYTES or b"<!ENTITY" in data or b"<!DOCTYPE" in data:
        return {}, None, f"{JUNIT_FILE} is not a JUnit report mlproj reads"
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError:
        return {}, None, f"{JUNIT_FILE} is not valid XML"
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    stamps = [_timestamp(s.get("timestamp")) for s in suites]
    if not suites or any(stamp is None for stamp in stamps):
        return {}, None, f"{JUNIT_FILE} does not say when the tests ran"
    counts: dict[str, list[int]] = {}
    for case in root.iter("testcase"):
        module = str(case.get("classname") or "").split(".")
        while module and module[-1][:1].isupper():  # a test class inside the module
            module.pop()
        relative = "/".join(module) + ".py"
        bad = any(case.find(tag) is not None for tag in ("failure", "error"))
        skipped = case.find("skipped") is not None
        tally = counts.setdefault(relative, [0, 0])
        if bad:
            tally[1] += 1
        elif not skipped:
            tally[0] += 1
    return counts, min(stamp for stamp in stamps if stamp is not None), ""


def _timestamp(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).timestamp()  # naive: local time, as pytest writes
    except ValueError:
        return None


def _tags(git: Path) -> list[str]:
    if git.is_file():  # a worktree or submodule: `gitdir: PATH`
        text = git.read_text(encoding="utf-8", errors="replace").strip()
        if not text.startswith("gitdir:"):
            return []
        git = (git.parent / text.removeprefix("gitdir:").strip()).resolve()
        common = git / "commondir"
        if common.is_file():
            git = (git / common.read_text(encoding="utf-8").strip()).resolve()
    names = set()
    folder = git / "refs" / "tags"
    if folder.is_dir():
        names |= {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    try:
        packed = (git / "packed-refs").read_text(encoding="utf-8", errors="replace")
    except OSError:
        packed = ""
    for line in packed.splitlines():
        ref = line.split(" ", 1)[-1]
        if ref.startswith("refs/tags/"):
            names.add(ref.removeprefix("refs/tags/"))
    return sorted(names)
