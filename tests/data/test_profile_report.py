from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from mlproj.data import profile_report
from mlproj.data.dataset import profile
from mlproj.data.profile_report import ColumnRole, column_roles, profile_page, write_profile

HOSTILE = "<script>alert(1)</script>"


def churn() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["c1", "c2", "c3", "c4", "c5", "c6"],
            "spend": [1.5, 2.5, None, 4.5, 8.0, 1.0],
            "plan": ["a", "b", "a", None, "a", "b"],
            "churned": ["no", "yes", "no", "no", "yes", "no"],
        }
    )


def page_of(frame: pd.DataFrame, target: str) -> str:
    data = profile(frame, target)
    return profile_page(frame, column_roles(data), data, source="data/raw/x.csv")


def test_each_column_has_a_role_and_a_reason() -> None:
    data = profile(churn(), "churned")
    assert column_roles(data) == (
        ColumnRole(
            "churned", "target", "the column the model predicts (classification, 2 classes)"
        ),
        ColumnRole("spend", "numeric feature", "numeric values"),
        ColumnRole("plan", "categorical feature", "labels, not numbers"),
        ColumnRole("customer_id", "left out", "an identifier: a distinct value on every row"),
    )


def test_the_page_shows_roles_types_missing_values_and_the_target_balance() -> None:
    page = page_of(churn(), "churned")
    text = re.sub(r"<[^>]+>", " ", page)
    assert re.search(r"customer_id\s+left out\s+an identifier: a distinct value on every row", text)
    assert re.search(r"spend\s+numeric feature\s+numeric values\s+float64\s+16\.7%", text)
    assert re.search(r"plan\s+categorical feature", text)
    # The target's balance: two classes, their rows and shares.
    assert re.search(r"no\s+4\s+66\.7%.*yes\s+2\s+33\.3%", text, re.DOTALL)
    assert "(missing)" in text  # plan's top values count its gap
    assert page.count('<svg class="hist"') == 1  # spend, the one numeric column


def test_the_roles_table_gives_the_reason_of_each_column_left_out_or_capped() -> None:
    """Issue 13 item 2: the page says what `mlproj new` printed and conf/data holds."""
    rows = 120
    frame = pd.DataFrame(
        {
            "note": [f"called about the bill, ticket {i}" for i in range(rows)],
            "when": [f"2024-03-{1 + i % 28:02d}" for i in range(rows)],
            "flat": ["x"] * rows,
            "shop": [f"s{i % 60}" for i in range(rows)],
            "spend": [float(i % 17) for i in range(rows)],
            "churned": ["no", "yes"] * (rows // 2),
        }
    )
    text = re.sub(r"<[^>]+>", " ", page_of(frame, "churned"))
    assert re.search(
        r"shop\s+categorical feature\s+60 distinct values: kept; values rarer than", text
    )
    assert re.search(r"note\s+left out\s+free text: 120 distinct values, 6 words on average", text)
    assert re.search(r"when\s+left out\s+a date or time: left out; to use it, add columns", text)
    assert re.search(r"flat\s+left out\s+constant: one value on every row", text)


def test_the_page_fetches_nothing_and_runs_nothing() -> None:
    page = page_of(churn(), "churned")
    assert "default-src 'none'" in page
    assert not re.search(r"<script|<link|<img|<iframe|src=|https?://", page)


def test_hostile_names_and_values_are_shown_as_text() -> None:
    frame = pd.DataFrame(
        {
            HOSTILE: [1.0, 2.0, 3.0, 4.0],
            "note": [HOSTILE, "a&b", '"q"', HOSTILE],
            "y": ["a", "b", "a", "b"],
        }
    )
    page = page_of(frame, "y")
    assert "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "a&amp;b" in page


def test_a_regression_target_gets_statistics_and_a_histogram() -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=200), "price": rng.normal(12_810, 50, size=200)})
    page = page_of(frame, "price")
    text = re.sub(r"<[^>]+>", " ", page)
    assert re.search(r"mean\s+12,8\d\d\b", text)
    assert "e+0" not in text
    assert page.count('<svg class="hist"') == 3  # the target's, then each numeric column's


def test_the_page_stays_small_on_a_wide_long_table(monkeypatch) -> None:
    monkeypatch.setattr(profile_report, "SAMPLE_ROWS", 500)
    monkeypatch.setattr(profile_report, "DETAILED_COLUMNS", 10)
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(1_000, 24)), columns=[f"c{i}" for i in range(24)])
    frame["label"] = ["a" * 200 + str(i % 60) for i in range(1_000)]
    page = page_of(frame, "label")
    # Per column in detail: a histogram and a few values, whatever the number of rows.
    assert len(page.encode()) < 10 * 8_000 + 25 * 1_000
    assert "15 more columns are listed in the table above only" in page
    assert "30 more classes not shown" in page
    assert "Histograms, distinct counts and most common values are drawn from 500 rows" in page
    assert "a" * 60 not in page  # long values are cut


def test_write_profile_makes_the_folder(tmp_path: Path) -> None:
    frame = churn()
    target = tmp_path / "reports" / "data-profile.html"
    write_profile(target, frame, profile(frame, "churned"), source="data/raw/churn.csv")
    assert "data/raw/churn.csv" in target.read_text(encoding="utf-8")
    assert [p.name for p in target.parent.iterdir()] == ["data-profile.html"]
