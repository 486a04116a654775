"""Gitflow and review in a generated project: the whole cycle, each refusal, the report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlproj._core.text import number
from mlproj.project.params import flatten
from tests.e2e.conftest import copy_project, sh

pytestmark = pytest.mark.e2e


def git(project: Path, *args: str) -> str:
    return sh("git", *args, cwd=project).stdout.strip()


def set_depth(project: Path, depth: int) -> None:
    path = project / "conf" / "model" / "hist_gradient_boosting.yaml"
    lines = path.read_text().splitlines()
    path.write_text(
        "\n".join(
            f"max_depth: {depth}" if line.startswith("max_depth:") else line for line in lines
        )
        + "\n"
    )


def use_model(project: Path, model: str) -> None:
    """Switch the defaults list to another model group, as a user would in a feature."""
    config = project / "conf" / "config.yaml"
    config.write_text(
        config.read_text().replace("- model: hist_gradient_boosting", f"- model: {model}")
    )


@pytest.fixture
def project(penguins: Path, tmp_path: Path, pre_commit_home: Path) -> Path:
    copied = copy_project(penguins, tmp_path / "demo")
    sh("git", "config", "user.name", "Tester", cwd=copied)
    sh("git", "config", "user.email", "tester@example.com", cwd=copied)
    return copied


def commit(project: Path, message: str, env: dict[str, str]) -> None:
    sh("git", "add", "--all", cwd=project)
    sh("git", "commit", "--quiet", "-m", message, cwd=project, env=env)


def test_feature_release_and_hotfix_cycle(project: Path, pre_commit_home: Path) -> None:
    hooks = {"PRE_COMMIT_HOME": str(pre_commit_home)}

    # The hooks refuse a commit on develop, naming what to do instead.
    (project / "NOTES.md").write_text("notes\n")
    sh("git", "add", "NOTES.md", cwd=project)
    refused = sh("git", "commit", "-m", "on develop", cwd=project, env=hooks, check=False)
    assert refused.returncode != 0
    assert "Commits do not go on develop directly" in refused.stdout + refused.stderr
    sh("git", "reset", "--quiet", cwd=project)
    (project / "NOTES.md").unlink()

    # A feature: a parameter change, the pipeline rerun, committed with every hook.
    started = sh("mlproj", "flow", "feature", "start", "forest", cwd=project)
    assert "On feature/forest." in started.stdout
    # A bounded random forest passes the gates, with metrics a little below boosting's.
    use_model(project, "random_forest")
    sh("dvc", "repro", cwd=project)
    commit(project, "Random forest", hooks)

    # The review report shows the parameter and each metric's delta against develop.
    report = sh("mlproj", "review", "report", "--base", "develop", cwd=project).stdout
    assert (
        "| `model._target_` | sklearn.ensemble.HistGradientBoostingClassifier | "
        "sklearn.ensemble.RandomForestClassifier |" in report
    )
    assert "| `model.n_estimators` | – | 100 |" in report
    # Sections (the baseline's, the simple model's) are dotted, as `dvc metrics diff` shows them.
    old = dict(flatten(json.loads(git(project, "show", "develop:metrics.json"))))
    new = dict(flatten(json.loads((project / "metrics.json").read_text())))
    assert new["accuracy"] < old["accuracy"]
    for name in old:
        if name.startswith("per_class."):
            continue  # many: a row only when one changes (tests/review/test_report.py)
        row = f"| {name} | {number(old[name])} | {number(new[name])} |"
        assert row in report
    accuracy_delta = number(new["accuracy"] - old["accuracy"], sign=True)
    assert (
        f"| accuracy | {number(old['accuracy'])} | {number(new['accuracy'])} | {accuracy_delta} |"
        in report
    )
    assert "### Explanations" in report and "### Regression incidents" in report
    features = report.split("### Feature contributions\n")[1].split("###")[0]
    assert features.startswith("Ablation drop: how much worse balanced_accuracy gets")
    assert "| feature | ablation drop: base | this branch | change |" in features
    assert "- modified: `models/model.skops`" in report

    finished = sh("mlproj", "flow", "feature", "finish", cwd=project)
    assert "✓ Tests pass" in finished.stdout
    assert "✓ Quality gates passed (7 checked); skipped: max drop" in finished.stdout
    assert git(project, "branch", "--show-current") == "develop"
    assert git(project, "log", "-1", "--format=%s") == "Merge branch 'feature/forest' into develop"
    assert git(project, "rev-list", "--count", "--merges", "develop") == "1"
    assert "feature/forest" not in git(project, "branch", "--list")
    assert sh("dvc", "status", "--json", cwd=project).stdout.strip() == "{}"

    # A release: into main, tagged, and back into develop.
    sh("mlproj", "flow", "release", "start", "1.0.0", cwd=project)
    readme = project / "README.md"
    readme.write_text(readme.read_text() + "\nRelease 1.0.0: a random forest.\n")
    commit(project, "Release notes for 1.0.0", hooks)
    released = sh("mlproj", "flow", "release", "finish", cwd=project)
    assert "git push origin main develop --tags" in released.stdout
    assert git(project, "rev-parse", "v1.0.0^{commit}") == git(project, "rev-parse", "main")
    assert (
        git(project, "log", "-1", "--format=%s", "main") == "Merge branch 'release/1.0.0' into main"
    )
    assert (
        git(project, "log", "-1", "--format=%s", "develop")
        == "Merge branch 'release/1.0.0' into develop"
    )
    assert git(project, "cat-file", "-t", "v1.0.0") == "tag"  # annotated
    # The release was recorded on its branch before the merges: main and develop agree.
    assert git(project, "log", "-1", "--format=%s", "main^2") == (
        "Record v1.0.0 as the last release: the gates compare with it from now on"
    )
    assert dict(flatten(json.loads(git(project, "show", "main:metrics.json")))) == new

    # A version that is not newer is refused.
    stale = sh("mlproj", "flow", "hotfix", "start", "0.9.0", cwd=project, check=False)
    assert stale.returncode == 15
    assert stale.stderr == "Error: Version 0.9.0 is not newer than the latest release v1.0.0.\n"

    # A hotfix: from main, into main (tagged) and develop.
    sh("mlproj", "flow", "hotfix", "start", "1.0.1", cwd=project)
    assert git(project, "rev-parse", "HEAD") == git(project, "rev-parse", "main")
    readme.write_text(readme.read_text() + "\nHotfix note.\n")
    commit(project, "Hotfix note", hooks)
    sh("mlproj", "flow", "hotfix", "finish", cwd=project)
    assert git(project, "rev-parse", "v1.0.1^{commit}") == git(project, "rev-parse", "main")
    assert "Hotfix note." in git(project, "show", "develop:README.md")
    assert git(project, "branch", "--list") == "* develop\n  main"


def test_finish_refuses_a_stale_pipeline(project: Path) -> None:
    sh("mlproj", "flow", "feature", "start", "stale", cwd=project)
    set_depth(project, 3)
    sh("mlproj", "params", "sync", cwd=project)
    sh("git", "commit", "--quiet", "--no-verify", "-am", "conf only", cwd=project)
    before = git(project, "rev-parse", "develop")
    refused = sh("mlproj", "flow", "feature", "finish", cwd=project, check=False)
    assert refused.returncode == 13
    # The stages DVC finds stale, in its order: params (conf changed) and the stages that read
    # the changed model parameters.
    assert refused.stderr.startswith("Error: The pipeline is not up to date: ")
    stale = refused.stderr.split("up to date: ")[1].split(" changed")[0].split(", ")
    assert stale[0] == "params" and {"train", "card"} <= set(stale)
    assert "Run `dvc repro`, commit dvc.lock and the results, then finish again." in refused.stderr
    assert git(project, "rev-parse", "develop") == before
    assert git(project, "branch", "--show-current") == "feature/stale"


def test_finish_refuses_failing_tests(project: Path) -> None:
    sh("mlproj", "flow", "bugfix", "start", "broken", cwd=project)
    (project / "tests" / "test_broken.py").write_text("def test_broken():\n    assert 1 == 2\n")
    sh("git", "add", "--all", cwd=project)
    sh("git", "commit", "--quiet", "--no-verify", "-m", "a failing test", cwd=project)
    refused = sh("mlproj", "flow", "bugfix", "finish", cwd=project, check=False)
    assert refused.returncode == 13
    assert refused.stderr.startswith("Error: The tests fail (1 failed, ")
    assert refused.stderr.endswith("): run `pytest` to see them.\n")
    assert "bugfix/broken" in git(project, "branch", "--list")


def test_finish_refuses_a_fixed_incident_that_fails_again(project: Path, tmp_path: Path) -> None:
    sh("mlproj", "flow", "feature", "start", "regress", cwd=project)
    rows = tmp_path / "adelie.csv"
    rows.write_text(
        "island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex,year\n"
        "Torgersen,39.1,18.7,181,3750,male,2007\n"
    )
    sh(
        "mlproj",
        "add-regression",
        "INC-7",
        "--rows",
        rows,
        "--expected-label",
        "Gentoo",
        cwd=project,
    )
    incident = project / "tests" / "regressions" / "INC-7" / "incident.yaml"
    incident.write_text(incident.read_text().replace("status: open", "status: fixed"))
    sh("git", "add", "--all", cwd=project)
    sh("git", "commit", "--quiet", "--no-verify", "-m", "INC-7", cwd=project)
    refused = sh("mlproj", "flow", "feature", "finish", cwd=project, check=False)
    assert refused.returncode == 11
    assert "INC-7" in refused.stderr
    assert refused.stderr.startswith("Error: ")
    assert len(refused.stderr.strip().splitlines()) == 1


def tick(template: str, *, keep: set[str] | None = None) -> str:
    """The template with every box ticked except the items whose ids are in KEEP."""
    lines = []
    for line in template.splitlines():
        if line.startswith("- [ ]") and not any(f"review:{item} " in line for item in keep or ()):
            line = line.replace("- [ ]", "- [x]", 1)
        lines.append(line)
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("case", "code", "expected"),
    [
        ("all-ticked", 0, "All 5 required review items are ticked."),
        ("one-unticked", 14, "✗ not ticked: Analysis reviewed"),
        ("item-deleted", 14, "✗ missing from the description: Model card updated"),
        ("empty", 14, "✗ missing from the description: Code reviewed"),
        ("event-payload", 14, "✗ not ticked: Data changes documented"),
    ],
)
def test_review_check_on_the_generated_templates(
    penguins: Path, tmp_path: Path, case: str, code: int, expected: str
) -> None:
    github = (penguins / ".github" / "pull_request_template.md").read_text()
    assert github == (penguins / ".gitlab" / "merge_request_templates" / "Default.md").read_text()
    body = {
        "all-ticked": tick(github),
        "one-unticked": tick(github, keep={"analysis-reviewed"}),
        "item-deleted": "".join(
            line for line in tick(github).splitlines(keepends=True) if "model-card" not in line
        ),
        "empty": "",
        "event-payload": tick(github, keep={"data-documented"}),
    }[case]
    if case == "event-payload":
        event = tmp_path / "event.json"
        event.write_text(json.dumps({"action": "edited", "pull_request": {"body": body}}))
        result = sh(
            "mlproj", "review", "check", cwd=penguins, check=False,
            env={"GITHUB_EVENT_PATH": str(event)},
        )  # fmt: skip
    else:
        description = tmp_path / "description.md"
        description.write_text(body)
        result = sh("mlproj", "review", "check", description, cwd=penguins, check=False)
    assert result.returncode == code
    assert expected in result.stdout
    if code:
        assert result.stderr.startswith("Error: ")
