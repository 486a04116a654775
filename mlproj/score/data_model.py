"""The Data and Model tests of the ML Test Score, each read from the project's records.

One function per test, in the paper's order; each returns a `Verdict` and never raises for a
missing record (no record is simply no point). docs/ml-test-score.md states every rule.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

from mlproj.score.evidence import Evidence
from mlproj.score.records import (
    Verdict,
    automated,
    card_note,
    ci_runs,
    current_output,
    features,
    gate_verdict,
    gates_report,
    manual,
    none,
    reports_path,
)

CONF_DATA = "conf/data/default.yaml"
# A left_out item whose line comment gives the reason: `  - "email"  # personal data: ...`.
PERSONAL = re.compile(r"""^\s*-\s*["']?([^"'#\n]+?)["']?\s*#\s*personal data""", re.I | re.M)
CARD_NOTES = "model-card.yaml"


def schema(ev: Evidence) -> Verdict:
    """Data 1: feature expectations are captured in a schema (the data contract)."""
    contract = str(ev.setting("data.contract") or "data/contract.yaml")
    data = ev.yaml(contract) if (ev.root / contract).is_file() else None
    columns = data.get("columns") if isinstance(data, dict) else None
    if not isinstance(columns, dict):
        return none(contract, "no data contract: nothing states what each feature may hold")
    missing = [name for name in features(ev) if name not in columns]
    run = ev.stage("validate")
    if missing:
        return manual(contract, f"the contract has no rule for {', '.join(missing)}")
    if not run.ok:
        return manual(contract, f"a reviewed contract, not checked: {run.reason}")
    return automated(contract, f"every feature has a rule, checked by validate: {run.reason}")


def beneficial(ev: Evidence) -> Verdict:
    """Data 2: all features are beneficial (ablation per feature, a gate on its contribution)."""
    path = reports_path(ev, "features.json")
    report, why = current_output(ev, path)
    if isinstance(report, dict):
        gate = gate_verdict(gates_report(ev), ("feature contribution",), "feature contribution")
        if gate is not None:
            return gate
        return manual(path, "each feature's ablation drop is measured and reviewed, not gated")
    importance, why_not = current_output(ev, reports_path(ev, "importance.json"))
    if isinstance(importance, dict):
        return manual(
            reports_path(ev, "importance.json"),
            f"only importances, reviewed in the review report ({why})",
        )
    return none(path, f"{why}; {why_not}")


def cost(ev: Evidence) -> Verdict:
    """Data 3: no feature's cost is too much (time per 1k rows measured per feature)."""
    path = reports_path(ev, "features.json")
    report, why = current_output(ev, path)
    if not isinstance(report, dict):
        return none(path, why)
    rows = report.get("features")
    rows = rows if isinstance(rows, list) else []
    timed = [r for r in rows if isinstance(r, dict) and _number(r.get("cost_ms_per_1k_rows"))]
    if not rows or len(timed) < len(rows):
        return none(path, "features.json has no cost_ms_per_1k_rows for every feature")
    return automated(path, f"the cost of each of {len(rows)} features is measured on each run")


def meta_level(ev: Evidence) -> Verdict:
    """Data 4: features adhere to meta-level requirements (sensitive columns never features)."""
    run = ev.stage("validate")
    if run.ok and "inclusion.allow_as_feature" in ev.locked_params("validate"):
        return automated(CONF_DATA, "validate refuses a sensitive column as a feature and ran")
    if card_note(ev, "ethical_considerations"):
        return manual(CARD_NOTES, "sensitive data use is written in ethical_considerations")
    why = run.reason if not run.ok else "validate ran without inclusion.allow_as_feature"
    return none(CONF_DATA, f"no stage refuses sensitive columns as features: {why}")


def privacy(ev: Evidence) -> Verdict:
    """Data 5: the data pipeline has appropriate privacy controls (forbidden columns refused)."""
    run = ev.stage("validate")
    if run.ok and "data.forbidden" in ev.locked_params("validate"):
        return automated(CONF_DATA, "validate refuses every column in data.forbidden and ran")
    left = _personal_data(ev)
    if left:
        shown = ", ".join(left)
        return manual(CONF_DATA, f"left out at `mlproj new` as personal data: {shown}")
    why = run.reason if not run.ok else "validate ran without data.forbidden"
    return none(CONF_DATA, f"no privacy control on the features: {why}")


def _personal_data(ev: Evidence) -> list[str]:
    """Columns conf/data leaves out with a reason starting "personal data".

    The reason is a mapping's value (`email: personal data ...`), an item's `reason`, or the
    comment on the item's line (`- email  # personal data ...`); a mere mention of personal
    data in the file's explanations is no record of a screen.
    """
    text = ev.text(CONF_DATA)
    data = ev.yaml(CONF_DATA) if text else None
    left = data.get("left_out") if isinstance(data, dict) else None
    if isinstance(left, dict):
        return [str(k) for k, v in left.items() if str(v).lower().startswith("personal data")]
    found = []
    for item in left if isinstance(left, list) else []:
        if isinstance(item, dict) and str(item.get("reason", "")).lower().startswith(
            "personal data"
        ):
            found.append(str(item.get("name") or item.get("column")))
    for match in PERSONAL.finditer(text):
        found.append(match.group(1))
    return found


def new_features(ev: Evidence) -> Verdict:
    """Data 6: new features can be added quickly (a line in conf/data, trained by CI)."""
    run = ev.stage("train")
    declared = {"data.numeric", "data.categorical"} & ev.locked_params("train")
    if not run.ok or not declared:
        return none(CONF_DATA, f"features are not a declared parameter of train ({run.reason})")
    workflow = ci_runs(ev, "dvc repro")
    if workflow:
        return automated(CONF_DATA, f"a feature is one line in conf/data; {workflow} trains it")
    return manual(CONF_DATA, "a feature is one line in conf/data, trained by hand: no CI runs it")


def feature_code_tested(ev: Evidence) -> Verdict:
    """Data 7: all input feature code is tested (tests/test_features.py ran green)."""
    return tested(ev, "tests/test_features.py")


def tested(ev: Evidence, relative: str) -> Verdict:
    """A point when the JUnit report shows RELATIVE's tests passed after the last code change."""
    run = ev.tests(relative)
    if run.ok:
        return automated(relative, run.reason)
    there = "exists, " if (ev.root / relative).is_file() else "missing, "
    return none(relative, there + run.reason)


def reviewed(ev: Evidence) -> Verdict:
    """Model 1: model specs are reviewed and submitted (the review checklist on each change)."""
    data = ev.yaml("review-checklist.yaml")
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        return none("review-checklist.yaml", "no review checklist")
    if not (ev.root / "conf" / "model").is_dir():
        return none("conf/model", "the model's specification is not in conf/model")
    return manual("review-checklist.yaml", f"conf/model changes are reviewed: {len(items)} items")


def online_offline(ev: Evidence) -> Verdict:
    """Model 2: offline and online metrics correlate (monitor's quality on labelled requests)."""
    from mlproj.score.monitoring import MONITOR, monitored

    found = monitored(ev, "quality", "the metric on labelled served rows matches the release's")
    why = "no online metric: `mlproj monitor` has not judged labelled served rows"
    return found or none(reports_path(ev, MONITOR), why)


def tuned(ev: Evidence) -> Verdict:
    """Model 3: all hyperparameters have been tuned (a sweep ran and its table is committed)."""
    path = reports_path(ev, "sweep.csv")
    text = ev.text(path)
    if text:
        rows = list(csv.reader(io.StringIO(text)))[1:]
        if len([r for r in rows if any(cell.strip() for cell in r)]) >= 2:
            return automated(path, f"`mlproj sweep` ran {len(rows)} experiments")
        return none(path, "the sweep table has fewer than two experiments")
    declared = (ev.root / "conf" / "sweep").is_dir()
    return none(path, "a sweep is declared in conf/sweep but never ran" if declared else "no sweep")


def staleness(ev: Evidence) -> Verdict:
    """Model 4: the impact of model staleness is known (older rows train, newer rows test)."""
    path = reports_path(ev, "staleness.json")
    report, why = current_output(ev, path)
    if not isinstance(report, dict):
        return none(path, why)
    if "skipped" in report:
        return none(path, f"skipped: {report['skipped']}")
    return automated(path, "trained on older rows and tested on newer ones on each run")


def simpler(ev: Evidence) -> Verdict:
    """Model 5: a simpler model is not better (the margin-over-simple gate)."""
    gate = gate_verdict(gates_report(ev), ("margin over simple",), "margin over simple")
    if gate is not None:
        return gate
    metrics = str(ev.setting("paths.metrics") or "metrics.json")
    scores, why = current_output(ev, metrics)
    if isinstance(scores, dict) and isinstance(scores.get("simple"), dict):
        return manual(metrics, "the simple model is scored beside it and reviewed, not gated")
    return none(metrics, why if scores is None else "no simple model is scored")


def slices(ev: Evidence) -> Verdict:
    """Model 6: model quality is sufficient on all important data slices (slice gates)."""
    gate = gate_verdict(gates_report(ev), ("slice floor", "slice gap"), "slice gates")
    if gate is not None:
        return gate
    path = reports_path(ev, "slices.json")
    report, why = current_output(ev, path)
    if isinstance(report, dict) and report.get("columns"):
        return manual(path, "metrics per slice are measured and reviewed in the card, not gated")
    metrics = str(ev.setting("paths.metrics") or "metrics.json")
    scores, _ = current_output(ev, metrics)
    if isinstance(scores, dict) and scores.get("per_class"):
        return manual(metrics, "metrics per class are measured and reviewed, not gated")
    return none(path, why if report is None else "no slice declared (conf/slices columns)")


def inclusion(ev: Evidence) -> Verdict:
    """Model 7: the model is tested for considerations of inclusion (the max-gap gate)."""
    report = gates_report(ev)
    gate = gate_verdict(report, ("max gap",), "inclusion gap")
    if gate is not None:
        return gate
    if card_note(ev, "ethical_considerations"):
        return manual(CARD_NOTES, "inclusion is considered in ethical_considerations, not gated")
    why = report.status if not report.current else "no sensitive column gated (conf/inclusion)"
    return none(report.path, why)


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


DATA: tuple[tuple[str, Callable[[Evidence], Verdict]], ...] = (
    ("Feature expectations are captured in a schema", schema),
    ("All features are beneficial", beneficial),
    ("No feature's cost is too much", cost),
    ("Features adhere to meta-level requirements", meta_level),
    ("The data pipeline has appropriate privacy controls", privacy),
    ("New features can be added quickly", new_features),
    ("All input feature code is tested", feature_code_tested),
)
MODEL: tuple[tuple[str, Callable[[Evidence], Verdict]], ...] = (
    ("Model specs are reviewed and submitted", reviewed),
    ("Offline and online metrics correlate", online_offline),
    ("All hyperparameters have been tuned", tuned),
    ("The impact of model staleness is known", staleness),
    ("A simpler model is not better", simpler),
    ("Model quality is sufficient on important data slices", slices),
    ("The model is tested for considerations of inclusion", inclusion),
)
