"""The Infrastructure and Monitoring tests of the ML Test Score, each read from the records.

Monitoring is about a served model, and serving comes later: where nothing is recorded the
test scores 0 and says so, rather than crediting a check that could run but never did.
"""

from __future__ import annotations

from collections.abc import Callable

from mlproj.score.data_model import tested
from mlproj.score.evidence import Evidence
from mlproj.score.records import (
    Verdict,
    automated,
    current_output,
    gate_verdict,
    gates_report,
    manual,
    none,
    reports_path,
)

REGISTRY = ".gto"
NO_SERVING = "no serving yet: nothing records"


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


def dependencies(ev: Evidence) -> Verdict:
    """Monitoring 1: dependency changes result in notification (Dependabot or Renovate)."""
    for path in (
        ".github/dependabot.yml",
        ".github/dependabot.yaml",
        "renovate.json",
        ".github/renovate.json",
        ".renovaterc.json",
    ):
        if (ev.root / path).is_file():
            return manual(
                path,
                "updates are proposed as pull requests; the service's runs "
                "leave no record in the repository",
            )
    return none(".github/dependabot.yml", "no dependency update service is configured")


def invariants(ev: Evidence) -> Verdict:
    """Monitoring 2: data invariants hold for inputs (the last drift check's contract rows)."""
    path, report = _drift(ev)
    if report is None:
        return none(path, "no production batch was checked (`mlproj drift BATCH`)")
    contract = report.get("out_of_contract")
    status = contract.get("status") if isinstance(contract, dict) else None
    if status == "drift":
        return none(path, "the last batch checked broke the data contract")
    if status is None:
        return none(path, "the drift report has no contract check")
    return automated(path, "the last production batch checked kept the data contract")


def skew(ev: Evidence) -> Verdict:
    """Monitoring 3: training and serving are not skewed (the last drift check passed)."""
    path, report = _drift(ev)
    if report is None:
        return none(path, "no production batch was compared with training")
    if report.get("drift") is not False:
        return none(path, "the last batch checked drifted from the training data")
    return automated(path, "the last production batch checked matched the training data")


def stale(ev: Evidence) -> Verdict:
    """Monitoring 4: models are not too stale: needs the served model's age."""
    return none("", f"{NO_SERVING} the served model's age")


def numerically_stable(ev: Evidence) -> Verdict:
    """Monitoring 5: models are numerically stable: needs NaN and infinity counts from serving."""
    return none("", f"{NO_SERVING} NaN or infinite predictions")


def performance(ev: Evidence) -> Verdict:
    """Monitoring 6: computing performance has not regressed: needs serving latency."""
    return none("", f"{NO_SERVING} latency or throughput")


def quality(ev: Evidence) -> Verdict:
    """Monitoring 7: prediction quality has not regressed (incidents, the max-drop gate)."""
    gate = gate_verdict(gates_report(ev), ("max drop",), "max drop since the last release")
    if gate is not None and gate.points:
        return gate
    path = reports_path(ev, "regressions.json")
    report, why = current_output(ev, path)
    incidents = report.get("incidents") if isinstance(report, dict) else None
    if isinstance(report, dict) and incidents:
        if report.get("passed") is True:
            return automated(path, f"{len(incidents)} production incident(s) checked, passed")
        return none(path, "a production incident fails again")
    if gate is not None:
        return gate
    return none(
        path,
        why
        if report is None
        else "no production incident recorded yet; no release to compare with",
    )


def _drift(ev: Evidence) -> tuple[str, dict[str, object] | None]:
    path = reports_path(ev, "drift/drift.json")
    report = ev.json(path)
    return path, report if isinstance(report, dict) else None


INFRASTRUCTURE: tuple[tuple[str, Callable[[Evidence], Verdict]], ...] = (
    ("Training is reproducible", reproducible),
    ("Model specs are unit tested", model_tested),
    ("The ML pipeline is integration tested", integration),
    ("Model quality is validated before serving", validated),
    ("The model is debuggable", debuggable),
    ("Models are canaried before serving", canaried),
    ("Serving models can be rolled back", rollback),
)
MONITORING: tuple[tuple[str, Callable[[Evidence], Verdict]], ...] = (
    ("Dependency changes result in notification", dependencies),
    ("Data invariants hold for inputs", invariants),
    ("Training and serving are not skewed", skew),
    ("Models are not too stale", stale),
    ("Models are numerically stable", numerically_stable),
    ("Computing performance has not regressed", performance),
    ("Prediction quality has not regressed", quality),
)
