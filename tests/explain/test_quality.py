"""The evaluation's report sections: references side by side, slices with counts, gaps."""

from __future__ import annotations

from mlproj.explain.quality import comparison_section, quality_sections, slices_section
from mlproj.gates.slices import Slice, SliceReport

SLICES = SliceReport(
    min_count=20,
    columns={
        "island": (
            Slice("Biscoe", 34, False, {"accuracy": 1.0, "roc_auc": None}),
            Slice("<Torgersen>", 9, True, {"accuracy": 0.5, "roc_auc": None}),
        ),
        "sex": (
            Slice("female", 35, False, {"accuracy": 0.9, "roc_auc": 0.95}),
            Slice("male", 34, False, {"accuracy": 1.0, "roc_auc": 1.0}),
        ),
    },
)


def test_the_model_is_shown_beside_each_reference() -> None:
    heading, body = comparison_section(
        {
            "accuracy": 0.97,
            "f1": 0.96,
            "baseline": {"accuracy": 0.43},
            "simple": {"f1": 0.9},
            "per_class": {"a": {"f1": 0.5}},  # not a reference model
        }
    )
    assert heading == "Model, baseline and simple model"
    assert "<th>Metric</th><th>model</th><th>baseline</th><th>simple</th>" in body
    assert (
        '<tr><td>accuracy</td><td class="num">0.97</td><td class="num">0.43</td>'
        "<td>undefined</td></tr>" in body
    )


def test_slices_show_counts_and_flag_tiny_ones_escaped() -> None:
    _, body = slices_section(SLICES)
    assert "<h3>island</h3>" in body and "<h3>sex</h3>" in body
    assert (
        '<tr><td>&lt;Torgersen&gt;</td><td class="num">9</td><td class="num">0.5</td>'
        "<td>undefined</td><td>tiny: under 20 rows, not gated</td></tr>" in body
    )
    assert "<Torgersen>" not in body


def test_inclusion_gap_is_shown_with_its_limit() -> None:
    sections = quality_sections(
        {"accuracy": 0.95}, SLICES, sensitive=["sex"], metric="accuracy", max_gap=0.1
    )
    assert [heading for heading, _ in sections] == [
        "Model, baseline and simple model",
        "Slices",
        "Inclusion",
    ]
    body = sections[2][1]
    assert (
        '<tr><td>sex</td><td>accuracy</td><td class="num">0.1</td><td>gated at 0.1</td>'
        "<td>female 0.9, male 1</td></tr>" in body
    )


def test_nothing_declared_says_so() -> None:
    sections = quality_sections(
        {"accuracy": 0.95}, SliceReport(20, {}), sensitive=[], metric="accuracy", max_gap=None
    )
    assert "No slice column declared" in sections[1][1]
    assert "No sensitive column declared" in sections[2][1]
