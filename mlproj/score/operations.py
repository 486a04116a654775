"""The Infrastructure tests of the ML Test Score, each read from the records."""

from __future__ import annotations

from collections.abc import Callable

from mlproj.score.data_model import tested
from mlproj.score.evidence import Evidence
from mlproj.score.records import (
    Verdict,
    automated,
    gates_report,
    manual,
    none,
    reports_path,
)

REGISTRY = ".gto"


def reproducible(ev: Evidence) -> Verdict:
    """Infrastructure 1: training is reproducible (pinned inputs; `mlproj reproduce` on demand)."""
    run = ev.stage("train")
    if not run.ok:
        return none("dvc.lock", run.reason)
    if not (ev.root / "requirements.txt").is_file():
        return none("requirements.txt", "the environment is not pinned (no requirements.txt)")
    return manual(
        "dvc.lock",
        "data, code, parameters and environment are pinned; `mlproj reproduce` "
        "retrains in a clean clone by hand and leaves no record",
    )


def model_tested(ev: Evidence) -> Verdict:
    """Infrastructure 2: model specs are unit tested (tests/test_models.py ran green)."""
    return tested(ev, "tests/test_models.py")


def integration(ev: Evidence) -> Verdict:
    """Infrastructure 3: the ML pipeline is integration tested (tests/test_pipeline.py)."""
    test = tested(ev, "tests/test_pipeline.py")
    if test.points:
        return test
    if not ev.pipeline:
        return none("dvc.yaml", "no pipeline")
    stages = [name for name in ev.pipeline if name != ev.running]
    stale = [run.reason for run in map(ev.stage, stages) if not run.ok]
    if stale:
        return none("dvc.lock", f"{test.reason}; {stale[0]}")
    return manual("dvc.lock", "every stage ran end to end and is current; no pipeline test result")


def validated(ev: Evidence) -> Verdict:
    """Infrastructure 4: model quality is validated before serving (the gates report passed)."""
    report = gates_report(ev)
    if not report.current:
        return none(report.path, report.status)
    if report.status != "passed":
        return none(report.path, f"gates.json says {report.status}")
    checked = sum(g.get("status") == "passed" for g in report.gates)
    return automated(report.path, f"the gates stage ran and passed: {checked} gate(s) checked")


def debuggable(ev: Evidence) -> Verdict:
    """Infrastructure 5: the model is debuggable (the explain stage's SHAP report ran)."""
    run = ev.stage("explain")
    path = reports_path(ev, "explain.html")
    if run.ok:
        return automated(path, f"SHAP explanations per feature and row: {run.reason}")
    return none(path, run.reason)


def canaried(ev: Evidence) -> Verdict:
    """Infrastructure 6: models are canaried before serving (staging before prod)."""
    if "staging" not in ev.text(REGISTRY):
        return none(REGISTRY, "the registry has no staging stage")
    staged = [tag for tag in ev.tags if "#staging#" in tag]
    if not staged:
        return none(REGISTRY, "no version was ever assigned to staging")
    return manual(REGISTRY, f"versions pass through staging by hand ({len(staged)} assignment(s))")


def rollback(ev: Evidence) -> Verdict:
    """Infrastructure 7: serving models can be rolled back (an earlier release to go back to)."""
    if not (ev.root / REGISTRY).is_file():
        return none(REGISTRY, "no model registry")
    releases = [tag for tag in ev.tags if "@v" in tag and "#" not in tag]
    if len(releases) < 2:
        return none(REGISTRY, f"{len(releases)} release(s): no earlier version to roll back to")
    return manual(REGISTRY, f"{len(releases)} releases; `mlproj registry rollback` is run by hand")


INFRASTRUCTURE: tuple[tuple[str, Callable[[Evidence], Verdict]], ...] = (
    ("Training is reproducible", reproducible),
    ("Model specs are unit tested", model_tested),
    ("The ML pipeline is integration tested", integration),
    ("Model quality is validated before serving", validated),
    ("The model is debuggable", debuggable),
    ("Models are canaried before serving", canaried),
    ("Serving models can be rolled back", rollback),
)
