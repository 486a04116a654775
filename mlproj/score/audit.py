"""`score_project`: the ML Test Score of a project, from the records in its repository."""

from __future__ import annotations

from pathlib import Path

from mlproj.errors import NotAProject, ScoreBelowMinimum
from mlproj.score.data_model import DATA, MODEL
from mlproj.score.evidence import PARAMS_FILE, Evidence
from mlproj.score.monitoring import MONITORING
from mlproj.score.operations import INFRASTRUCTURE
from mlproj.score.scorecard import Scorecard, TestScore, points

RUBRIC = {"data": DATA, "model": MODEL, "infrastructure": INFRASTRUCTURE, "monitoring": MONITORING}


def score_project(root: Path, *, running: str | None = None) -> Scorecard:
    """Score each of the 28 tests from ROOT's records; `NotAProject` outside a project.

    RUNNING names the stage computing the score inside `dvc repro` (the `card`): it is not in
    dvc.lock yet, so it is left out of "every stage ran", as it would be after it finishes.

    Reads only files (dvc.lock, the reports, the JUnit report, .git's tags): no DVC, no git
    process, so it takes well under a second and can run inside the `card` stage.
    """
    if not (root / PARAMS_FILE).is_file():
        raise NotAProject(
            f"no {PARAMS_FILE} in {root.resolve()}: run this inside a project made by "
            "`mlproj new`, or give its folder."
        )
    ev = Evidence(root, running=running)
    tests = []
    for section, rules in RUBRIC.items():
        for number, (name, rule) in enumerate(rules, start=1):
            verdict = rule(ev)
            tests.append(
                TestScore(
                    section,  # type: ignore[arg-type]
                    number,
                    name,
                    verdict.points,
                    verdict.evidence,
                    verdict.reason,
                )
            )
    return Scorecard(project=root.resolve().name, tests=tuple(tests))


def check_minimum(card: Scorecard, minimum: float) -> Scorecard:
    """Return CARD, or raise `ScoreBelowMinimum` when its final score is below MINIMUM."""
    if card.final < minimum:
        low = [name for name, value in card.sections.items() if value < minimum]
        raise ScoreBelowMinimum(
            f"ML Test Score {points(card.final)} is below the minimum {points(minimum)}: "
            f"{', '.join(low)} below it (`mlproj score` lists each test)."
        )
    return card
