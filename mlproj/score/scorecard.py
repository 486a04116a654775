"""The ML Test Score's result: 28 tests in four sections, their sums, the minimum, two renderings.

Breck et al. (2017) score each test 0, 0.5 (done by hand, with a documented record) or 1
(automated, and ran); a section is the sum of its seven, and the final score is the lowest
section, because a production system is as ready as its weakest part.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Section = Literal["data", "model", "infrastructure", "monitoring"]
SECTIONS: tuple[Section, ...] = ("data", "model", "infrastructure", "monitoring")
TITLES = {
    "data": "Data",
    "model": "Model",
    "infrastructure": "Infrastructure",
    "monitoring": "Monitoring",
}
KINDS = {0.0: "none", 0.5: "manual", 1.0: "automated"}


@dataclass(frozen=True)
class TestScore:
    """One of the 28 tests: its points, the file that is the evidence, and why, in one line."""

    section: Section
    number: int
    name: str
    points: float
    evidence: str
    reason: str

    @property
    def id(self) -> str:
        """Its short name, as the paper numbers it: `data-1` ... `monitoring-7`."""
        return f"{self.section}-{self.number}"

    @property
    def kind(self) -> str:
        """none, manual or automated: what the points mean."""
        return KINDS[self.points]


@dataclass(frozen=True)
class Scorecard:
    """Every test's score; the section sums and the final score follow from them."""

    project: str
    tests: tuple[TestScore, ...]

    def section(self, name: Section) -> float:
        """The sum of a section's seven tests."""
        return sum(t.points for t in self.tests if t.section == name)

    @property
    def sections(self) -> dict[str, float]:
        """Each section's sum, in the paper's order."""
        return {name: self.section(name) for name in SECTIONS}

    @property
    def final(self) -> float:
        """The ML Test Score: the lowest section sum."""
        return min(self.sections.values())

    def summary(self) -> str:
        """One line: the final score and each section's, as the model card shows it."""
        parts = ", ".join(f"{name} {points(v)}" for name, v in self.sections.items())
        return f"{points(self.final)} of 7 ({parts})"

    def to_json(self) -> dict[str, Any]:
        """The scorecard as `mlproj score --json` prints it: the same numbers as the Markdown."""
        return {
            "project": self.project,
            "final": self.final,
            "sections": self.sections,
            "tests": [
                {
                    "id": t.id,
                    "section": t.section,
                    "number": t.number,
                    "name": t.name,
                    "points": t.points,
                    "kind": t.kind,
                    "evidence": t.evidence,
                    "reason": t.reason,
                }
                for t in self.tests
            ],
        }

    def to_markdown(self) -> str:
        """The scorecard for people: the final score, then a table per section."""
        lines = [
            f"# ML Test Score: {points(self.final)}",
            "",
            "The lowest of the four section sums (Breck et al., 2017): 0 per test with no "
            "evidence, 0.5 for a manual, reviewed record, 1 for an automated check that ran "
            "and is current. Rules: docs/ml-test-score.md.",
            "",
            "| section | score |",
            "| --- | --- |",
            *(f"| {TITLES[name]} | {points(v)} |" for name, v in self.sections.items()),
        ]
        for name in SECTIONS:
            lines += [
                "",
                f"## {TITLES[name]}: {points(self.section(name))} of 7",
                "",
                "| test | points | evidence | reason |",
                "| --- | --- | --- | --- |",
            ]
            lines += [
                f"| {t.number}. {t.name} | {points(t.points)} | {_code(t.evidence)} "
                f"| {_cell(t.reason)} |"
                for t in self.tests
                if t.section == name
            ]
        return "\n".join(lines) + "\n"


def points(value: float) -> str:
    """A score for reading: `3`, `3.5`."""
    return f"{value:g}"


def _code(path: str) -> str:
    return f"`{_cell(path)}`" if path else "none"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")
