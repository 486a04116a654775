"""What counts as having run: a stage current in dvc.lock, test results newer than the code."""

from __future__ import annotations

import os
from pathlib import Path

from mlproj.score.evidence import Evidence
from tests.score.builder import build, junit, md5, write

NOW = "2030-01-01T00:00:00"


def test_a_stage_in_dvc_lock_with_matching_outputs_ran(tmp_path: Path) -> None:
    root = build(tmp_path, files={"r.json": {}}, stages={"s": ["r.json"]}, ran={"s": ["seed"]})
    run = Evidence(root).stage("s")
    assert (run.ok, run.reason) == (True, "`s` ran and is current in dvc.lock")


def test_a_declared_stage_missing_from_dvc_lock_never_ran(tmp_path: Path) -> None:
    root = build(tmp_path, files={"r.json": {}}, stages={"s": ["r.json"]})
    run = Evidence(root).stage("s")
    assert (run.ok, run.reason) == (False, "`s` never ran: it is not in dvc.lock")


def test_an_output_changed_since_dvc_lock_is_stale(tmp_path: Path) -> None:
    root = build(tmp_path, files={"r.json": {"a": 1}}, stages={"s": ["r.json"]}, ran={"s": []})
    write(root, "r.json", {"a": 2})
    run = Evidence(root).stage("s")
    assert (run.ok, run.reason) == (False, "`s` is stale: its output r.json changed since")


def test_a_parameter_changed_since_dvc_lock_is_stale(tmp_path: Path) -> None:
    root = build(tmp_path, files={"r.json": {}}, stages={"s": ["r.json"]}, ran={"s": ["seed"]})
    params = (root / "params.yaml").read_text().replace("seed: 1", "seed: 2")
    (root / "params.yaml").write_text(params)
    run = Evidence(root).stage("s")
    assert run.reason == "`s` is stale: params.yaml `seed` changed since"


def test_a_folder_hash_is_dvcs(tmp_path: Path) -> None:
    from dvc_data.hashfile.hash_info import HashInfo
    from dvc_data.hashfile.meta import Meta
    from dvc_data.hashfile.tree import Tree

    for name in ("b.png", "a.png", "sub/c.txt"):
        write(tmp_path, f"figures/{name}", name * 3)
    tree = Tree()
    for path in (tmp_path / "figures").rglob("*"):
        if path.is_file():
            parts = path.relative_to(tmp_path / "figures").parts
            tree.add(parts, Meta(), HashInfo("md5", md5(path)))
    tree.digest()
    assert Evidence(tmp_path).md5("figures") == tree.hash_info.value


def test_a_legacy_lock_entry_hashes_text_with_unix_line_ends(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_bytes(b"a,b\r\n1,2\r\n")
    unix = build(tmp_path / "u", files={"t.csv": "a,b\n1,2\n"})
    item = {"path": "t.csv", "md5": md5(unix / "t.csv")}  # no `hash: md5`: DVC 2
    assert Evidence(tmp_path).changed(item, hash_big=True) == ""


def test_tests_count_when_they_passed_after_the_last_code_change(tmp_path: Path) -> None:
    build(
        tmp_path,
        files={
            "tests/test_features.py": "",
            "reports/junit.xml": junit(
                NOW, ("tests.test_features", "passed"), ("tests.test_features.TestX", "passed")
            ),
        },
    )
    os.utime(tmp_path / "tests/test_features.py", (0, 0))
    run = Evidence(tmp_path).tests("tests/test_features.py")
    assert (run.ok, run.reason) == (True, "2 passed, 0 failed in reports/junit.xml")


def test_tests_older_than_the_code_do_not_count(tmp_path: Path) -> None:
    build(
        tmp_path,
        files={
            "tests/test_features.py": "",
            "reports/junit.xml": junit("2000-01-01T00:00:00", ("tests.test_features", "passed")),
        },
    )
    run = Evidence(tmp_path).tests("tests/test_features.py")
    assert run.ok is False
    assert run.reason == (
        "reports/junit.xml is older than the code it tested (a .py file changed since)"
    )


def test_tags_are_read_from_git_without_git(tmp_path: Path) -> None:
    (tmp_path / ".git/refs/tags").mkdir(parents=True)
    (tmp_path / ".git/refs/tags/model@v1.0.0").write_text("x\n")
    (tmp_path / ".git/packed-refs").write_text("# pack-refs\nabc refs/tags/model#prod#1\n")
    assert Evidence(tmp_path).tags == ["model#prod#1", "model@v1.0.0"]


def test_an_unreadable_report_is_no_record(tmp_path: Path) -> None:
    (tmp_path / "r.json").write_text("{")
    assert Evidence(tmp_path).json("r.json") is None


def test_a_malformed_lock_entry_is_no_evidence(tmp_path: Path) -> None:
    build(tmp_path, files={"r.json": {}}, stages={"s": ["r.json"]})
    write(tmp_path, "dvc.lock", {"stages": {"s": {"outs": {"path": "r.json"}, "params": [1]}}})
    run = Evidence(tmp_path).stage("s")
    assert (run.ok, run.reason) == (False, "`s` has unreadable outs in dvc.lock")
