"""`mlproj score` on the default project: the same numbers in Markdown, JSON and the card."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import copy_project, mlproj_new, sh

pytestmark = pytest.mark.e2e


def score(project: Path, *args: str, check: bool = True) -> str:
    return sh(sys.executable, "-m", "mlproj", "score", *args, cwd=project, check=check).stdout


def test_markdown_json_and_card_agree_and_min_fails_below(penguins: Path, tmp_path: Path) -> None:
    project = copy_project(penguins, tmp_path / "demo")
    shown = score(project)
    data = json.loads(score(project, "--json"))
    sections = dict(re.findall(r"^\| (\w+) \| ([\d.]+) \|$", shown, re.M))
    assert {k.lower(): float(v) for k, v in sections.items()} == data["sections"]
    rows = re.findall(r"^\| \d+\. .+? \| ([\d.]+) \| (.+?) \|", shown, re.M)
    assert [float(points) for points, _ in rows] == [t["points"] for t in data["tests"]]
    assert data["final"] == min(data["sections"].values())
    # Measured, not merely present: the gates ran and passed, every stage is current.
    points = {t["id"]: t["points"] for t in data["tests"]}
    assert (points["infrastructure-4"], points["infrastructure-3"]) == (1, 0.5)
    # The card, written inside `dvc repro`, shows the score `mlproj score` prints after it.
    summary = ", ".join(f"{k} {v:g}" for k, v in data["sections"].items())
    assert (
        f"- **ML Test Score:** {data['final']:g} of 7 ({summary});"
        in (project / "MODEL_CARD.md").read_text()
    )
    # --min: exit 0 at the score, 35 above it; a report changed since dvc.lock loses its point.
    final = data["final"]
    assert sh(sys.executable, "-m", "mlproj", "score", "--min", f"{final}", cwd=project)
    below = sh(
        sys.executable,
        "-m",
        "mlproj",
        "score",
        "--min",
        f"{final + 0.5}",
        cwd=project,
        check=False,
    )
    assert below.returncode == 35
    assert below.stderr.startswith(f"Error: ML Test Score {final:g} is below the minimum ")
    gates = project / "reports" / "gates.json"
    gates.write_text(gates.read_text().replace('"passed": true', '"passed": false', 1))
    tests = {t["id"]: t for t in json.loads(score(project, "--json"))["tests"]}
    assert tests["infrastructure-4"]["points"] == 0
    assert tests["infrastructure-4"]["reason"] == (
        "`gates` is stale: its output reports/gates.json changed since"
    )


def test_a_user_data_project_that_never_ran_scores_nothing_automated(tmp_path: Path) -> None:
    data = Path(__file__).resolve().parents[1] / "data" / "churn.csv"
    mlproj_new(tmp_path, "churn", "--data", str(data), "--target", "churned", "--no-run")
    project = tmp_path / "churn"
    shown = score(project)
    data_ = json.loads(score(project, "--json"))
    rows = re.findall(r"^\| \d+\. .+? \| ([\d.]+) \|", shown, re.M)
    assert [float(points) for points in rows] == [t["points"] for t in data_["tests"]]
    assert shown.startswith(f"# ML Test Score: {data_['final']:g}\n")
    tests = {t["id"]: t for t in data_["tests"]}
    assert [t for t in tests.values() if t["kind"] == "automated"] == []
    assert tests["infrastructure-4"]["reason"] == "`gates` never ran: it is not in dvc.lock"
    assert tests["data-1"]["points"] == 0.5  # the contract, reviewed but never checked
