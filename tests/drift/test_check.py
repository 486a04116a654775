"""Drift verdicts on synthetic frames, the thresholds' checks, the report files, determinism."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy.stats import chi2_contingency, ks_2samp

from mlproj.drift.check import compare_frames, run_drift
from mlproj.drift.rules import Thresholds, judge_column
from mlproj.drift.stats import NumericStats, compare_categorical, compare_numeric, ks_test, psi
from mlproj.errors import ConfigError
from mlproj.scaffold.new import template_dir
from tests.conftest import write

pytestmark = pytest.mark.usefixtures("forget_toy_package")

T = Thresholds()


def normal(rows: int, shift: float = 0.0, seed: int = 0) -> pd.Series:
    return pd.Series(np.random.default_rng(seed).normal(shift, 1.0, rows))


def colours(rows: int, seed: int = 0, extra: str | None = None, share: float = 0.0) -> pd.Series:
    rng = np.random.default_rng(seed)
    values = rng.choice(["red", "blue", "green"], rows, p=[0.5, 0.3, 0.2]).astype(object)
    if extra is not None:
        values[rng.random(rows) < share] = extra
    return pd.Series(values)


def independent_psi(reference: np.ndarray, batch: np.ndarray, bins: int = 10) -> float:
    """PSI written out the textbook way: decile histogram, floored shares, sum of terms."""
    deciles = np.linspace(0, 1, bins + 1)[1:-1]
    inner = np.unique(np.quantile(reference, deciles, method="inverted_cdf"))
    edges = np.concatenate([[-np.inf], inner, [np.inf]])
    r = np.histogram(reference, edges)[0] / len(reference)
    b = np.histogram(batch, edges)[0] / len(batch)
    r, b = np.maximum(r, 1e-4), np.maximum(b, 1e-4)
    return float(((b - r) * np.log(b / r)).sum())


def test_a_shifted_numeric_column_drifts() -> None:
    reference, batch = normal(2000), normal(500, shift=1.0, seed=1)
    verdict = judge_column("x", "numeric", reference, batch, T)
    expected_psi = independent_psi(reference.to_numpy(), batch.to_numpy())
    expected_p = ks_2samp(reference, batch).pvalue
    assert verdict.status == "drift"
    assert verdict.reasons == (f"PSI {expected_psi:.3g} ≥ 0.25 (KS p = {expected_p:.2g})",)


def test_an_identical_sample_passes() -> None:
    reference = pd.DataFrame({"x": normal(2000), "c": colours(2000)})
    batch = reference.sample(500, random_state=1)
    verdicts = compare_frames(reference, batch, numeric=["x"], categorical=["c"], thresholds=T)
    assert [(v.name, v.status, v.reasons) for v in verdicts] == [("x", "ok", ()), ("c", "ok", ())]


def test_a_tiny_shift_in_a_huge_batch_is_significant_but_not_drift() -> None:
    reference, batch = normal(200_000), normal(200_000, shift=0.03, seed=1)
    verdict = judge_column("x", "numeric", reference, batch, T)
    assert isinstance(verdict.stats, NumericStats)
    assert verdict.stats.ks_p_value < 1e-6  # KS alone would fail this batch
    assert verdict.stats.psi < T.psi_warn
    assert verdict.status == "ok"


def test_a_small_batch_is_not_failed_on_noise() -> None:
    # With 30 rows PSI over ten bins is large by chance alone; the KS test keeps it from failing.
    reference, batch = normal(2000), normal(30, seed=3)
    verdict = judge_column("x", "numeric", reference, batch, T)
    assert verdict.stats is not None and verdict.stats.psi > T.psi_fail
    assert verdict.status == "ok"


def test_an_unseen_category_drifts_and_is_named() -> None:
    verdict = judge_column("c", "categorical", colours(2000), colours(1000, 1, "purple", 0.05), T)
    assert verdict.status == "drift"
    share = verdict.stats.unseen_share  # type: ignore[union-attr]
    assert 0.03 < share < 0.07
    assert f"categories never seen in the reference in {100 * share:.3g}% of rows: 'purple'" in (
        verdict.reasons
    )
    assert verdict.to_json()["unseen"] == ["purple"]


def test_a_rare_unseen_category_is_a_warning() -> None:
    batch = colours(1000, 1)
    batch[3] = "purple"
    verdict = judge_column("c", "categorical", colours(2000), batch, T)
    assert verdict.status == "warn"
    assert verdict.reasons == ("categories never seen in the reference in 0.1% of rows: 'purple'",)


def test_categorical_psi_and_chi_square_match_an_independent_count() -> None:
    reference, batch = colours(2000), colours(600, seed=1)
    batch[:200] = "red"
    stats = compare_categorical(reference, batch)
    table = pd.crosstab(
        np.r_[np.zeros(len(reference)), np.ones(len(batch))], np.r_[reference, batch]
    )
    assert stats.chi2_p_value == pytest.approx(chi2_contingency(table, correction=False).pvalue)
    r = reference.value_counts(normalize=True)
    b = batch.value_counts(normalize=True)[r.index]
    assert stats.psi == pytest.approx(float(((b - r) * np.log(b / r)).sum()))
    assert stats.bins.labels == ("red", "blue", "green")


def test_a_missing_rate_jump_drifts() -> None:
    batch = normal(1000, seed=1)
    batch[batch.index % 5 == 0] = np.nan
    verdict = judge_column("x", "numeric", normal(2000), batch, T)
    assert verdict.status == "drift"
    assert verdict.reasons == (
        "missing in 20% of rows against 0% in the reference (limit: 5% more)",
    )


def test_a_column_missing_everywhere_in_the_batch_is_judged_on_missing_values_alone() -> None:
    batch = pd.Series([np.nan] * 50)
    verdict = judge_column("x", "numeric", normal(200), batch, T)
    assert verdict.stats is None
    assert verdict.reasons == (
        "missing in 100% of rows against 0% in the reference (limit: 5% more)",
    )


@pytest.mark.parametrize(
    ("reference", "batch"),
    [
        (
            np.random.default_rng(0).normal(0, 1, 20_000),
            np.random.default_rng(1).normal(0, 1, 15_000),
        ),
        (
            np.random.default_rng(0).integers(0, 5, 30_000).astype(float),
            np.random.default_rng(1).integers(0, 6, 12_000).astype(float),
        ),
    ],
    ids=["continuous", "ties"],
)
def test_the_fast_ks_test_agrees_with_scipy(reference: np.ndarray, batch: np.ndarray) -> None:
    statistic, p_value = ks_test(reference, batch)
    expected = ks_2samp(reference, batch, method="asymp")
    assert statistic == pytest.approx(expected.statistic, abs=1e-12)
    # Kolmogorov's limit, not scipy's finite-sample refinement: close, not equal.
    assert p_value == pytest.approx(expected.pvalue, rel=0.05) or p_value < 1e-100


def test_psi_is_zero_for_equal_shares_and_symmetric() -> None:
    a, b = np.array([10, 20, 30]), np.array([30, 20, 10])
    assert psi(a, a * 3) == 0.0
    assert psi(a, b) == pytest.approx(psi(b, a))


def test_numeric_bins_follow_reference_quantiles_and_merge_ties() -> None:
    stats = compare_numeric(np.array([1.0] * 50 + [2.0] * 50), np.array([2.0] * 10), bins=10)
    assert stats.bins.labels == ("< 1", "1 to 2", "≥ 2")
    assert stats.bins.batch == (0.0, 0.0, 1.0)


def test_predictions_use_their_own_psi_threshold() -> None:
    strict = Thresholds(prediction_psi=0.05).for_predictions()
    assert (strict.psi_fail, strict.psi_warn) == (0.05, 0.05)


def test_template_thresholds_are_the_library_defaults() -> None:
    path = template_dir() / "{{cookiecutter.project_slug}}" / "conf" / "drift" / "default.yaml"
    declared = yaml.safe_load(path.read_text())
    assert declared.pop("seed") == "${seed}"
    assert Thresholds.from_mapping({**declared, "seed": 0}, source="conf") == Thresholds()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"psi_fial": 0.2}, "unknown key 'psi_fial' (expected p_value, psi_warn, psi_fail, "),
        ({"bins": None}, "drift.bins: None is not a number"),
        ({"bins": 2.5}, "drift.bins: 2.5 is not a whole number"),
        ({"p_value": 1.5}, "drift.p_value: 1.5 is not between 0 and 1"),
        ({"psi_fail": 0.05}, "drift: psi_warn 0.1 is above psi_fail"),
        ({"bins": 1}, "drift.bins: 1 is below 2"),
        ({"max_unseen_share": True}, "drift.max_unseen_share: True is not a number"),
        (
            {"max_out_of_contract_share": 2},
            "drift.max_out_of_contract_share: 2 is not between 0 and 1",
        ),
    ],
)
def test_bad_thresholds_are_refused_by_field(change: dict[str, object], message: str) -> None:
    data = {**vars(Thresholds()), **change}
    with pytest.raises(ConfigError) as caught:
        Thresholds.from_mapping(data, source="params.yaml: drift")
    assert message in str(caught.value)


def test_a_missing_threshold_is_named() -> None:
    data = {k: v for k, v in vars(Thresholds()).items() if k != "bins"}
    with pytest.raises(ConfigError, match=r"^params.yaml: drift: missing 'bins'$"):
        Thresholds.from_mapping(data, source="params.yaml: drift")


def test_the_report_files_are_deterministic(drift_project: Path, tmp_path: Path) -> None:
    batch = pd.read_parquet(drift_project / "data/processed/train.parquet").sample(
        150, random_state=2
    )
    batch["x"] += 0.8
    path = tmp_path / "batch.csv"
    batch.drop(columns="y").to_csv(path, index=False)
    first = run_drift(drift_project, path)
    json_bytes, html_bytes = first.json_path.read_bytes(), first.html_path.read_bytes()
    second = run_drift(drift_project, path)
    assert second.json_path.read_bytes() == json_bytes
    assert second.html_path.read_bytes() == html_bytes
    report = json.loads(json_bytes)
    assert report["drift"] is True and report["drifted"] == ["x", "predictions"]
    assert report["reference"] == {"path": "data/processed/train.parquet", "rows": 400}
    assert report["notes"] == ["not compared, the model does not use them: id"]
    assert not re.search(rb"20\d\d-\d\d-\d\d", json_bytes + html_bytes)  # no dates inside


def test_a_batch_in_parquet_parts_is_judged_as_the_same_batch_in_one_file(
    drift_project: Path, tmp_path: Path
) -> None:
    batch = pd.read_parquet(drift_project / "data/processed/train.parquet").sample(
        150, random_state=2
    )
    batch["x"] += 0.8
    batch = batch.drop(columns="y").reset_index(drop=True)
    batch.to_parquet(tmp_path / "batch.parquet")
    (tmp_path / "parts").mkdir()
    for number, start in enumerate((0, 60, 120)):
        batch.iloc[start : start + 60].to_parquet(tmp_path / "parts" / f"part-{number}.parquet")

    whole = json.loads(run_drift(drift_project, tmp_path / "batch.parquet").json_path.read_text())
    parts = json.loads(run_drift(drift_project, tmp_path / "parts").json_path.read_text())

    assert parts == {**whole, "batch": {"path": str(tmp_path / "parts"), "rows": 150}}


def test_the_html_report_is_self_contained_and_escaped(drift_project: Path, tmp_path: Path) -> None:
    frame = pd.read_parquet(drift_project / "data/processed/train.parquet").head(100)
    frame["<script>"] = 1
    path = tmp_path / "batch.parquet"
    frame.to_parquet(path)
    page = run_drift(drift_project, path).html_path.read_text()
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert not re.search(r"(src|href)=\"(https?:)?//", page)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "No drift beyond the thresholds." in page


def test_a_project_without_drift_thresholds_is_told_how_to_add_them(
    drift_project: Path, tmp_path: Path
) -> None:
    params = drift_project / "params.yaml"
    params.write_text(params.read_text().split("drift:")[0])
    batch = write(tmp_path / "b.csv", "x,color\n1.0,red\n")
    with pytest.raises(ConfigError, match=r"no 'drift' thresholds; add `- drift: default`"):
        run_drift(drift_project, batch)
