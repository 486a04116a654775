"""The Monitoring tests: 0, 0.5 and 1 from drift reports, incidents and `mlproj monitor`'s report."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from mlproj.score import monitoring as rules
from mlproj.score.evidence import Evidence
from tests.score.builder import build, write


def test_a_clean_drift_check_scores_invariants_and_skew(tmp_path: Path) -> None:
    report = {"drift": False, "out_of_contract": {"status": "ok"}}
    build(tmp_path, files={"reports/drift/drift.json": report})
    ev = Evidence(tmp_path)
    assert (rules.invariants(ev).points, rules.skew(ev).points) == (1, 1)
    write(
        tmp_path,
        "reports/drift/drift.json",
        {"drift": True, "out_of_contract": {"status": "drift"}},
    )
    ev = Evidence(tmp_path)
    assert (rules.invariants(ev).points, rules.skew(ev).points) == (0, 0)


def test_no_serving_scores_monitoring_0(tmp_path: Path) -> None:
    build(tmp_path)
    ev = Evidence(tmp_path)
    found = [rules.stale(ev), rules.numerically_stable(ev), rules.performance(ev)]
    assert [f.points for f in found] == [0, 0, 0]
    assert found[0].reason == (
        "no serving monitored yet (`mlproj monitor` writes reports/monitor/monitor.json)"
    )


def test_incidents_that_pass_score_quality_1(tmp_path: Path) -> None:
    report = {"passed": True, "incidents": [{"id": "i1"}]}
    build(
        tmp_path,
        files={"reports/regressions.json": report},
        stages={"regression": ["reports/regressions.json"]},
        ran={"regression": []},
    )
    found = rules.quality(Evidence(tmp_path))
    assert (found.points, found.reason) == (1, "1 production incident(s) checked, passed")


def test_dependabot_is_a_manual_record(tmp_path: Path) -> None:
    build(tmp_path, files={".github/dependabot.yml": "version: 2\n"})
    assert rules.dependencies(Evidence(tmp_path)).points == 0.5


def _monitor_report(until: str, *checks: tuple[str, str]) -> dict[str, object]:
    return {
        "status": "alert" if any(s == "alert" for _, s in checks) else "ok",
        "window": {"since": until, "until": until},
        "checks": [{"name": n, "status": s, "message": f"{n} said {s}"} for n, s in checks],
    }


SCHEDULED = "on:\n  schedule:\n    - cron: '0 6 * * *'\njobs:\n  m:\n    steps:\n      - run: mlproj monitor\n"


def test_a_scheduled_monitor_that_passed_scores_1_and_by_hand_half(tmp_path: Path) -> None:
    today = date.today().isoformat()
    report = _monitor_report(today, ("model age", "ok"), ("nan", "ok"), ("latency", "ok"))
    build(tmp_path / "a", files={"reports/monitor/monitor.json": report})
    ev = Evidence(tmp_path / "a")
    found = [rules.stale(ev), rules.numerically_stable(ev), rules.performance(ev)]
    assert [f.points for f in found] == [0.5, 0.5, 0.5]
    assert found[0].reason == (
        "the served model is younger than max_age_days (model age said ok); "
        "`mlproj monitor` was run by hand, no CI schedule"
    )
    write(tmp_path / "a", ".github/workflows/monitor.yml", SCHEDULED)
    found = [rules.stale(ev), rules.numerically_stable(ev), rules.performance(ev)]
    assert [f.points for f in found] == [1, 1, 1]
    assert found[2].reason.endswith(".github/workflows/monitor.yml runs `mlproj monitor` on cron")


def test_an_alert_a_skip_or_an_old_report_scores_0(tmp_path: Path) -> None:
    today = date.today().isoformat()
    report = _monitor_report(today, ("latency", "alert"), ("quality", "skipped"), ("skew", "ok"))
    build(tmp_path / "a", files={"reports/monitor/monitor.json": report})
    ev = Evidence(tmp_path / "a")
    assert rules.performance(ev) == rules.none(
        "reports/monitor/monitor.json",
        "the last monitor run alerted on latency: latency said alert",
    )
    assert rules.quality(ev).points == 0
    assert rules.skew(ev).points == 0.5
    old = _monitor_report("2020-01-01", ("skew", "ok"))
    build(tmp_path / "b", files={"reports/monitor/monitor.json": old})
    found = rules.skew(Evidence(tmp_path / "b"))
    assert (found.points, found.reason) == (0, "the last monitor run is older than 31 days")
