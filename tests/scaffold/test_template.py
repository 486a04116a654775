"""The template renders, for every option set, to the exact expected files, lint-clean."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from cookiecutter.main import cookiecutter

from mlproj import __version__
from mlproj.scaffold.hooks import post_generate, pre_generate
from mlproj.scaffold.new import template_dir
from tests.conftest import write

COMMON = {
    ".gitignore", ".mlproj-answers.yaml", ".pre-commit-config.yaml", "README.md", "dvc.yaml",
    "pyproject.toml", "conf/config.yaml", "conf/explain/default.yaml", "conf/split/default.yaml",
    "conf/drift/default.yaml", "conf/encoding/default.yaml",
    "conf/model/random_forest.yaml", "conf/model/hist_gradient_boosting.yaml",
    "conf/gates/default.yaml", "conf/slices/default.yaml", "conf/inclusion/default.yaml",
    "conf/evidence/default.yaml", "conf/sweep/default.yaml", "conf/contribution/default.yaml",
    "conf/serve/default.yaml", "conf/monitor/default.yaml",
    "conf/compute/local.yaml", "conf/compute/dask.yaml",
    "conf/data_defaults.yaml", "tests/test_evidence.py", "tests/test_contribution.py",
    "tests/__init__.py", "tests/test_metrics.py", "tests/conftest.py", "tests/test_config.py",
    "tests/test_features.py",
    "tests/test_models.py", "tests/test_pipeline.py", "tests/test_regressions.py",
    "tests/test_split.py",
    "tests/regressions/README.md", ".github/ISSUE_TEMPLATE/incident.yml",
    ".github/workflows/ci.yml", ".github/workflows/review.yml", ".github/dependabot.yml",
    ".github/workflows/monitor.yml",
    ".gitlab-ci.yml", "CODEOWNERS",
    "CONTRIBUTING.md", "review-checklist.yaml", ".gto", "model-card.yaml", "last-release.json",
    "hydra_plugins/mlproj_params_guard.py", ".dvc/plots/offline.html",
    "notebooks/explore.ipynb",
    "Dockerfile", ".dockerignore",
}  # fmt: skip
PACKAGE = {
    "__init__.py", "config.py", "data.py", "features.py", "models.py", "metrics.py", "evidence.py",
    "contribution.py",
    "stages/__init__.py", "stages/ingest.py", "stages/validate.py", "stages/split.py",
    "stages/train.py", "stages/evaluate.py", "stages/explain.py",
}  # fmt: skip
OPTION_SETS = [
    pytest.param({}, "demo", "logistic_regression", id="default-penguins"),
    pytest.param(
        {
            "project_name": "House Prices",
            "task": "regression",
            "data_path": "/d/h.csv",
            "target": "price",
        },
        "house_prices",
        "ridge",
        id="regression-user-data",
    ),
    pytest.param(
        {
            "project_name": "churn",
            "data_path": "/d/c.parquet",
            "target": "churned",
            "description": 'Say "hi"',
        },
        "churn",
        "logistic_regression",
        id="classification-quoted-description",
    ),
    pytest.param(
        {
            "project_name": 'Say "hi"',
            "task": "regression",
            "description": 'C:\\Users\\N it\'s "quoted" \\U0001 \\N ' + "long " * 40,
            "author": "O'Brien \\",
        },
        "say_hi",
        "ridge",
        id="regression-quotes-and-backslashes",
    ),
]


def render(tmp_path: Path, context: dict[str, str]) -> Path:
    return Path(
        cookiecutter(
            str(template_dir()),
            no_input=True,
            extra_context=context,
            output_dir=str(tmp_path),
            accept_hooks=False,
        )
    )


# What the docs have a user's commands write into a project: ignored, so `mlproj flow ... finish`
# (which needs a clean tree) still works after them. The pipeline's results stay tracked.
COMMAND_OUTPUTS = [
    "reports/drift/drift.json",  # mlproj drift
    "reports/drift-nov/drift.html",  # mlproj drift --output-dir reports/drift-nov
    "dvc_plots/index.html",  # dvc plots show, dvc plots diff
    "review-report.md",  # mlproj review report --output review-report.md (as CI runs it)
    "model.skops",  # mlproj registry get prod -o model.skops
    "data/incoming/2026-11-23.csv",  # the batch `mlproj drift data/incoming/...` checks
    "logs/predictions/date=2026-11-30/part-1.parquet",  # mlproj serve
    "logs/feedback/date=2026-11-30/part-1.parquet",  # mlproj feedback
]
RESULTS = [
    "reports/gates.json", "reports/slices.json", "reports/regressions.json", "MODEL_CARD.md",
    "metrics.json", "last-release.json", "plots/roc.csv", "dvc.lock", "reports/importance.json",
    "reports/features.json",
    "data/incoming/2026-11-23.csv.dvc", "data/incoming/.gitignore",
    "logs/predictions.dvc", "logs/feedback.dvc",  # dvc add logs/predictions logs/feedback
]  # fmt: skip


def test_command_outputs_are_ignored_and_results_are_not(tmp_path: Path) -> None:
    project = render(tmp_path, {})
    subprocess.run(["git", "init", "--quiet"], cwd=project, check=True)
    paths = COMMAND_OUTPUTS + RESULTS
    checked = subprocess.run(
        ["git", "check-ignore", "--no-index", *paths], cwd=project, capture_output=True, text=True
    )
    assert checked.stdout.splitlines() == COMMAND_OUTPUTS


@pytest.mark.parametrize(("context", "package", "linear"), OPTION_SETS)
def test_renders_exact_file_set(
    tmp_path: Path, context: dict[str, str], package: str, linear: str
) -> None:
    project = render(tmp_path, context)
    files = {str(p.relative_to(project)) for p in project.rglob("*") if p.is_file()}
    expected = COMMON | {f"conf/model/{linear}.yaml"} | {f"{package}/{name}" for name in PACKAGE}
    assert files == expected
    for path in project.rglob("*"):
        if path.is_file():
            # `${{ ... }}` is GitHub Actions' own syntax, escaped in the template.
            text = path.read_text().replace("${{", "")
            assert "{{" not in text and "{%" not in text, path
    dvc = (project / "dvc.yaml").read_text()
    assert ("ingest:" in dvc) == ("data_path" not in context)
    assert ("confusion.csv" in dvc) == (context.get("task", "classification") == "classification")


@pytest.mark.parametrize(("context", "package", "linear"), OPTION_SETS)
def test_rendered_project_is_lint_clean(
    tmp_path: Path, context: dict[str, str], package: str, linear: str
) -> None:
    project = render(tmp_path, context)
    for command in (["check", "--no-cache", "."], ["format", "--no-cache", "--check", "."]):
        result = subprocess.run(
            [sys.executable, "-m", "ruff", *command], cwd=project, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr


def hook_files(project: Path, types_or: list[str]) -> list[str]:
    """The files `pre-commit run --all-files` hands a hook with these `types_or`, by its rules."""
    from identify.identify import tags_from_path

    return sorted(
        str(path.relative_to(project))
        for path in project.rglob("*")
        if path.is_file() and tags_from_path(str(path)) & set(types_or)
    )


@pytest.mark.parametrize("name", ["aaa", "demo", "titanic", "zzz"])
def test_ruff_hooks_change_nothing_whatever_the_package_name(tmp_path: Path, name: str) -> None:
    """Issue 17 item 1: a package sorting after `tests` had its own tests' imports re-sorted.

    The ruff hooks run as pre-commit runs them (their `entry`, on the files their types pick),
    with the ruff of this environment: pre-commit would install theirs from PyPI.
    """
    project = render(tmp_path, {"project_name": name})
    config = yaml.safe_load((project / ".pre-commit-config.yaml").read_text())
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    before = {path: path.read_bytes() for path in project.rglob("*") if path.is_file()}
    for hook in (hooks["ruff"], hooks["ruff-format"]):
        command, *args = hook["entry"].split()
        assert command == "ruff"
        files = hook_files(project, hook["types_or"])
        assert {"tests/test_config.py", "notebooks/explore.ipynb"} <= set(files)
        result = subprocess.run(
            [sys.executable, "-m", "ruff", *args, "--no-cache", *files],
            cwd=project,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, hook["id"] + result.stdout + result.stderr
    changed = [str(p.relative_to(project)) for p, data in before.items() if p.read_bytes() != data]
    assert changed == []


def test_template_version_matches_package() -> None:
    context = json.loads((template_dir() / "cookiecutter.json").read_text())
    assert context["mlproj_version"] == __version__


@pytest.mark.parametrize(
    ("context", "message"),
    [
        (
            {"project_slug": "a/b", "package_name": "a_b"},
            "Error: project_slug 'a/b' is not a plain folder name.\n",
        ),
        (
            {"project_slug": "x", "package_name": "class"},
            "Error: Project name 'class' is a Python keyword; choose another name.\n",
        ),
        (
            {"project_slug": "x", "package_name": "x", "task": "ranking"},
            "Error: task 'ranking' is not one of: classification, regression.\n",
        ),
        (
            {"project_slug": "x", "package_name": "x", "run_pipeline": "maybe"},
            "Error: run_pipeline 'maybe' is neither yes nor no.\n",
        ),
        (
            {"project_slug": "x", "package_name": "x", "data_path": "/nope.csv"},
            "Error: A data file needs its target column: give target (--target).\n",
        ),
        (
            {"project_slug": "x", "package_name": "x", "data_path": "/nope.csv", "target": "y"},
            "Error: /nope.csv: no such file.\n",
        ),
        (
            {"project_slug": "x", "package_name": "x", "task": "regression"},
            "Error: penguins.csv: target column 'species' is not numeric, so it cannot be a regression target; use --task classification.\n",
        ),
        (
            {"project_slug": "x", "package_name": "x", "code_owners": "@alice bob"},
            "Error: code owner 'bob' is neither @user, @org/team nor an email address.\n",
        ),
    ],
    ids=[
        "slug-with-slash",
        "keyword-package",
        "unknown-task",
        "bad-run-flag",
        "data-without-target",
        "missing-data",
        "penguins-as-regression",
        "bad-code-owner",
    ],
)
def test_pre_generate_refuses_bad_answers(
    context: dict[str, str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert pre_generate(context) != 0
    assert capsys.readouterr().err == message


def test_pre_generate_accepts_the_defaults() -> None:
    assert pre_generate({"project_slug": "demo", "package_name": "demo"}) == 0


def test_relative_data_path_is_read_from_where_cookiecutter_ran(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "d.csv", "a,y\n1,x\n1,z\n2,x\n2,z\n")
    monkeypatch.setenv("PWD", str(tmp_path))
    assert (
        pre_generate(
            {"project_slug": "x", "package_name": "x", "data_path": "d.csv", "target": "y"}
        )
        == 0
    )


def test_post_generate_reports_a_user_error_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = post_generate(
        tmp_path,
        {
            "project_slug": "x",
            "package_name": "x",
            "data_path": str(tmp_path / "gone.csv"),
            "target": "y",
        },
    )
    assert code == 4
    assert capsys.readouterr().err == f"Error: {tmp_path / 'gone.csv'}: no such file.\n"


def check_schema(schema: str, path: Path) -> subprocess.CompletedProcess[str]:
    """check-jsonschema with one of its vendored schemas: offline, as the project's hook runs it."""
    args = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(path)]
    return subprocess.run(args, capture_output=True, text=True)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("schema", "path"),
    [
        ("vendor.github-issue-forms", ".github/ISSUE_TEMPLATE/incident.yml"),
        ("vendor.github-workflows", ".github/workflows/ci.yml"),
        ("vendor.github-workflows", ".github/workflows/review.yml"),
        ("vendor.github-workflows", ".github/workflows/monitor.yml"),
        ("vendor.gitlab-ci", ".gitlab-ci.yml"),
        ("vendor.dependabot", ".github/dependabot.yml"),
    ],
    ids=[
        "incident-form",
        "ci-workflow",
        "review-workflow",
        "monitor-workflow",
        "gitlab-ci",
        "dependabot",
    ],
)
def test_ci_files_validate_against_their_published_schemas(
    tmp_path: Path, schema: str, path: str
) -> None:
    project = render(tmp_path, {})
    result = check_schema(schema, project / path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
@pytest.mark.parametrize(
    ("schema", "path", "broken"),
    [
        ("vendor.github-workflows", ".github/workflows/ci.yml", ("runs-on:", "runs_on:")),
        ("vendor.gitlab-ci", ".gitlab-ci.yml", ("  script:", "  scripts:")),
    ],
    ids=["github", "gitlab"],
)
def test_schema_check_catches_a_broken_workflow(
    tmp_path: Path, schema: str, path: str, broken: tuple[str, str]
) -> None:
    project = render(tmp_path, {})
    target = project / path
    target.write_text(target.read_text().replace(*broken, 1))
    assert check_schema(schema, target).returncode != 0


def test_workflows_run_every_check_the_issue_names(tmp_path: Path) -> None:
    project = render(tmp_path, {})
    ci = (project / ".github/workflows/ci.yml").read_text()
    for step in ("pre-commit run", "pytest --junitxml reports/junit.xml", "dvc repro",
                 "mlproj regression run", "mlproj score",
                 "mlproj review report --base", "mlproj review post",
                 "mlproj serve --model models/model.skops --port 8000",
                 "mlproj smoke http://127.0.0.1:8000 --wait 60"):  # fmt: skip
        assert step in ci
        assert step in (project / ".gitlab-ci.yml").read_text()
    review = yaml.safe_load((project / ".github/workflows/review.yml").read_text())
    # PyYAML reads the `on:` key as True.
    assert "edited" in review[True]["pull_request"]["types"]
    assert "mlproj review check" in (project / ".gitlab-ci.yml").read_text()


def test_monitoring_is_scheduled_on_both_ci_services(tmp_path: Path) -> None:
    project = render(tmp_path, {})
    spec = yaml.safe_load((project / ".github/workflows/monitor.yml").read_text())
    assert set(spec[True]) == {"schedule", "workflow_dispatch"}  # PyYAML reads `on:` as True
    job = spec["jobs"]["monitor"]
    assert job["permissions"] == {"contents": "read", "issues": "write"}
    steps = "\n".join(str(step.get("run", step.get("uses"))) for step in job["steps"])
    for part in ("dvc pull", "mlproj monitor", "actions/upload-artifact@", "gh issue create",
                 "gh issue edit"):  # fmt: skip
        assert part in steps
    gitlab = yaml.safe_load((project / ".gitlab-ci.yml").read_text())["monitor"]
    assert gitlab["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "schedule"'}]
    assert (
        "mlproj monitor  # exit 1 on an alert fails the scheduled pipeline"
        in (project / ".gitlab-ci.yml").read_text()
    )
    assert gitlab["artifacts"]["paths"] == ["reports/monitor/"]


def test_conf_monitor_holds_every_default_the_monitor_reads(tmp_path: Path) -> None:
    from mlproj.monitor.settings import MonitorSettings, monitor_settings

    project = render(tmp_path, {})
    conf = yaml.safe_load((project / "conf/monitor/default.yaml").read_text())
    conf["max_missing_increase"], conf["seed"] = 0.05, 0  # interpolated in params.yaml
    serve = yaml.safe_load((project / "conf/serve/default.yaml").read_text())
    serve["canary"]["seed"] = 0
    assert monitor_settings({"monitor": conf, "serve": serve}, source="p") == MonitorSettings()


def test_code_owners_come_from_the_answers(tmp_path: Path) -> None:
    project = render(tmp_path, {"code_owners": "@alice @acme/ml-team"})
    owners = (project / "CODEOWNERS").read_text()
    assert "*                        @alice @acme/ml-team" in owners
    assert "/conf/                   @alice @acme/ml-team" in owners


# `uses: owner/action@<commit> # vX.Y.Z`: a tag can be moved, a commit cannot.
PINNED = re.compile(r"uses: [\w.-]+/[\w./-]+@[0-9a-f]{40}  # v\d+\.\d+\.\d+")


def test_every_action_is_pinned_to_a_commit_with_its_version(tmp_path: Path) -> None:
    project = render(tmp_path, {})
    for workflow in sorted((project / ".github/workflows").glob("*.yml")):
        uses = [
            line.strip().removeprefix("- ")
            for line in workflow.read_text().splitlines()
            if "uses:" in line
        ]
        assert uses, workflow
        for line in uses:
            assert PINNED.fullmatch(line), f"{workflow.name}: {line}"


def test_every_job_declares_least_permissions_and_keeps_no_token(tmp_path: Path) -> None:
    project = render(tmp_path, {})
    for workflow in sorted((project / ".github/workflows").glob("*.yml")):
        spec = yaml.safe_load(workflow.read_text())
        assert spec["permissions"] == {}, workflow.name
        for name, job in spec["jobs"].items():
            assert "permissions" in job, f"{workflow.name}: {name}"
            for step in job["steps"]:
                if step.get("uses", "").startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False, f"{workflow.name}: {name}"


def test_dependabot_keeps_actions_and_pip_current(tmp_path: Path) -> None:
    project = render(tmp_path, {})
    spec = yaml.safe_load((project / ".github/dependabot.yml").read_text())
    assert {update["package-ecosystem"] for update in spec["updates"]} == {"github-actions", "pip"}


# Beside this interpreter (the dev extras install it there), or anywhere on PATH.
ZIZMOR = shutil.which("zizmor", path=str(Path(sys.executable).parent)) or shutil.which("zizmor")


@pytest.mark.skipif(ZIZMOR is None, reason="zizmor is not installed")
def test_zizmor_finds_nothing_of_medium_or_high_severity(tmp_path: Path) -> None:
    project = render(tmp_path, {})
    result = subprocess.run(
        [str(ZIZMOR), "--offline", "--min-severity", "medium", "--format", "plain", str(project)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def compiled_copy_of_the_template(tmp_path: Path) -> Path:
    """The template as pip leaves it installed: byte-compiled, with `__pycache__` folders."""
    import compileall

    copy = tmp_path / "template"
    shutil.copytree(template_dir(), copy)
    compileall.compile_dir(copy, quiet=2)
    assert list(copy.rglob("__pycache__/*.pyc"))
    return copy


def test_bytecode_in_the_template_never_reaches_a_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlproj.scaffold import new, render_template

    monkeypatch.setattr(new, "template_dir", lambda: compiled_copy_of_the_template(tmp_path))
    (tmp_path / "out").mkdir()
    project = render_template(
        tmp_path / "out", {"project_name": "demo", "project_slug": "demo", "package_name": "demo"}
    )
    assert [p for p in project.rglob("*") if "__pycache__" in p.parts or p.suffix == ".pyc"] == []


@pytest.mark.slow
def test_the_wheel_ships_no_bytecode(tmp_path: Path) -> None:
    """Built from a checkout whose template holds bytecode, and no .gitignore to hide it."""
    source = tmp_path / "src"
    source.mkdir()
    root = template_dir().parent
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(root / name, source / name)
    shutil.copytree(root / "mlproj", source / "mlproj", ignore=shutil.ignore_patterns("_template"))
    shutil.move(compiled_copy_of_the_template(tmp_path), source / "template")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(tmp_path / "dist"),
            str(source),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert "mlproj/_template/cookiecutter.json" in names
    assert [n for n in names if "__pycache__" in n or n.endswith((".pyc", ".pyo"))] == []


def test_the_dockerfile_serves_the_model_as_a_user_with_a_healthcheck(tmp_path: Path) -> None:
    # No Docker here (nor network to pull an image): the text is what can be checked.
    project = render(tmp_path, {})
    lines = (project / "Dockerfile").read_text().splitlines()
    port = yaml.safe_load((project / "conf" / "serve" / "default.yaml").read_text())["port"]
    instructions = [line for line in lines if line and not line.startswith(("#", " "))]
    assert instructions[0].startswith("FROM python:3.11-slim")
    assert "RUN pip install --no-cache-dir -r requirements.txt" in instructions
    assert "RUN pip install --no-cache-dir --no-deps ." in instructions
    assert f"EXPOSE {port}" in instructions
    user = [line for line in instructions if line.startswith("USER ")]
    assert user == ["USER app"]  # not root, and set before the service starts
    assert instructions.index("USER app") < instructions.index(instructions[-1])
    assert instructions[-1] == (f'CMD ["mlproj", "serve", "--host", "0.0.0.0", "--port", "{port}"]')
    text = (project / "Dockerfile").read_text()
    healthcheck = text[text.index("\nHEALTHCHECK") :].split("\nCMD")[0]
    assert f"http://127.0.0.1:{port}/health" in healthcheck
    ignored = (project / ".dockerignore").read_text().splitlines()
    assert {".venv/", "logs/", ".dvc/config.local"} <= set(ignored)
    assert ".git" not in ignored and ".dvc/cache" not in ignored  # the registry and its models


def test_ci_pulls_from_the_dvc_remote_and_pushes_on_main_with_keys_from_secrets(
    tmp_path: Path,
) -> None:
    project = render(tmp_path, {})
    spec = yaml.safe_load((project / ".github/workflows/ci.yml").read_text())
    steps = {step.get("name"): step for step in spec["jobs"]["pipeline"]["steps"]}
    keys = {
        "AWS_ACCESS_KEY_ID": "${{ secrets.AWS_ACCESS_KEY_ID }}",
        "AWS_SECRET_ACCESS_KEY": "${{ secrets.AWS_SECRET_ACCESS_KEY }}",
    }
    pull, push = (
        steps["Data"],
        steps["Push to the DVC remote (main only receives releases and hotfixes)"],
    )
    names = list(steps)
    assert names.index("Data") < names.index("Pipeline") < names.index(push["name"])
    assert pull["env"] == keys and push["env"] == keys
    # Without a remote both are no-ops, as before.
    assert (
        pull["run"] == 'if [ -n "$(dvc remote list)" ]; then mlproj remote pull --allow-missing; fi'
    )
    assert push["run"] == 'if [ -n "$(dvc remote list)" ]; then mlproj remote push; fi'
    assert push["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    gitlab = yaml.safe_load((project / ".gitlab-ci.yml").read_text())["pipeline"]["script"]
    pulled = gitlab.index(
        'if [ -n "$(dvc remote list)" ]; then mlproj remote pull --allow-missing; fi'
    )
    assert (
        pulled
        < gitlab.index("dvc repro")
        < gitlab.index(
            'if [ "$CI_COMMIT_BRANCH" = "main" ] && [ -n "$(dvc remote list)" ]; '
            "then mlproj remote push; fi"
        )
    )
    for ci in (".github/workflows/ci.yml", ".gitlab-ci.yml", ".github/workflows/monitor.yml"):
        for line in (project / ci).read_text().splitlines():  # a key's value only from secrets
            if line.strip().startswith(("AWS_ACCESS_KEY_ID:", "AWS_SECRET_ACCESS_KEY:")):
                key = line.strip().split(":")[0]
                assert line.strip() == f"{key}: ${{{{ secrets.{key} }}}}", line
