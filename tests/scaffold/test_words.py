"""What the READMEs and docs say about a generated project's pipeline is what its dvc.yaml runs.

Issue 17 item 11: the words had drifted to six stages while dvc.yaml had ten.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from mlproj.scaffold.new import pipeline_stages
from tests.scaffold.test_template import render

REPO = Path(__file__).resolve().parents[2]
# A chain of stage names, as the READMEs write the pipeline: `a → b → c` or `a` → `b` → `c`.
CHAIN = re.compile(r"`?[a-z]+`?(?: → `?[a-z]+`?){3,}")


def chains(text: str) -> list[list[str]]:
    return [m.group().replace("`", "").split(" → ") for m in CHAIN.finditer(text)]


def table_stages(text: str, heading: str) -> list[str]:
    """The first column of the table under HEADING, backticks and remarks in brackets dropped."""
    paragraphs = text.split(heading, 1)[1].split("\n\n")
    table = next(paragraph for paragraph in paragraphs if paragraph.startswith("| "))
    rows = table.splitlines()
    names = [row.split("|")[1].strip() for row in rows[2:]]  # past the header and its rule
    return [re.sub(r"\s*\(.*\)$", "", name).strip("`") for name in names]


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The demo project (with `ingest`) and one on the user's data (without)."""
    out = tmp_path_factory.mktemp("words")
    return {
        "demo": render(out / "demo", {}),
        "own-data": render(
            out / "own", {"project_name": "own", "data_path": "/d/t.csv", "target": "y"}
        ),
    }


@pytest.mark.parametrize("kind", ["demo", "own-data"])
def test_pipeline_stages_are_dvc_yaml_stages_in_order(projects: dict[str, Path], kind: str) -> None:
    project = projects[kind]
    declared = list(yaml.safe_load((project / "dvc.yaml").read_text())["stages"])
    assert list(pipeline_stages(project)) == declared
    assert ("ingest" in declared) == (kind == "demo")


@pytest.mark.parametrize("kind", ["demo", "own-data"])
def test_the_project_readme_names_every_stage(projects: dict[str, Path], kind: str) -> None:
    project = projects[kind]
    readme = (project / "README.md").read_text()
    stages = list(pipeline_stages(project))
    assert chains(readme) == [stages]
    assert table_stages(readme, "## The pipeline") == stages


def test_mlproj_readme_and_docs_name_every_stage(projects: dict[str, Path]) -> None:
    stages = list(pipeline_stages(projects["demo"]))
    assert chains((REPO / "README.md").read_text()) == [stages]
    anatomy = (REPO / "docs" / "generated-project.md").read_text()
    assert table_stages(anatomy, "## The pipeline") == stages
    architecture = (REPO / "docs" / "architecture.md").read_text()
    diagram = architecture.split("## `dvc repro` in a generated project", 1)[1].split("```")[1]
    named = [re.match(r"(?:conf/ ──)?\s*([a-z]+)", line) for line in diagram.strip().splitlines()]
    assert [m.group(1) for m in named if m] == stages
