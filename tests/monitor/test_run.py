"""`mlproj monitor` on hand-made logs: each check alerts and passes, the files it writes."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mlproj.errors import ConfigError, MonitorAlert
from mlproj.monitor.run import monitor
from tests.conftest import git, init_repo, listing
from tests.monitor.builder import (
    DAY,
    feedback_frame,
    holdout,
    log_frame,
    monitor_project,
    refused_frame,
    truth,
    write_log,
)

pytestmark = pytest.mark.usefixtures("forget_toy_package")

FEW_LABELS = "monitor:\n  min_labelled: 10\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return monitor_project(tmp_path / "proj", extra=FEW_LABELS)


def statuses(project: Path, **kwargs: object) -> dict[str, str]:
    result = monitor(project, until=DAY, **kwargs)  # type: ignore[arg-type]
    return {c.name: c.status for c in result.checks}


def healthy(project: Path, rows: int = 60) -> pd.DataFrame:
    log = log_frame(holdout().head(rows))
    write_log(project, log)
    return log


def test_a_healthy_log_passes_and_writes_the_three_files(project: Path) -> None:
    log = healthy(project)
    write_log(project, feedback_frame(log, truth(log)), "logs/feedback")
    result = monitor(project, until=DAY).check()
    assert {c.name: c.status for c in result.checks} == {
        "traffic": "ok",
        "refused": "ok",
        "latency": "ok",
        "nan": "ok",
        "missing": "ok",
        "input drift": "ok",
        "prediction drift": "ok",
        "quality": "ok",
        "model age": "skipped",  # no git: no commit to date the workspace model by
        "skew": "ok",
    }
    out = project / "reports" / "monitor"
    assert sorted(p.name for p in out.iterdir()) == [
        "index.html",
        "monitor.json",
        "review-sample.csv",
    ]
    document = json.loads((out / "monitor.json").read_text())
    assert document["status"] == "ok"
    assert document["window"] == {
        "since": "2026-11-14",
        "until": "2026-11-20",
        "requests": 20,
        "rows": 60,
        "labelled": 60,
        "versions": ["workspace"],
    }
    assert "No alert" in (out / "index.html").read_text()
    assert len(pd.read_csv(out / "review-sample.csv")) == 50


def test_labels_all_wrong_alert_on_quality(project: Path) -> None:
    log = healthy(project)
    wrong = ["a" if label == "b" else "b" for label in truth(log)]
    write_log(project, feedback_frame(log, wrong), "logs/feedback")
    result = monitor(project, until=DAY)
    assert [c.name for c in result.alerts] == ["quality"]
    assert result.alerts[0].message == (
        "balanced_accuracy 0 against 1 at metrics.json, down 1 on 60 labelled row(s) (limit 0.05)"
    )
    with pytest.raises(MonitorAlert) as raised:
        result.check()
    assert str(raised.value) == (
        "1 monitor alert(s) over 2026-11-14 to 2026-11-20: quality (balanced_accuracy 0 against "
        "1 at metrics.json, down 1 on 60 labelled row(s) (limit 0.05)); see "
        f"{project / 'reports' / 'monitor' / 'index.html'}"
    )
    assert raised.value.exit_code == 1


def test_the_label_recorded_last_wins(project: Path) -> None:
    log = healthy(project)
    wrong = ["a" if label == "b" else "b" for label in truth(log)]
    write_log(project, feedback_frame(log, wrong), "logs/feedback")
    later = feedback_frame(log, truth(log))
    later["_time"] = later["_time"] + pd.Timedelta(minutes=30)
    write_log(project, later, "logs/feedback")
    assert statuses(project)["quality"] == "ok"


def test_too_few_labels_are_not_judged(project: Path) -> None:
    log = healthy(project)
    write_log(project, feedback_frame(log.head(5), truth(log.head(5))), "logs/feedback")
    result = monitor(project, until=DAY)
    quality = next(c for c in result.checks if c.name == "quality")
    assert (quality.status, quality.message) == (
        "skipped",
        "5 labelled row(s) answered by workspace, fewer than min_labelled 10: quality not judged",
    )


def test_refused_requests_alert(project: Path) -> None:
    healthy(project)
    write_log(project, refused_frame(2))
    result = monitor(project, until=DAY)
    assert [c.name for c in result.alerts] == ["refused"]
    assert result.alerts[0].message == (
        "2 of 22 request(s) refused by the data contract (9.09%; limit 1%)"
    )


def test_smoke_requests_are_left_out_and_said_so(project: Path) -> None:
    healthy(project)
    smoke = refused_frame(5)  # smoke sends a row that breaks the contract, on purpose
    smoke["_request_id"] = [f"smoke-break-{i}" for i in range(5)]
    write_log(project, smoke)
    result = monitor(project, until=DAY).check()
    assert result.window.requests == 20
    assert (
        "Left out 5 request(s) from `mlproj smoke` (ids starting 'smoke-'): test traffic, not production."
        in result.notes
    )


def test_slow_answers_alert_on_latency(project: Path) -> None:
    write_log(project, log_frame(holdout().head(60), latency_ms=450.0))
    result = monitor(project, until=DAY)
    assert [c.name for c in result.alerts] == ["latency"]
    assert result.alerts[0].message == "p95 450 ms over 20 answered request(s) (budget 200 ms)"


def test_infinite_inputs_alert(project: Path) -> None:
    rows = holdout().head(60)
    log = log_frame(rows)
    log.loc[:2, "x"] = np.inf
    write_log(project, log)
    names = {c.name: c for c in monitor(project, until=DAY).checks}
    assert names["nan"].status == "alert"
    assert names["nan"].message == (
        "3 NaN or infinite value(s) among 60 numeric inputs (5%; limit 0%): x (3)"
    )


def test_missing_values_beyond_training_alert(project: Path) -> None:
    rows = holdout().head(60)
    rows.loc[rows.index[:30], "color"] = None
    write_log(project, log_frame(rows))
    names = {c.name: c for c in monitor(project, until=DAY).checks}
    assert names["missing"].status == "alert"
    assert names["missing"].message == (
        "missing more often than in training (limit +5%): color +50%"
    )


def test_shifted_inputs_alert_on_input_drift(project: Path) -> None:
    rows = holdout()
    rows["x"] = rows["x"] + 3.0
    write_log(project, log_frame(rows))
    found = statuses(project)
    assert found["input drift"] == "alert"
    assert found["skew"] == "ok"  # the same model answered: drift is not skew


def test_answers_unlike_the_test_splits_alert_on_prediction_drift(project: Path) -> None:
    rows = holdout()
    write_log(project, log_frame(rows[rows["x"] > 0.2]))
    found = statuses(project)
    assert found["prediction drift"] == "alert"


def test_answers_the_model_does_not_reproduce_alert_on_skew(project: Path) -> None:
    log = log_frame(holdout().head(60))
    log.loc[[0, 4], "_prediction"] = [
        "b" if p == "a" else "a" for p in log.loc[[0, 4], "_prediction"]
    ]
    write_log(project, log)
    result = monitor(project, until=DAY)
    assert [c.name for c in result.alerts] == ["skew"]
    assert result.alerts[0].message == (
        "2 of 60 logged answer(s) differ when workspace re-scores the logged rows offline "
        "(3.33%; limit 0%) (first: r0#0, r1#1)"
    )


def commit_at(project: Path, when: str) -> str:
    init_repo(project)
    git(project, "add", "--all")
    env = {**os.environ, "GIT_COMMITTER_DATE": when, "GIT_AUTHOR_DATE": when}
    subprocess.run(["git", "commit", "-qm", "model"], cwd=project, env=env, check=True)
    return git(project, "rev-parse", "--short", "HEAD")


@pytest.mark.parametrize(
    ("when", "status", "days"),
    [("2026-11-01T00:00:00+00:00", "ok", 19), ("2025-01-01T00:00:00+00:00", "alert", 688)],
)
def test_model_age_counts_from_its_commit(project: Path, when: str, status: str, days: int) -> None:
    commit = commit_at(project, when)
    write_log(project, log_frame(holdout().head(30), version=f"workspace@{commit}"))
    age = next(c for c in monitor(project, until=DAY).checks if c.name == "model age")
    assert (age.status, age.value) == (status, days)
    assert age.message.startswith(f"workspace@{commit} is {days} day(s) old (commit {commit} of ")


def test_an_empty_window_alerts_and_says_why(project: Path) -> None:
    result = monitor(project, until=DAY)
    assert [c.name for c in result.alerts] == ["traffic"]
    assert result.alerts[0].message == (
        "0 request(s) logged from 2026-11-14 to 2026-11-20, fewer than min_requests 1: the "
        "service is down, its log is not reaching this job, or its traffic went elsewhere"
    )
    assert result.notes[0] == (
        "The window holds no request: nothing to judge but traffic, which makes it an alert "
        "(monitor.min_requests is 1): the schedule expects traffic."
    )
    assert {c.status for c in result.checks if c.name != "traffic"} == {"skipped"}


def test_an_empty_window_passes_when_no_traffic_is_expected(tmp_path: Path) -> None:
    project = monitor_project(tmp_path / "p", extra="monitor:\n  min_requests: 0\n")
    result = monitor(project, until=DAY).check()
    assert (
        result.checks[0].message
        == "no request logged from 2026-11-14 to 2026-11-20; min_requests is 0"
    )


def test_rows_outside_the_window_are_not_read(project: Path) -> None:
    write_log(project, log_frame(holdout().head(30), day=DAY.replace(day=1)))
    assert statuses(project, window_days=3)["traffic"] == "alert"
    assert statuses(project, window_days=30)["traffic"] == "ok"


def test_an_incoming_batch_that_drifted_alerts(project: Path) -> None:
    healthy(project)
    batch = holdout()
    batch["x"] = batch["x"] + 3.0
    (project / "data" / "incoming").mkdir()
    batch.to_csv(project / "data" / "incoming" / "batch.csv", index=False)
    result = monitor(project, until=DAY)
    assert [c.name for c in result.alerts] == ["incoming batch.csv"]
    assert (project / "reports" / "monitor" / "incoming" / "batch" / "drift.html").is_file()


def test_the_review_sample_is_seeded_and_shown_literally(tmp_path: Path) -> None:
    project = monitor_project(tmp_path / "p", extra="monitor:\n  review_sample: 5\n  seed: 3\n")
    healthy(project)
    write_log(project, refused_frame(1, color='=HYPERLINK("http://x")'))
    first = monitor(project, until=DAY).sample_path
    assert first is not None
    text = first.read_text()
    assert monitor(project, until=DAY).sample_path.read_text() == text  # type: ignore[union-attr]
    sample = pd.read_csv(first)
    assert len(sample) == 5
    assert list(sample.columns[:3]) == ["_request_id", "_row", "_time"]
    assert list(sample.columns[-3:]) == ["_label", "x", "color"]
    assert sample["_time"].is_monotonic_decreasing


def test_formulas_in_the_review_sample_are_neutralised(tmp_path: Path) -> None:
    project = monitor_project(tmp_path / "p")
    write_log(project, refused_frame(1, color='=HYPERLINK("http://x")'))
    sample = monitor(project, until=DAY).sample_path
    assert sample is not None
    assert '\'=HYPERLINK(""http://x"")' in sample.read_text()


def test_a_failed_render_writes_nothing(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    healthy(project)

    def broken(result: object) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr("mlproj.monitor.run.render_monitor_report", broken)
    before = listing(project)
    with pytest.raises(KeyboardInterrupt):
        monitor(project, until=DAY)
    assert listing(project) == before


def test_defaults_apply_when_conf_monitor_is_absent(tmp_path: Path) -> None:
    project = monitor_project(tmp_path / "p")
    log = log_frame(holdout().head(60))
    write_log(project, log)
    write_log(project, feedback_frame(log, truth(log)), "logs/feedback")
    document = json.loads(monitor(project, until=DAY).json_path.read_text())
    assert document["settings"]["min_labelled"] == 30
    assert document["settings"]["latency_p95_ms"] == 200.0


def test_a_bad_threshold_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    project = monitor_project(tmp_path / "p", extra="monitor:\n  max_skew_share: 2\n")
    with pytest.raises(ConfigError) as raised:
        monitor(project, until=DAY)
    assert (
        str(raised.value)
        == f"{project / 'params.yaml'}: monitor.max_skew_share: 2 is not between 0 and 1"
    )
    assert not (project / "reports").exists()


def test_now_is_the_default_end_of_the_window(project: Path) -> None:
    today = datetime.now(timezone.utc).date()
    write_log(project, log_frame(holdout().head(30), day=today))
    result = monitor(project)
    assert result.window.until == today
    assert result.window.requests == 10


def test_a_release_is_judged_against_its_tagged_metrics_and_dated_by_its_tag(
    project: Path,
) -> None:
    commit_at(project, "2026-01-01T00:00:00+00:00")
    env = {**os.environ, "GIT_COMMITTER_DATE": "2026-02-01T00:00:00+00:00"}
    tag = ["git", "tag", "-a", "model@v1.0.0", "-m", "Model v1.0.0"]
    subprocess.run(tag, cwd=project, env=env, check=True)
    (project / "metrics.json").write_text('{"balanced_accuracy": 0.5}')  # not what was released
    log = log_frame(holdout().head(60), version="v1.0.0")
    write_log(project, log)
    wrong = ["a" if label == "b" else "b" for label in truth(log)]
    write_log(project, feedback_frame(log, wrong), "logs/feedback")
    checks = {c.name: c for c in monitor(project, until=DAY).checks}
    assert checks["quality"].message == (
        "balanced_accuracy 0 against 1 at model@v1.0.0, down 1 on 60 labelled row(s) (limit 0.05)"
    )
    assert checks["model age"].message.startswith(
        "v1.0.0 is 292 day(s) old (tag model@v1.0.0 of 2026-02-01; limit 180)"
    )
    assert checks["model age"].status == "alert"
    assert checks["skew"].status == "skipped"  # no registry here: its model cannot be fetched
    assert checks["skew"].message.startswith("cannot load v1.0.0's model: ")


def test_the_version_that_answered_last_is_judged(project: Path) -> None:
    write_log(project, log_frame(holdout().head(30), version="workspace@old"))
    later = log_frame(holdout().head(30), prefix="n")
    later["_time"] = later["_time"] + pd.Timedelta(hours=2)
    write_log(project, later)
    result = monitor(project, until=DAY)
    assert result.model_version == "workspace"
    assert result.window.versions == ("workspace", "workspace@old")  # as many rows: by name
    assert result.notes == (
        "Judged workspace, the version that answered last; also answered: workspace@old "
        "(compare them with `mlproj compare-versions`).",
    )
