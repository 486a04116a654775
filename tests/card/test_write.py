"""The model card from small inputs: each section, honest placeholders, missing outputs, bytes."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from mlproj.card.notes import notes_from_yaml
from mlproj.card.write import CARD_FILE, write_card
from mlproj.errors import CardInputError, InvalidCardNotes, NotAProject
from mlproj.incidents.expectations import Expectation
from mlproj.incidents.incident import Incident, incident_to_yaml
from tests.conftest import listing, write

PARAMS = """\
seed: 7
data:
  task: classification
  target: y
  raw: data/raw/t.csv
  contract: data/contract.yaml
  numeric: [x]
  categorical: [group]
split: {test_size: 0.25, seed: 7, stratify: true}
model: {_target_: sklearn.linear_model.LogisticRegression, C: 1.0, penalty: null}
paths: {metrics: metrics.json, reports: reports}
inclusion: {sensitive: [group], metric: accuracy, max_gap: 0.1}
gates: {lower_is_better: []}
"""
CONTRACT = """\
columns:
  y: {kind: categorical, nullable: false, allowed: [neg, pos]}
  x: {kind: numeric, nullable: true, min: 0.5, max: 10.0}
  group: {kind: categorical, nullable: false}
  year: {kind: integer, nullable: false, min: 2007, max: 2009}
"""
METRICS = {
    "accuracy": 0.91234,
    "roc_auc": None,
    "baseline": {"accuracy": 0.5, "roc_auc": 0.5},
    "simple": {"accuracy": 0.95, "roc_auc": 0.97},
    # Per-class scores (classification): a section of their own, not a reference model.
    "per_class": {
        "a|b": {
            "roc_auc": 0.9,
            "precision": 1.0,
            "recall": 0.8,
            "f1": 0.88889,
            "support": 5,
            "confusion": [4, 1],
        },
        "c": {
            "roc_auc": None,
            "precision": 0.5,
            "recall": 1.0,
            "f1": 0.66667,
            "support": 1,
            "confusion": [0, 1],
        },
    },
}
SLICES = {
    "min_count": 20,
    "columns": {
        "group": [
            {"value": "a", "count": 40, "tiny": False, "metrics": {"accuracy": 0.9}},
            {"value": "b", "count": 3, "tiny": True, "metrics": {"accuracy": 1.0}},
        ]
    },
}
GATES = {
    "passed": True,
    "release": "v1.2.0",
    "gates": [
        {"gate": "min accuracy", "status": "passed", "message": "min accuracy 0.9 <= value 0.9123"},
        {
            "gate": "max gap in accuracy across group",
            "status": "skipped",
            "message": "max gap in accuracy across group: skipped, fewer than two groups",
        },
    ],
}
IMPORTANCE = {"x": 0.3, "group": 0.1, "year": 0.1}
NOTES = """\
owners: ["@alice", "@bob"]
intended_use: Ranking test cases for triage.
out_of_scope_uses: ""
limitations: null
"""


def incident(incident_id: str, status: str, description: str, link: str | None) -> str:
    expectation = Expectation("label", value="pos")
    record = Incident(incident_id, date(2024, 5, 1), description, link, expectation, status)  # type: ignore[arg-type]
    return incident_to_yaml(record)


def build_project(tmp_path: Path) -> Path:
    """A project with every output the card reads, small enough to check by eye."""
    write(tmp_path / "params.yaml", PARAMS)
    write(tmp_path / "data" / "contract.yaml", CONTRACT)
    write(tmp_path / "metrics.json", json.dumps(METRICS))
    write(tmp_path / "reports" / "slices.json", json.dumps(SLICES))
    write(tmp_path / "reports" / "gates.json", json.dumps(GATES))
    write(tmp_path / "reports" / "importance.json", json.dumps(IMPORTANCE))
    write(tmp_path / "model-card.yaml", NOTES)
    regressions = tmp_path / "tests" / "regressions"
    write(regressions / "INC-2" / "incident.yaml", incident("INC-2", "open", "a | b", None))
    write(
        regressions / "INC-1" / "incident.yaml",
        incident("INC-1", "fixed", "Misread", "https://t/1"),
    )
    report = {
        "incidents": [
            {"id": "INC-1", "rows": 4, "failing_rows": []},
            {"id": "INC-2", "rows": 5, "failing_rows": [0, 3]},
        ]
    }
    write(tmp_path / "reports" / "regressions.json", json.dumps(report))
    return tmp_path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return build_project(tmp_path)


def card(project: Path) -> str:
    write_card(project)
    return (project / CARD_FILE).read_text(encoding="utf-8")


def section(text: str, heading: str) -> str:
    """The body of `## HEADING`, up to the next `## ` heading."""
    match = re.search(rf"^## {re.escape(heading)}\n\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert match, f"no section {heading!r}"
    return match.group(1).strip()


def test_every_section_in_a_fixed_order(project: Path) -> None:
    headings = re.findall(r"^## (.+)$", card(project), re.M)
    assert headings == [
        "Metrics (test set)",
        "Intended use",
        "Out-of-scope uses",
        "Owners",
        "Data",
        "Slices",
        "Inclusion",
        "Quality gates",
        "Explanations",
        "Feature contributions",
        "Incidents",
        "Limitations",
        "Ethical considerations",
    ]


def test_summary_names_model_task_and_gates(project: Path) -> None:
    text = card(project)
    assert text.startswith(f"# Model card: {project.name}\n")
    assert (
        "- **Model:** `sklearn.linear_model.LogisticRegression` (C=1.0, penalty=null)\n"
        "- **Task:** classification of `y`; seed 7\n"
        "- **Quality gates:** passed (1 checked, 1 skipped)\n"
    ) in text


def test_metrics_set_the_model_beside_its_references_with_deltas(project: Path) -> None:
    assert section(card(project), "Metrics (test set)").splitlines()[:4] == [
        "| metric | model | baseline | simple | model − baseline | model − simple |",
        "| --- | --- | --- | --- | --- | --- |",
        "| accuracy | 0.9123 | 0.5 | 0.95 | +0.4123 | -0.03766 |",
        "| roc_auc | n/a | 0.5 | 0.97 | n/a | n/a |",
    ]


def test_per_class_scores_are_a_table_of_their_own(project: Path) -> None:
    assert section(card(project), "Metrics (test set)").splitlines()[-6:] == [
        "Per class (one-vs-rest, test set):",
        "",
        "| class | test rows | precision | recall | f1 | roc_auc |",
        "| --- | --- | --- | --- | --- | --- |",
        "| a\\|b | 5 | 1 | 0.8 | 0.8889 | 0.9 |",
        "| c | 1 | 0.5 | 1 | 0.6667 | n/a |",
    ]


def test_unwritten_notes_are_flagged_never_invented(project: Path) -> None:
    text = card(project)
    assert section(text, "Intended use") == "Ranking test cases for triage."
    assert section(text, "Owners") == "- @alice\n- @bob"
    assert section(text, "Out-of-scope uses") == (
        "_Not written yet: fill `out_of_scope_uses` in `model-card.yaml`._"
    )
    assert section(text, "Limitations") == (
        "_Not written yet: fill `limitations` in `model-card.yaml`._"
    )
    assert (
        "- **Not written yet** in `model-card.yaml`: out-of-scope uses, limitations, "
        "ethical considerations\n"
    ) in text


def test_without_a_notes_file_every_human_field_is_flagged(project: Path) -> None:
    (project / "model-card.yaml").unlink()
    written = write_card(project)
    assert written.not_written == (
        "Owners",
        "Intended use",
        "Out-of-scope uses",
        "Limitations",
        "Ethical considerations",
    )
    text = (project / CARD_FILE).read_text()
    assert "- **Not written yet** in `model-card.yaml (the project has none yet)`: owners," in text


def test_data_section_lists_the_contract_with_roles(project: Path) -> None:
    data = section(card(project), "Data")
    assert "- **Split:** 25% of rows held out for testing (stratified, seed 7)" in data
    assert data.splitlines()[-6:] == [
        "| column | role | kind | nullable | values |",
        "| --- | --- | --- | --- | --- |",
        "| `y` | target | categorical | no | neg, pos |",
        "| `x` | feature | numeric | yes | [0.5, 10] |",
        "| `group` | feature | categorical | no | any |",
        "| `year` | not used by the model | integer | no | [2007, 2009] |",
    ]


def test_slices_show_counts_and_flag_tiny_ones(project: Path) -> None:
    slices = section(card(project), "Slices")
    assert "Slices under 20 rows are flagged tiny: shown, never gated." in slices
    assert slices.splitlines()[-4:] == [
        "| value | rows | accuracy | note |",
        "| --- | --- | --- | --- |",
        "| a | 40 | 0.9 |  |",
        "| b | 3 | 1 | tiny |",
    ]


def test_inclusion_and_gates_come_from_the_gates_report(project: Path) -> None:
    text = card(project)
    skipped = "- • skipped: max gap in accuracy across group: skipped, fewer than two groups"
    assert section(text, "Inclusion") == (
        f"Sensitive columns (conf/inclusion): `group`.\n\n{skipped}"
    )
    assert section(text, "Quality gates") == (
        "- ✓ passed: min accuracy 0.9 <= value 0.9123\n"
        f"{skipped}\n\n"
        "Drops are measured against the last release, v1.2.0."
    )


def test_top_features_largest_first_ties_by_name_with_their_share(project: Path) -> None:
    assert section(card(project), "Explanations").splitlines()[-3:] == [
        "| 1 | `x` | 0.3 | 60% |",
        "| 2 | `group` | 0.1 | 20% |",
        "| 3 | `year` | 0.1 | 20% |",
    ]


def test_explanations_state_the_unit_or_that_it_is_unknown(project: Path) -> None:
    assert "SHAP values in units not recorded" in section(card(project), "Explanations")
    record = {"unit": "log-odds", "explainer": "tree", "features": IMPORTANCE}
    write(project / "reports" / "importance.json", json.dumps(record))
    text = section(card(project), "Explanations")
    assert "SHAP values in log-odds; share: of the total over all features." in text
    assert text.splitlines()[-3] == "| 1 | `x` | 0.3 | 60% |"


def test_feature_contributions_one_row_per_feature(project: Path) -> None:
    assert section(card(project), "Feature contributions") == (
        "Not measured: no reports/features.json (the evaluate stage)."
    )
    features = [
        {"name": "x", "importance": 0.3, "ablation_drop": 0.12, "cost_ms_per_1k_rows": 0.8},
        {"name": "color", "importance": None, "ablation_drop": -0.01, "cost_ms_per_1k_rows": 1.2},
    ]
    record = {"metric": "accuracy", "sample_rows": 200, "features": features}
    write(project / "reports" / "features.json", json.dumps(record))
    text = section(card(project), "Feature contributions")
    assert text.startswith(
        "Ablation drop: how much worse accuracy gets when the model is refitted without the "
        "feature (200 training rows);"
    )
    assert text.endswith(
        "| feature | ablation drop | importance |\n| --- | --- | --- |\n"
        "| `x` | 0.12 | 0.3 |\n| `color` | -0.01 | n/a |"
    )
    assert "ms" not in text.split("\n\n")[-1]  # times measure the machine: not in the card


def test_open_and_fixed_incidents_with_their_last_result(project: Path) -> None:
    incidents = section(card(project), "Incidents")
    assert "### Open (1): the model may still fail these; reported, not blocking" in incidents
    assert "| INC-2 | 2024-05-01 | a \\| b | label = 'pos' | fails 2 of 5 rows |" in incidents
    assert (
        "| [INC-1](https://t/1) | 2024-05-01 | Misread | label = 'pos' | passes all 4 rows |"
        in (incidents)
    )


def test_missing_optional_outputs_are_honest_lines(project: Path) -> None:
    for name in ("slices.json", "gates.json", "importance.json", "regressions.json"):
        (project / "reports" / name).unlink()
    text = card(project)
    assert "- **Quality gates:** not checked (no reports/gates.json" in text
    assert section(text, "Slices").startswith("No slices declared (conf/slices `columns`")
    assert section(text, "Inclusion").endswith("Not checked: no reports/gates.json.")
    assert section(text, "Explanations").startswith("No explanations: no reports/importance.json")
    assert "| INC-2 | 2024-05-01 | a \\| b | label = 'pos' | not checked yet" in text
    for folder in ("INC-1", "INC-2"):
        (project / "tests" / "regressions" / folder / "incident.yaml").unlink()
        (project / "tests" / "regressions" / folder).rmdir()
    assert section(card(project), "Incidents") == (
        "No incidents recorded in tests/regressions/ (record one with `mlproj add-regression`)."
    )


def test_same_inputs_same_bytes(project: Path) -> None:
    first = card(project)
    (project / CARD_FILE).unlink()
    assert card(project) == first
    assert not re.search(r"\d{2}:\d{2}", first)  # no time of writing


@pytest.mark.parametrize(
    ("broken", "content", "message"),
    [
        ("metrics.json", None, "metrics.json not found: the pipeline writes it; run `dvc repro`."),
        ("data/contract.yaml", None, "contract.yaml: data contract not found"),
        ("reports/gates.json", "[1]", "gates.json: not a JSON object; run `dvc repro`."),
        ("reports/importance.json", '{"x": "big"}', "importance.json: 'x' is not a number"),
    ],
    ids=["no-metrics", "no-contract", "gates-not-object", "importance-not-number"],
)
def test_a_required_or_broken_output_is_a_typed_error(
    project: Path, broken: str, content: str | None, message: str
) -> None:
    path = project / broken
    if content is None:
        path.unlink()
    else:
        path.write_text(content)
    before = listing(project)
    with pytest.raises(CardInputError) as caught:
        write_card(project)
    assert caught.value.exit_code == 22
    assert message in str(caught.value)
    assert listing(project) == before  # nothing half-written


def test_outside_a_project(tmp_path: Path) -> None:
    with pytest.raises(NotAProject):
        write_card(tmp_path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("intended: x\n", "model-card.yaml: unknown field 'intended' (fields: owners, "),
        ("owners: 3\n", "model-card.yaml: 'owners': must be text or a list of texts, not 3."),
        ("owners: [{a: 1}]\n", "model-card.yaml: 'owners': list items must be text, not {'a': 1}."),
        ("- a\n", "model-card.yaml: must be a mapping of fields"),
    ],
    ids=["unknown-field", "wrong-type", "nested-item", "not-a-mapping"],
)
def test_notes_mistakes_name_the_field(text: str, message: str) -> None:
    with pytest.raises(InvalidCardNotes) as caught:
        notes_from_yaml(text)
    assert caught.value.exit_code == 23
    assert str(caught.value).startswith(message)


def test_a_bad_notes_file_keeps_the_old_card(project: Path) -> None:
    old = card(project)
    (project / "model-card.yaml").write_text("owner: me\n")
    with pytest.raises(InvalidCardNotes):
        write_card(project)
    assert (project / CARD_FILE).read_text() == old


def test_summary_lists_the_ml_test_score(project: Path) -> None:
    assert (
        "- **ML Test Score:** 0 of 7 (data 0.5, model 0, infrastructure 0, monitoring 0); "
        "`mlproj score` lists each test and its evidence\n"
    ) in card(project)


def test_a_report_with_every_gate_skipped_reads_nothing_checked(project: Path) -> None:
    skipped = [g for g in GATES["gates"] if g["status"] == "skipped"]  # type: ignore[union-attr]
    report = {"status": "nothing checked", "passed": False, "release": None, "gates": skipped}
    write(project / "reports" / "gates.json", json.dumps(report))
    text = card(project)
    assert "- **Quality gates:** nothing checked (1 skipped)\n" in text
    assert section(text, "Quality gates") == (
        "- • skipped: max gap in accuracy across group: skipped, fewer than two groups"
    )
