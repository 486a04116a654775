"""The review report: what a branch changes in a model, against its base, as Markdown.

Parameters, metrics and tracked outputs come from DVC's own diffs (`dvc params diff`,
`dvc metrics diff`, `dvc diff`), which compare the workspace with the base's committed
`params.yaml`, metrics and `dvc.lock`. Explanations, feature contributions, the data contract
and incident results are small committed files, read at the base with `git show`. The report
starts with a marker, so a poster can find and replace its previous version instead of adding
a comment per push.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mlproj._core.shell import DVC_ENV, python_module, run
from mlproj._core.text import number, percent
from mlproj._core.yamlio import load_yaml
from mlproj.errors import InvalidYaml, UserError
from mlproj.explain.importance import IMPORTANCE_FILE, Importance, parse_importance
from mlproj.explain.quality import PER_CLASS
from mlproj.gates.check import GATES_FILE, report_status
from mlproj.gates.contribution import FEATURES_FILE
from mlproj.review.contributions import contribution_section

MARKER = "<!-- mlproj-review-report -->"
TOP_FEATURES = 10


def build_report(project: Path, base: str) -> str:
    """Markdown comparing the workspace (after `dvc repro`) with the commit BASE names."""
    from mlproj.project.project import open_project

    config = open_project(project)
    base_commit = _resolve(project, base)
    head = run(["git", "rev-parse", "--short", "HEAD"], project).stdout.strip()
    reports = config.report.parent
    sections = [
        MARKER,
        f"## Review report: `{head}` against `{base}` (`{base_commit[:7]}`)",
        f"The workspace after `dvc repro`, compared with {base}'s committed results.",
        _params_section(_dvc_json(project, "params", "diff", base)),
        _metrics_section(_dvc_json(project, "metrics", "diff", base, "--all")),
        _importance_section(
            _json_at(project, base_commit, reports / IMPORTANCE_FILE),
            _json_file(reports / IMPORTANCE_FILE),
        ),
        contribution_section(
            _json_at(project, base_commit, reports / FEATURES_FILE),
            _json_file(reports / FEATURES_FILE),
        ),
        _contract_section(
            _yaml_at(project, base_commit, config.contract),
            _yaml_file(config.contract),
            _yaml_at(project, base_commit, config.params_file),
            _yaml_file(config.params_file),
        ),
        _incident_section(_json_at(project, base_commit, config.report), _json_file(config.report)),
        _gates_section(_json_file(reports / GATES_FILE)),
        _outputs_section(_dvc_json(project, "diff", base)),
    ]
    return "\n\n".join(sections) + "\n"


def write_report(project: Path, base: str, output: Path) -> str:
    """Build the report and write it atomically to OUTPUT; return the Markdown."""
    from mlproj._core import atomic

    atomic.check_target(output)
    markdown = build_report(project, base)
    atomic.write_text(output, markdown)
    return markdown


def _params_section(diff: Mapping[str, Any]) -> str:
    rows = [
        f"| `{name}` | {_setting(change.get('old'))} | {_setting(change.get('new'))} |"
        for changes in diff.values()
        for name, change in sorted(changes.items())
    ]
    if not rows:
        return "### Parameters\nNo parameter changed."
    header = ["### Parameters", "| parameter | base | this branch |", "|---|---|---|"]
    return "\n".join([*header, *rows])


def _metrics_section(diff: Mapping[str, Any]) -> str:
    rows = []
    many_files = len(diff) > 1
    for path, metrics in sorted(diff.items()):
        for name, change in sorted(metrics.items()):
            label = f"{path}: {name}" if many_files else name
            old, new = change.get("old"), change.get("new")
            if name.startswith(f"{PER_CLASS}.") and old == new:
                continue  # a class's scores, shown when they changed: 5 rows a class otherwise
            rows.append(f"| {label} | {_value(old)} | {_value(new)} | {_delta(old, new)} |")
    if not rows:
        return "### Metrics\nNo metrics in either commit."
    return "\n".join(
        ["### Metrics", "| metric | base | this branch | change |", "|---|---:|---:|---:|", *rows]
    )


def _importance_section(old: Any, new: Any) -> str:
    """Ranks and shares always; raw mean |SHAP| values only when both are in one unit.

    A forest explains probabilities and boosting log-odds: subtracting one from the other says
    nothing, while each feature's share of the total compares across any two models.
    """
    title = "### Explanations (mean absolute SHAP value per feature)"
    now = _importance(new)
    if now is None:
        return f"{title}\nNo explanation in the workspace: run `dvc repro`."
    before = _importance(old) or Importance({})
    raw = now.comparable_with(before) or not before.values
    old_rank, old_share, share = before.ranks(), before.shares(), now.shares()
    header = ["feature", "rank", "share: base", "share: this branch", "share change"]
    if raw:
        header += ["base", "this branch", "change"]
    rows = []
    for rank, name in enumerate(list(now.values)[:TOP_FEATURES], 1):
        was = old_rank.get(name)
        moved = "new" if was is None else ("=" if was == rank else f"{was} → {rank}")
        cells = [name, moved, _share(old_share.get(name)), _share(share[name])]
        cells.append(_points(old_share.get(name), share[name]))
        if raw:
            value, before_value = now.values[name], before.values.get(name)
            cells += [_value(before_value), _value(value), _delta(before_value, value)]
        rows.append("| " + " | ".join(cells) + " |")
    lines = [
        title,
        _unit_line(before, now),
        "",
        "| " + " | ".join(header) + " |",
        "|---|---|" + "---:|" * (len(header) - 2),
        *rows,
    ]
    if len(now.values) > TOP_FEATURES:
        more = len(now.values) - TOP_FEATURES
        lines.append(f"\n{more} more feature(s) in reports/importance.json.")
    dropped = sorted(set(before.values) - set(now.values))
    if dropped:
        lines.append(f"\nNo longer used: {', '.join(dropped)}.")
    if not before.values:
        lines.append("\nThe base has no explanation to compare with.")
    return "\n".join(lines)


def _unit_line(before: Importance, now: Importance) -> str:
    """One line on units: the same for both, or why raw values are left out."""
    share = "share: each feature's part of the total; change in percentage points."
    if not before.values:
        return f"SHAP values in {now.unit or 'a unit not recorded'}; {share}"
    if now.comparable_with(before):
        return f"SHAP values in {now.unit} in both commits; {share}"
    if before.unit is None and now.unit is None:
        return (
            "Units not recorded (importance.json written before mlproj recorded them): raw "
            f"values are not compared, only ranks and shares; {share}"
        )
    if before.unit is None or now.unit is None:
        return (
            f"Units unknown (base: {before.unit or 'not recorded'}, this branch: "
            f"{now.unit or 'not recorded'}): raw values are not compared, only ranks and shares; "
            f"{share}"
        )
    return (
        f"Units differ (base: {before.unit}, this branch: {now.unit}): raw values are not "
        f"comparable, only ranks and shares are; {share}"
    )


def _importance(data: Any) -> Importance | None:
    """importance.json as read, or None when absent or malformed (the section then says so)."""
    if data is None:
        return None
    try:
        return parse_importance(data)
    except ValueError:
        return None


def _share(share: float | None) -> str:
    return "–" if share is None else percent(share)


def _points(old: float | None, new: float) -> str:
    if old is None:
        return ""
    change = 100 * (new - old)
    return "0" if abs(change) < 0.05 else f"{number(change, 3, sign=True)} pts"


def _contract_section(old: Any, new: Any, old_params: Any = None, new_params: Any = None) -> str:
    """The contract's rules and the features (conf/data numeric, categorical) that changed.

    A feature added, removed or moved between numeric and categorical changes what the
    model is promised about its data as surely as an edited rule does.
    """
    title = "### Data contract"
    old_columns, new_columns = _columns(old), _columns(new)
    readable = isinstance(old_params, dict) and isinstance(new_params, dict)
    lines = _feature_changes(_features(old_params), _features(new_params)) if readable else []
    for name in sorted(set(old_columns) | set(new_columns)):
        before, after = old_columns.get(name), new_columns.get(name)
        if before is None:
            lines.append(f"- added `{name}`: {_rule(after)}")
        elif after is None:
            lines.append(f"- removed `{name}` (was {_rule(before)})")
        elif before != after:
            keys = sorted(set(before) | set(after))
            changes = [
                f"{key} {_setting(before.get(key))} → {_setting(after.get(key))}"
                for key in keys
                if before.get(key) != after.get(key)
            ]
            lines.append(f"- changed `{name}`: {'; '.join(changes)}")
    if not lines:
        return f"{title}\nUnchanged."
    return "\n".join([title, *lines])


def _feature_changes(old: dict[str, str], new: dict[str, str]) -> list[str]:
    lines = []
    for name in [*old, *(name for name in new if name not in old)]:
        before, after = old.get(name), new.get(name)
        if before is None:
            lines.append(f"- feature added `{name}` ({after})")
        elif after is None:
            lines.append(f"- feature removed `{name}` (was {before})")
        elif before != after:
            lines.append(f"- feature retyped `{name}`: {before} → {after}")
    return lines


def _features(params: Any) -> dict[str, str]:
    """Feature name to kind (numeric, categorical) in a params.yaml; empty when unreadable."""
    data = params.get("data") if isinstance(params, dict) else None
    if not isinstance(data, dict):
        return {}
    features: dict[str, str] = {}
    for kind in ("numeric", "categorical"):
        names = data.get(kind)
        for name in names if isinstance(names, list) else []:
            features.setdefault(str(name), kind)
    return features


def _columns(contract: Any) -> dict[str, Any]:
    columns = contract.get("columns") if isinstance(contract, dict) else None
    return columns if isinstance(columns, dict) else {}


def _incident_section(old: Any, new: Any) -> str:
    title = "### Regression incidents"
    if not isinstance(new, dict):
        return f"{title}\nNo results in the workspace: run `dvc repro`."
    results = new.get("incidents") or []
    if not results:
        return f"{title}\nNo incidents recorded."
    before = (old.get("incidents") or []) if isinstance(old, dict) else []
    known = {r.get("id") for r in before}
    rows = []
    for result in results:
        verdict = "passes" if result.get("passed") else "fails"
        if result.get("status") == "fixed" and not result.get("passed"):
            verdict = "**fails again**"
        added = "" if result.get("id") in known else " (new)"
        rows.append(f"| {result.get('id')}{added} | {result.get('status')} | {verdict} |")
    failing = [r for r in results if r.get("status") == "fixed" and not r.get("passed")]
    summary = (
        f"{len(failing)} fixed incident(s) fail again: this model must not be merged."
        if failing
        else "Every fixed incident passes."
    )
    return "\n".join([title, summary, "", "| incident | status | result |", "|---|---|---|", *rows])


def _gates_section(report: Any) -> str:
    title = "### Quality gates"
    if not isinstance(report, dict) or not isinstance(report.get("gates"), list):
        return f"{title}\nNo gate results in the workspace (reports/gates.json)."
    marks = {"passed": "✓", "failed": "✗", "skipped": "•"}
    lines = [
        f"- {marks.get(str(gate.get('status')), '?')} {gate.get('message', gate.get('gate'))}"
        for gate in report["gates"]
    ]
    statuses = [str(gate.get("status")) for gate in report["gates"]]
    skipped = statuses.count("skipped")
    checked = len(statuses) - skipped
    status = report_status(statuses)
    if status == "nothing checked":
        said = f"**Nothing checked**: every gate was skipped ({skipped})."
    elif status == "failed":
        failed = statuses.count("failed")
        said = f"**A gate fails** ({failed} of {checked} checked, {skipped} skipped)."
    else:
        said = f"Every gate checked passes ({checked} checked, {skipped} skipped)."
    return "\n".join([title, said, "", *lines])


def _outputs_section(diff: Mapping[str, Any]) -> str:
    title = "### Data and outputs tracked by DVC"
    lines = []
    for change in ("added", "deleted", "modified", "renamed"):
        paths = [str(entry.get("path", "")) for entry in diff.get(change) or []]
        folders = [p for p in paths if p.endswith("/")]
        for path in paths:
            if not any(path != folder and path.startswith(folder) for folder in folders):
                inside = sum(p != path and p.startswith(path) for p in paths)
                files = f" ({inside} files)" if path in folders and inside else ""
                lines.append(f"- {change}: `{path}`{files}")
    return "\n".join([title, *lines]) if lines else f"{title}\nUnchanged."


def _rule(column: Any) -> str:
    if not isinstance(column, dict):
        return str(column)
    return ", ".join(f"{key} {_setting(value)}" for key, value in column.items())


def _setting(value: Any) -> str:
    """A parameter or a contract bound: someone typed it, so every digit they typed is shown."""
    return _value(value, digits=15)


def _value(value: Any, digits: int = 4) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return number(value, digits)
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return f"{value}"


def _delta(old: Any, new: Any) -> str:
    if not isinstance(old, int | float) or not isinstance(new, int | float):
        return ""
    change = new - old
    if abs(change) < 1e-12:
        return "0"
    return number(change, sign=True)


def _resolve(project: Path, base: str) -> str:
    args = ["git", "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}"]
    result = run(args, project, check=False)
    if result.returncode != 0:
        raise UserError(
            f"Unknown base {base!r}: name a branch, tag or commit (in CI, fetch the base branch "
            "with its history, e.g. actions/checkout's fetch-depth: 0)."
        )
    return result.stdout.strip()


def _dvc_json(project: Path, *args: str) -> dict[str, Any]:
    result = run(python_module("dvc", *args, "--json"), project, env=DVC_ENV)
    loaded = json.loads(result.stdout or "{}")
    return loaded if isinstance(loaded, dict) else {}


def _show(project: Path, commit: str, path: Path) -> str | None:
    relative = path.resolve().relative_to(project.resolve()).as_posix()
    result = run(["git", "show", f"{commit}:{relative}"], project, check=False)
    return result.stdout if result.returncode == 0 else None


def _json_at(project: Path, commit: str, path: Path) -> Any:
    return _parse(_show(project, commit, path), yaml_=False)


def _json_file(path: Path) -> Any:
    return _parse(_read(path), yaml_=False)


def _yaml_at(project: Path, commit: str, path: Path) -> Any:
    return _parse(_show(project, commit, path), yaml_=True)


def _yaml_file(path: Path) -> Any:
    return _parse(_read(path), yaml_=True)


def _read(path: Path) -> str | None:
    """The file's text; None when absent or unreadable (not UTF-8, say), like a malformed one."""
    try:
        return path.read_text(encoding="utf-8") if path.is_file() else None
    except (OSError, UnicodeDecodeError):
        return None


def _parse(text: str | None, *, yaml_: bool) -> Any:
    """The parsed file, or None when it is absent or unreadable: the section then says so."""
    if text is None:
        return None
    try:
        return load_yaml(text) if yaml_ else json.loads(text)
    except (ValueError, InvalidYaml):
        return None
