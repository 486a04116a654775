"""The `serve:` block: the template's defaults for what params.yaml lacks, each key checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlproj.errors import ConfigError
from mlproj.serve.settings import settings_from


def test_an_older_project_without_the_block_gets_the_template_defaults(tmp_path: Path) -> None:
    settings = settings_from({}, tmp_path, seed=42)
    assert (settings.host, settings.port, settings.max_rows) == ("127.0.0.1", 8000, 1000)
    assert settings.log.path == tmp_path / "logs" / "predictions"
    assert settings.log.feedback == tmp_path / "logs" / "feedback"
    assert (settings.log.flush_rows, settings.log.flush_seconds) == (1000, 5.0)
    assert settings.canary.seed == 42
    assert settings.shadow.min_rows == 100
    assert settings.latency.p95_ms == 200


def test_given_keys_win_and_missing_ones_default(tmp_path: Path) -> None:
    settings = settings_from({"port": 9000, "log": {"flush_rows": 10}}, tmp_path)
    assert settings.port == 9000
    assert settings.log.flush_rows == 10
    assert settings.log.queue_rows == 100_000


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ({"port": "80"}, "params.yaml: 'serve.port' must be a whole number, not '80'."),
        ({"max_rows": 0}, "params.yaml: 'serve.max_rows' must be at least 1, not 0."),
        ({"canary": {"share": 1.5}}, "params.yaml: 'serve.canary.share' must be at most 1, not 1.5."),
        ({"log": {"flush_seconds": 0}}, "params.yaml: 'serve.log.flush_seconds' must be above 0, not 0."),
    ],
)  # fmt: skip
def test_a_bad_value_is_refused_naming_its_key(tmp_path: Path, block: dict, message: str) -> None:
    with pytest.raises(ConfigError) as refused:
        settings_from(block, tmp_path)
    assert str(refused.value) == message
