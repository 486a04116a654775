"""conf/data and data/contract.yaml as `mlproj new` writes them from the column roles.

Issue 13 item 2: every column's role is in conf/data with its reason, in lists a user moves
names between, and the contract accepts the next batch's new names, ids, dates and codes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from mlproj.data.contract import load_contract, validate_frame
from mlproj.data.dataset import profile
from mlproj.scaffold import initialise
from mlproj.scaffold.answers import Answers

ROWS = 200


def table(seed: int = 0, offset: int = 0) -> pd.DataFrame:
    """A Titanic-like table: row numbers, names, a boarding date, a cabin, a constant port."""
    rng = np.random.default_rng(seed)
    rows = range(offset, offset + ROWS)
    return pd.DataFrame(
        {
            "rownames": [i + 1 for i in rows],
            "Name": [f"Allen, Miss Elisabeth Walton {i}" for i in rows],
            "boarded": [f"1912-04-{10 + i % 5:02d}" for i in rows],
            "Cabin": [f"C{(i * 7) % 80}" for i in rows],
            "Port": ["Southampton"] * ROWS,
            "Age": rng.uniform(1, 70, ROWS).round(1),
            "Sex": rng.choice(["female", "male"], ROWS),
            "Survived": [i % 2 for i in rows],
        }
    )


def write_files(project: Path, frame: pd.DataFrame) -> str:
    answers = Answers(
        project_name="t",
        project_slug="t",
        package_name="t",
        description="",
        author="a",
        email="a@example.com",
        code_owners=(),
        task="classification",
        data_path=Path("titanic.csv"),
        target="Survived",
        run_pipeline=False,
        mlproj_version="0",
    )
    data = profile(frame, "Survived")
    initialise._write_data_files(project, frame, data, "titanic.csv", answers)
    return (project / "conf" / "data" / "default.yaml").read_text(encoding="utf-8")


def test_conf_data_lists_every_role_with_its_reason(tmp_path: Path) -> None:
    text = write_files(tmp_path, table())
    config = yaml.safe_load(text)
    assert config["numeric"] == ["Age"]
    assert config["categorical"] == ["Cabin", "Sex"]
    assert config["left_out"] == ["rownames", "Name", "boarded", "Port"]
    assert "max_categories" not in config  # conf/encoding holds the caps
    lines = text.splitlines()
    assert '  - "Cabin"  # 80 distinct values: kept; values rarer than conf/encoding' in "\n".join(
        lines
    )
    assert '  - "rownames"  # an identifier: a distinct whole number on every row' in lines
    assert '  - "Port"  # constant: one value on every row, nothing to learn from' in lines
    assert (
        '  - "Name"  # personal data: person names (first names or titles in most values); left out'
        in lines
    )
    assert any(line.startswith('  - "boarded"  # a date or time: left out; ') for line in lines)
    assert '  - "Sex"' in lines  # a plain feature needs no comment


def test_the_contract_accepts_the_next_batch_of_new_names_ids_dates_and_cabins(
    tmp_path: Path,
) -> None:
    write_files(tmp_path, table())
    contract = load_contract(tmp_path / "data" / "contract.yaml")
    for name in ("rownames", "Name", "boarded", "Cabin"):
        rule = contract.rule(name)
        assert (rule.minimum, rule.maximum, rule.allowed) == (None, None, None), name
    assert contract.rule("Port").allowed == ("Southampton",)  # a change there is worth a look
    later = table(offset=5_000)  # the same ages and sexes, everything else new
    later["boarded"] = "1912-04-15 09:30"
    validate_frame(later, contract, source="next batch")


def test_personal_data_is_left_out_and_never_copied_into_the_contract(tmp_path: Path) -> None:
    """Issue 16 item 3: an email column is listed with its reason; no address is committed."""
    frame = table()
    frame["email"] = [f"p{i % 30}@mail.example.org" for i in range(ROWS)]  # 30 values: a list
    text = write_files(tmp_path, frame)
    config = yaml.safe_load(text)
    assert "email" in config["left_out"] and config["forbidden"] == []
    assert '  - "email"  # personal data: email addresses (100% of sampled values); left out' in (
        text.splitlines()
    )
    contract = (tmp_path / "data" / "contract.yaml").read_text(encoding="utf-8")
    assert "@" not in contract and "example.org" not in contract
    assert load_contract(tmp_path / "data" / "contract.yaml").rule("email").allowed is None


def test_the_one_date_column_becomes_the_time_column(tmp_path: Path) -> None:
    text = write_files(tmp_path, table())
    assert yaml.safe_load(text)["time_column"] == "boarded"
    assert "Set by mlproj: the table's one date column." in text


def test_two_date_columns_leave_the_choice_to_the_user(tmp_path: Path) -> None:
    frame = table().assign(landed=[f"1912-05-{1 + i % 9:02d}" for i in range(ROWS)])
    text = write_files(tmp_path, frame)
    assert yaml.safe_load(text)["time_column"] is None
    assert "e.g. time_column: signup_date" in text


def test_new_profiles_the_table_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The task is chosen and the data files written from one profile: at 1M rows it is seconds."""
    from mlproj.scaffold import new

    calls: list[str] = []

    def counted(frame: pd.DataFrame, target: str, *args: Any, **kwargs: Any) -> Any:
        calls.append(target)
        return profile(frame, target, *args, **kwargs)

    monkeypatch.setattr(new, "profile", counted)
    monkeypatch.setattr(initialise, "profile", counted)
    # git and DVC: not at stake
    monkeypatch.setattr(new, "make_repository", lambda *args, **kwargs: None)
    table().to_csv(tmp_path / "titanic.csv", index=False)
    made = new.new_project(
        "t", tmp_path, data=tmp_path / "titanic.csv", target="Survived", run_pipeline=False
    )
    assert calls == ["Survived"]
    assert made.data.task == "classification"
