"""The Infrastructure and Monitoring tests: 0, 0.5 and 1 on projects built to hit each case."""

from __future__ import annotations

from pathlib import Path

from mlproj.score import operations as rules
from mlproj.score.evidence import Evidence
from tests.score.builder import build, gates, write

GATED = {"gates": ["reports/gates.json"]}


def test_gates_that_ran_and_passed_score_1(tmp_path: Path) -> None:
    build(
        tmp_path,
        files={"reports/gates.json": gates("passed", ("min accuracy", "passed"))},
        stages=GATED,
        ran={"gates": []},
    )
    found = rules.validated(Evidence(tmp_path))
    assert (found.points, found.reason) == (1, "the gates stage ran and passed: 1 gate(s) checked")


def test_nothing_checked_is_not_passed(tmp_path: Path) -> None:
    build(
        tmp_path,
        files={"reports/gates.json": gates("nothing checked", ("min x", "skipped"))},
        stages=GATED,
        ran={"gates": []},
    )
    found = rules.validated(Evidence(tmp_path))
    assert (found.points, found.reason) == (0, "gates.json says nothing checked")


def test_an_old_report_with_every_gate_skipped_is_not_passed(tmp_path: Path) -> None:
    build(
        tmp_path,
        files={"reports/gates.json": gates(None, ("min x", "skipped"))},
        stages=GATED,
        ran={"gates": []},
    )
    assert rules.validated(Evidence(tmp_path)).points == 0


def test_a_report_whose_hash_differs_from_dvc_lock_scores_0(tmp_path: Path) -> None:
    build(
        tmp_path,
        files={"reports/gates.json": gates("failed", ("min x", "failed"))},
        stages=GATED,
        ran={"gates": []},
    )
    write(tmp_path, "reports/gates.json", gates("passed", ("min x", "passed")))
    found = rules.validated(Evidence(tmp_path))
    assert (found.points, found.reason) == (
        0,
        "`gates` is stale: its output reports/gates.json changed since",
    )


def test_gates_declared_but_not_in_dvc_lock_score_0(tmp_path: Path) -> None:
    build(
        tmp_path, files={"reports/gates.json": gates("passed", ("min x", "passed"))}, stages=GATED
    )
    assert rules.validated(Evidence(tmp_path)).points == 0


def test_rollback_needs_an_earlier_release(tmp_path: Path) -> None:
    build(tmp_path, files={".gto": "stages: [staging, prod]\n"})
    (tmp_path / ".git/refs/tags").mkdir(parents=True)
    (tmp_path / ".git/refs/tags/model@v1.0.0").write_text("x\n")
    assert rules.rollback(Evidence(tmp_path)).points == 0
    (tmp_path / ".git/refs/tags/model@v1.1.0").write_text("x\n")
    (tmp_path / ".git/refs/tags/model#staging#1").write_text("x\n")
    assert rules.rollback(Evidence(tmp_path)).points == 0.5
    assert rules.canaried(Evidence(tmp_path)).points == 0.5


def test_the_stage_computing_the_score_is_not_required_to_have_ran(tmp_path: Path) -> None:
    build(
        tmp_path,
        files={"r.json": {}, "CARD.md": "x"},
        stages={"s": ["r.json"], "card": ["CARD.md"]},
        ran={"s": []},
    )
    assert rules.integration(Evidence(tmp_path)).points == 0
    found = rules.integration(Evidence(tmp_path, running="card"))
    assert (found.points, found.reason) == (
        0.5,
        "every stage ran end to end and is current; no pipeline test result",
    )
