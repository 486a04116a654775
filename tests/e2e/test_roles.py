"""Column roles through `mlproj new` and back: printed, written, and overruled by the user.

Issue 13 item 2: a Titanic-like table's free-text names, row numbers, dates and constant
column are left out and said so; a high-cardinality column is kept, capped. Moving a column
between the lists of conf/data is all a user does to change a role, and the pipeline follows.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.e2e.conftest import mlproj_new, sh

pytestmark = pytest.mark.e2e
ROWS = 160


def test_left_out_columns_are_printed_and_a_user_can_move_one_back(tmp_path: Path) -> None:
    lines = ["rownames,Name,boarded,Cabin,Port,Age,Sex,Survived"]
    for i in range(ROWS):
        name = f'"Allen, Miss Elisabeth {i}"'
        lines.append(
            f"{i + 1},{name},1912-04-{10 + i % 5},C{i % 70},S,{20 + i % 50},"
            f"{'fm'[i % 2]},{(i // 2) % 2}"
        )
    data = tmp_path / "titanic.csv"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    result = mlproj_new(out, "titanic", "--data", str(data), "--target", "Survived", "--no-run")
    printed = [line.strip() for line in result.stdout.splitlines()]
    assert "Classification of Survived from 3 features (1 numeric, 2 categorical)" in printed
    assert [line for line in printed if line.startswith("•") and ":" in line][-5:] == [
        # Issue 16: a passenger's name is personal data before it is free text.
        "• personal data (emails, phones, national ids, names, addresses): Name",
        "• identifiers (a distinct value per row, UUIDs, or named like an id): rownames",
        "• dates and times (derive year, month, weekday columns to use them): boarded",
        "• constant (one value on every row): Port",
        "• many values (over 50): kept, rare ones grouped (conf/encoding): Cabin",
    ]
    project = out / "titanic"
    conf = project / "conf" / "data" / "default.yaml"
    text = conf.read_text(encoding="utf-8")
    assert yaml.safe_load(text)["left_out"] == ["rownames", "Name", "boarded", "Port"]
    profile = (project / "reports" / "data-profile.html").read_text(encoding="utf-8")
    assert '<td>left out</td><td class="why">personal data: person names' in profile

    # The user moves Name from left_out into categorical: its line, comment and all.
    moved = [line for line in text.splitlines() if line.startswith('  - "Name"')]
    rest = [line for line in text.splitlines() if not line.startswith('  - "Name"')]
    at = rest.index("categorical:") + 1
    conf.write_text("\n".join([*rest[:at], *moved, *rest[at:]]) + "\n", encoding="utf-8")
    sh("dvc", "repro", "train", cwd=project)
    params = yaml.safe_load((project / "params.yaml").read_text(encoding="utf-8"))["data"]
    assert params["categorical"] == ["Name", "Cabin", "Sex"]
    assert params["left_out"] == ["rownames", "boarded", "Port"]
    assert (project / "models" / "model.skops").is_file()
