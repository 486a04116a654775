"""The review report on a small DVC repository: each section says what changed against base."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mlproj.errors import UserError
from mlproj.review.report import (
    MARKER,
    _contract_section,
    _importance_section,
    _metrics_section,
    build_report,
    write_report,
)
from tests.conftest import write

PARAMS = """\
data:
  task: classification
  target: y
  numeric: [x]
  categorical: [color]
  contract: data/contract.yaml
paths:
  model: models/model.skops
  reports: reports
model:
  max_depth: {depth}
"""
CONTRACT = """\
columns:
  x: {{kind: numeric, nullable: true, min: 0.0, max: {high}}}
{extra}"""


def run(repo: Path, *args: str) -> None:
    subprocess.run(args, cwd=repo, check=True, capture_output=True)


def incidents(*results: tuple[str, str, bool]) -> str:
    entries = [{"id": i, "status": s, "passed": p} for i, s, p in results]
    return json.dumps({"passed": True, "incidents": entries})


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A base commit on `develop`, then a workspace that changes every reported thing."""
    run(tmp_path, "git", "init", "--quiet", "--initial-branch", "develop")
    run(tmp_path, "git", "config", "user.name", "Tester")
    run(tmp_path, "git", "config", "user.email", "tester@example.com")
    run(tmp_path, sys.executable, "-m", "dvc", "init", "--quiet")
    write(tmp_path / "dvc.yaml", "params: [params.yaml]\nmetrics: [metrics.json]\n")
    write(tmp_path / "params.yaml", PARAMS.format(depth="null"))
    write(tmp_path / "metrics.json", json.dumps({"accuracy": 0.9, "f1": 0.8}))
    write(tmp_path / "data/contract.yaml", CONTRACT.format(high=10.0, extra=""))
    write(tmp_path / "reports/importance.json", json.dumps({"x": 0.5, "color": 0.2, "old": 0.1}))
    write(tmp_path / "reports/regressions.json", incidents(("INC-1", "fixed", True)))
    gates = {
        "passed": False,
        "release": None,
        "gates": [
            {
                "gate": "min accuracy",
                "status": "failed",
                "message": "min accuracy 0.9 > value 0.85",
            },
            {"gate": "max_drop", "status": "skipped", "message": "max_drop: no release yet"},
        ],
    }
    write(tmp_path / "reports/gates.json", json.dumps(gates))
    run(tmp_path, "git", "add", "--all")
    run(tmp_path, "git", "commit", "--quiet", "-m", "base")

    write(tmp_path / "params.yaml", PARAMS.format(depth=3))
    write(tmp_path / "metrics.json", json.dumps({"accuracy": 0.85, "f1": 0.8}))
    extra = "  color: {kind: categorical, nullable: false}\n"
    write(tmp_path / "data/contract.yaml", CONTRACT.format(high=12.5, extra=extra))
    write(tmp_path / "reports/importance.json", json.dumps({"color": 0.6, "x": 0.4}))
    write(
        tmp_path / "reports/regressions.json",
        incidents(("INC-1", "fixed", False), ("INC-2", "open", False)),
    )
    return tmp_path


@pytest.mark.slow
def test_each_section_reports_its_change(repo: Path) -> None:
    report = build_report(repo, "develop")
    assert report.startswith(MARKER + "\n")
    assert "| `model.max_depth` | – | 3 |" in report
    assert "| accuracy | 0.9 | 0.85 | -0.05 |" in report
    assert "| f1 | 0.8 | 0.8 | 0 |" in report
    assert "| color | 2 → 1 | 25% | 60% | +35 pts |" in report
    assert "| x | 1 → 2 | 62.5% | 40% | -22.5 pts |" in report
    assert "No longer used: old." in report
    assert "- added `color`: kind categorical, nullable False" in report
    assert "- changed `x`: max 10 → 12.5" in report
    assert "1 fixed incident(s) fail again: this model must not be merged." in report
    assert "| INC-1 | fixed | **fails again** |" in report
    assert "| INC-2 (new) | open | fails |" in report
    assert (
        "**A gate fails** (1 of 1 checked, 1 skipped).\n\n- ✗ min accuracy 0.9 > value 0.85\n- • max_drop: no release yet"
        in report
    )


@pytest.mark.slow
def test_nothing_changed(repo: Path) -> None:
    run(repo, "git", "stash", "--quiet")
    report = build_report(repo, "develop")
    assert "No parameter changed." in report
    assert "| accuracy | 0.9 | 0.9 | 0 |" in report
    assert "### Data contract\nUnchanged." in report
    assert "Every fixed incident passes." in report
    assert "### Data and outputs tracked by DVC\nUnchanged." in report


@pytest.mark.slow
def test_written_atomically_to_a_file(repo: Path) -> None:
    output = repo / "review-report.md"
    markdown = write_report(repo, "develop", output)
    assert output.read_text() == markdown


def test_an_unknown_base_is_one_line(repo: Path) -> None:
    with pytest.raises(UserError) as raised:
        build_report(repo, "origin/nope")
    assert str(raised.value).startswith("Unknown base 'origin/nope': name a branch, tag or commit")


def importance(unit: str | None, **values: float) -> dict[str, object]:
    return dict(values) if unit is None else {"unit": unit, "features": values}


def explanations(base: object, now: object) -> list[str]:
    """The explanations section alone: it reads two loaded importance.json files, no repository."""
    section = _importance_section(base, now)
    return [line for line in section.splitlines() if line][1:]


def test_explanations_in_different_units_compare_ranks_and_shares_only() -> None:
    base, now = (
        importance("probability", x=0.3, color=0.1),
        importance("log-odds", color=1.5, x=0.5),
    )
    assert explanations(base, now) == [
        "Units differ (base: probability, this branch: log-odds): raw values are not comparable, "
        "only ranks and shares are; share: each feature's part of the total; change in "
        "percentage points.",
        "| feature | rank | share: base | share: this branch | share change |",
        "|---|---|---:|---:|---:|",
        "| color | 2 → 1 | 25% | 75% | +50 pts |",
        "| x | 1 → 2 | 75% | 25% | -50 pts |",
    ]


def test_explanations_in_one_unit_also_compare_values() -> None:
    base, now = importance("log-odds", x=0.3, color=0.1), importance("log-odds", x=0.3, color=7e-5)
    lines = explanations(base, now)
    assert lines[0].startswith("SHAP values in log-odds in both commits; share:")
    assert lines[1:] == [
        "| feature | rank | share: base | share: this branch | share change | base | this branch "
        "| change |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
        "| x | = | 75% | 100% | +25 pts | 0.3 | 0.3 | 0 |",
        "| color | = | 25% | 0.0233% | -25 pts | 0.1 | 7×10⁻⁵ | -0.09993 |",
    ]


def test_an_old_explanation_without_unit_is_read_with_the_unit_unknown() -> None:
    lines = explanations(importance(None, x=0.3, color=0.1), importance("log-odds", x=1.0))
    assert lines[0].startswith(
        "Units unknown (base: not recorded, this branch: log-odds): raw values are not compared"
    )
    assert lines[3] == "| x | = | 75% | 100% | +25 pts |"
    assert lines[-1] == "No longer used: color."


def test_numbers_read_as_people_write_them() -> None:
    metrics = _metrics_section({"metrics.json": {"rmse": {"old": 3021.0, "new": 12810.4}}})
    assert "| rmse | 3,021 | 12,810 | +9,789 |" in metrics
    tiny = _metrics_section({"metrics.json": {"bias": {"old": 0.0, "new": -7e-05}}})
    assert "| bias | 0 | -7×10⁻⁵ | -7×10⁻⁵ |" in tiny
    # A contract bound is something someone typed: every digit of it is shown.
    old = {"columns": {"price": {"max": 12345.678}}}
    new = {"columns": {"price": {"max": 18823.0}}}
    assert _contract_section(old, new).endswith("- changed `price`: max 12,345.678 → 18,823")


def test_features_added_removed_or_retyped_are_contract_changes() -> None:
    """Issue 16 item 2: a feature added in conf/data read "Data contract: Unchanged"."""
    contract = {"columns": {"a": {"kind": "numeric"}}}
    old = {"data": {"numeric": ["a", "b"], "categorical": ["c"]}}
    new = {"data": {"numeric": ["a", "c"], "categorical": ["d"]}}
    assert _contract_section(contract, contract, old, new) == (
        "### Data contract\n"
        "- feature removed `b` (was numeric)\n"
        "- feature retyped `c`: categorical → numeric\n"
        "- feature added `d` (categorical)"
    )
    assert _contract_section(contract, contract, old, old) == "### Data contract\nUnchanged."
    # A base without a readable params.yaml says nothing about features, rather than "all new".
    assert _contract_section(contract, contract, None, new) == "### Data contract\nUnchanged."


def test_a_gates_report_with_every_gate_skipped_says_nothing_checked() -> None:
    from mlproj.review.report import _gates_section

    skipped = {"gate": "margin", "status": "skipped", "message": "margin: skipped, none declared"}
    report = {"status": "nothing checked", "passed": False, "gates": [skipped]}
    assert _gates_section(report) == (
        "### Quality gates\n**Nothing checked**: every gate was skipped (1).\n\n"
        "- • margin: skipped, none declared"
    )
    report["gates"] = [
        {**skipped, "status": "passed", "message": "min r2 0.5 <= value 0.6"},
        skipped,
    ]
    assert _gates_section(report).splitlines()[1] == (
        "Every gate checked passes (1 checked, 1 skipped)."
    )


def test_a_class_score_is_shown_only_when_it_changed() -> None:
    diff = {
        "metrics.json": {
            "accuracy": {"old": 0.9, "new": 0.9},
            "per_class.a.recall": {"old": 0.5, "new": 0.75},
            "per_class.b.recall": {"old": 1.0, "new": 1.0},
        }
    }
    rows = [line for line in _metrics_section(diff).splitlines() if line.startswith("| ")]
    assert [row.split(" | ")[0] for row in rows[1:]] == ["| accuracy", "| per_class.a.recall"]
