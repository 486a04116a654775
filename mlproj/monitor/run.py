"""`mlproj monitor`: every check over the prediction log's window, and the report files.

Reads the window once, runs the checks in the order a reader triages them (is the service
up, is its input sane, is the model still the one it should be, is it still right), then
writes `monitor.json`, `index.html` and `review-sample.csv` under reports/monitor/, each
atomically. Alerts are a result: the caller shows them, then calls `MonitorResult.check`.

An empty window (no request logged in it) is an alert when `monitor.min_requests` is above 0
(the default, 1): a scheduled check that expects traffic and sees none has found an outage or
a log that does not reach it. Every other check is then skipped, saying there was nothing to
judge. With `min_requests: 0` the same window passes, and says so.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from mlproj._core.atomic import write_text
from mlproj._core.html import write_page
from mlproj._core.progress import Activity, Progress, ignore
from mlproj.errors import ConfigError
from mlproj.monitor import inputs, model, quality, service
from mlproj.monitor.check import Check, MonitorResult, Window, skipped
from mlproj.monitor.report import render_monitor_report
from mlproj.monitor.sample import review_sample, write_sample
from mlproj.monitor.settings import MonitorSettings, monitor_settings
from mlproj.monitor.window import LogWindow, read_window
from mlproj.monitor.window import window_days as bounds
from mlproj.predictionlog.schema import MODEL_VERSION, SMOKE_PREFIX
from mlproj.project.project import Project, open_project

REPORT_DIR = "monitor"
JSON_FILE = "monitor.json"
HTML_FILE = "index.html"
SAMPLE_FILE = "review-sample.csv"


def monitor(
    project_root: Path,
    *,
    window_days: int | None = None,
    until: date | None = None,
    output_dir: Path | None = None,
    on_step: Progress = ignore,
) -> MonitorResult:
    """Check the log's last WINDOW_DAYS days up to UNTIL (today, UTC) and write the reports.

    WINDOW_DAYS overrides `monitor.window_days`. Refusals (bad conf, an unreadable log part,
    no training split) come before anything is written. ON_STEP hears what runs.
    """
    from mlproj.data.contract import load_contract

    config = open_project(project_root)
    settings = monitor_settings(config.params, source=str(config.params_file))
    days = settings.window_days if window_days is None else window_days
    if days < 1:
        raise ConfigError(f"--window-days {days}: a window is one day at least.")
    since, last = bounds(until, days)
    on_step(Activity(f"Reading the prediction log from {since} to {last}"))
    window = read_window(project_root / settings.log, project_root / settings.feedback, since, last)
    features = inputs.read_features(project_root, config.params, load_contract(config.contract))
    checks: list[Check] = [
        service.traffic(window, settings),
        service.refused(window, settings),
        service.latency(window, settings),
        inputs.non_finite(window.requests, features, settings),
        inputs.missing(window.requests, features, settings),
        inputs.input_drift(window.answered, features),
    ]
    version = window.serving_version()
    notes = _notes(window, settings, version)
    if version is None:
        why = "no answered request in the window"
        names = (model.PREDICTION_DRIFT, quality.QUALITY, model.AGE, model.SKEW)
        checks += [skipped(name, why) for name in names]
    else:
        checks += _model_checks(config, window, version, features, settings, last, on_step)
        notes += _workspace_note(config, version)
    out = output_dir or config.reports / REPORT_DIR
    on_step(Activity("Comparing data/incoming/ batches with the training split"))
    checks += inputs.incoming(project_root, out)
    sample = review_sample(
        window.requests,
        window.labelled,
        features.names,
        rows=settings.review_sample,
        seed=settings.seed,
    )
    result = MonitorResult(
        Window(
            since,
            last,
            window.request_count,
            len(window.requests),
            len(window.labelled),
            window.versions,
        ),
        version,
        tuple(checks),
        tuple(notes),
        out / JSON_FILE,
        out / HTML_FILE,
        out / SAMPLE_FILE,
        len(sample),
    )
    # Everything is rendered before the first write, so a failure leaves the last reports whole.
    document = result.to_json() | {"settings": settings.to_json()}
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    html = render_monitor_report(result)
    write_sample(out / SAMPLE_FILE, sample)
    write_text(out / JSON_FILE, text)
    write_page(out / HTML_FILE, html)
    return result


def _model_checks(
    config: Project,
    window: LogWindow,
    version: str,
    features: inputs.Features,
    settings: MonitorSettings,
    until: date,
    on_step: Progress,
) -> list[Check]:
    """The checks that need the served version's model: predictions, quality, age, skew."""
    from mlproj.data.dataset import read_table

    answered = window.answered[window.answered[MODEL_VERSION].astype(str) == version]
    on_step(Activity(f"Loading {version}'s model"))
    served = model.served_model(config, version)
    test_path = config.root / str(config.params.get("data", {}).get("test", ""))
    if test_path.is_file() and test_path.suffix:
        on_step(Activity("Comparing the logged answers with the model's on the test split"))
        drift = model.prediction_drift(
            served, answered, read_table(test_path), features, config.task
        )
    else:
        drift = skipped(model.PREDICTION_DRIFT, "no test split (data.test): run `dvc repro`")
    labelled = answered[answered["_label"].notna()]
    on_step(Activity(f"Re-scoring {len(answered):,} logged rows offline"))
    return [
        drift,
        quality.quality(config, version, labelled, settings),
        model.model_age(config, version, until, settings),
        model.skew(served, answered, features, config.task, settings),
    ]


def _notes(window: LogWindow, settings: MonitorSettings, version: str | None) -> list[str]:
    notes = []
    if window.request_count == 0:
        meaning = (
            "an alert (monitor.min_requests is "
            f"{settings.min_requests}): the schedule expects traffic"
            if settings.min_requests
            else "a pass (monitor.min_requests is 0)"
        )
        notes.append(
            f"The window holds no request: nothing to judge but traffic, which makes it {meaning}."
        )
    if window.smoke_requests:
        notes.append(
            f"Left out {window.smoke_requests} request(s) from `mlproj smoke` (ids starting "
            f"{SMOKE_PREFIX!r}): test traffic, not production."
        )
    others = [v for v in window.versions if v != version]
    if others:
        notes.append(
            f"Judged {version}, the version that answered last; also answered: {', '.join(others)} "
            "(compare them with `mlproj compare-versions`)."
        )
    return notes


def _workspace_note(config: Project, version: str) -> list[str]:
    """A workspace model that moved since the log was written cannot reproduce its answers."""
    from mlproj.predict.model import workspace_version

    if model.RELEASE.fullmatch(version):
        return []
    now = workspace_version(config.root)
    if now != version:
        return [
            f"The log names {version} but the workspace model is {now} now: skew and quality "
            "are judged with today's model file."
        ]
    return []
