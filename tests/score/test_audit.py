"""The scorecard: 28 tests, the section sums, the final score as the lowest section."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlproj.errors import NotAProject, ScoreBelowMinimum
from mlproj.score import score_project
from mlproj.score.audit import check_minimum
from tests.score.builder import gated_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return gated_project(tmp_path / "p")


def test_the_final_score_is_the_lowest_section(project: Path) -> None:
    card = score_project(project)
    assert len(card.tests) == 28
    assert card.sections == {"data": 0.5, "model": 2.0, "infrastructure": 1.5, "monitoring": 0.5}
    assert card.final == 0.5


def test_outside_a_project_is_refused(tmp_path: Path) -> None:
    with pytest.raises(NotAProject):
        score_project(tmp_path)


def test_check_minimum_names_the_sections_below(project: Path) -> None:
    card = score_project(project)
    assert check_minimum(card, 0.5) is card
    with pytest.raises(ScoreBelowMinimum, match="data, monitoring below it"):
        check_minimum(card, 1)
