"""Issue 16 items 2, 3 and 7: the contract covers every feature; personal data is left out.

`dvc repro` refuses a feature with no contract rule, naming it and `mlproj contract add`,
and a forbidden one; `mlproj new --data` leaves an email column out of the features.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.e2e.conftest import copy_project, mlproj_new, sh

pytestmark = pytest.mark.e2e


def test_repro_refuses_a_feature_without_a_rule_until_contract_add(
    penguins: Path, tmp_path: Path
) -> None:
    project = copy_project(penguins, tmp_path / "demo")
    contract = project / "data" / "contract.yaml"
    rules = yaml.safe_load(contract.read_text())
    del rules["columns"]["bill_length_mm"]  # as if the column were new in the data
    contract.write_text(yaml.safe_dump(rules, sort_keys=False))

    refused = sh("dvc", "repro", cwd=project, check=False)
    assert refused.returncode != 0
    assert (
        "feature(s) 'bill_length_mm' of conf/data have no rule in data/contract.yaml: "
        "add one inferred from the data with `mlproj contract add bill_length_mm`, or write it "
        "by hand."
    ) in refused.stderr

    added = sh("mlproj", "contract", "add", "bill_length_mm", cwd=project)
    assert added.stdout.startswith("+ bill_length_mm: numeric, may be missing, from 32.1 to 59.6")
    sh("dvc", "repro", "--single-item", "validate", cwd=project)

    conf = project / "conf" / "data" / "default.yaml"
    conf.write_text(conf.read_text().replace("forbidden: []", "forbidden: [island]"))
    refused = sh("dvc", "repro", cwd=project, check=False)
    assert refused.returncode != 0
    assert (
        "'island' is forbidden as a feature (conf/data forbidden): remove it from "
        "conf/data numeric and categorical."
    ) in refused.stderr


def test_new_leaves_an_email_column_out_and_says_why(tmp_path: Path) -> None:
    data = tmp_path / "people.csv"
    rows = [
        f"{i},{20 + i % 50},user{i}@example.org,{['north', 'south'][i % 2]},{i % 3 == 0}"
        for i in range(120)
    ]
    data.write_text("customer,age,email,region,churned\n" + "\n".join(rows) + "\n")
    created = mlproj_new(tmp_path, "people", "--data", str(data), "--target", "churned", "--no-run")
    assert re.search(
        r"personal data \(emails, phones, national ids, names, addresses\): email\n",
        created.stdout,
    ), created.stdout
    conf = (tmp_path / "people" / "conf" / "data" / "default.yaml").read_text()
    assert '  - "email"  # personal data: email addresses (100% of sampled values); left out' in (
        conf.splitlines()
    )
    assert "email" not in yaml.safe_load(conf)["categorical"]
