"""`mlproj monitor` in a generated project: its own test split, served and labelled, passes;
the same requests with every label wrong fail on quality, and become an incident."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mlproj.predict.model import workspace_version
from mlproj.predictionlog.schema import write_part
from mlproj.project.project import open_project
from tests.e2e.conftest import copy_project, sh

pytestmark = pytest.mark.e2e

DAY = datetime(2026, 11, 20, 9, tzinfo=timezone.utc)
PER_REQUEST = 4


def serve_test_split(project: Path) -> pd.DataFrame:
    """The test split as `mlproj serve` would log it: scored by the project's model, 4 rows a
    request; returns the labels, keyed like the feedback log."""
    config = open_project(project)
    test = pd.read_parquet(project / "data" / "processed" / "test.parquet")
    features = test[list(config.features)].reset_index(drop=True)
    model = config.load_model()
    answers, probabilities = model.predict(features), model.predict_proba(features).max(axis=1)
    n = len(features)
    log = pd.DataFrame(
        {
            "_request_id": [f"req-{i // PER_REQUEST}" for i in range(n)],
            "_row": [i % PER_REQUEST for i in range(n)],
            "_time": pd.to_datetime(
                [DAY + timedelta(seconds=i // PER_REQUEST) for i in range(n)], utc=True
            ),
            "_model_version": workspace_version(project),
            "_role": "primary",
            "_answered": True,
            "_prediction": [str(a) for a in answers],
            "_probability": probabilities,
            "_latency_ms": 12.5,
            "_error": None,
        }
    )
    write_part(project / "logs" / "predictions", pd.concat([log, features], axis=1))
    return pd.DataFrame(
        {
            "_request_id": log["_request_id"],
            "_row": log["_row"],
            "_label": test[config.target].astype(str).to_numpy(),
            "answer": log["_prediction"],
        }
    )


def record(project: Path, labels: pd.DataFrame, when: datetime) -> None:
    feedback = labels.drop(columns="answer").assign(_time=pd.Timestamp(when))
    write_part(project / "logs" / "feedback", feedback)


def test_monitor_passes_on_the_test_split_and_fails_when_every_label_is_wrong(
    penguins: Path, tmp_path: Path
) -> None:
    project = copy_project(penguins, tmp_path / "demo")
    labels = serve_test_split(project)
    record(project, labels, DAY + timedelta(hours=5))

    passed = sh("mlproj", "monitor", "--until", "2026-11-20", "-q", cwd=project)
    assert "✓ quality: balanced_accuracy " in passed.stdout
    report = json.loads((project / "reports" / "monitor" / "monitor.json").read_text())
    assert report["status"] == "ok", passed.stdout
    statuses = {c["name"]: c["status"] for c in report["checks"]}
    assert statuses == dict.fromkeys(statuses, "ok")
    assert report["window"]["labelled"] == len(labels)

    # The same rows labelled later, each with a species other than the answer given: every
    # label says the model was wrong, and the latest label wins.
    classes = sorted(set(labels["_label"]))
    wrong = labels.assign(_label=[classes[(classes.index(a) + 1) % 3] for a in labels["answer"]])
    record(project, wrong, DAY + timedelta(hours=8))
    failed = sh("mlproj", "monitor", "--until", "2026-11-20", "-q", cwd=project, check=False)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert failed.stderr.startswith(
        "Error: 1 monitor alert(s) over 2026-11-14 to 2026-11-20: quality (balanced_accuracy 0 "
    )
    assert failed.stderr.endswith(f"see {Path('reports') / 'monitor' / 'index.html'}\n")
    assert "1 alert(s): quality." in (project / "reports" / "monitor" / "index.html").read_text()

    # A request the labels say was answered wrongly becomes an incident the model fails.
    added = sh("mlproj", "add-regression", "INC-9", "--from-log", "req-0", cwd=project)
    assert "The current model fails it: 4 of 4 rows fail" in added.stdout
    rows = pd.read_csv(project / "tests" / "regressions" / "INC-9" / "rows.csv")
    assert list(rows.columns) == [*open_project(project).features, "_label"]
    assert np.array_equal(rows["_label"], wrong["_label"][:4])
