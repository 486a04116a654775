"""What may be a feature: a contract rule for each, none forbidden, no sensitive one unallowed."""

from __future__ import annotations

import pytest

from mlproj.data.contract import ColumnRule, Contract
from mlproj.data.policy import check_features
from mlproj.errors import FeatureNotInContract, ForbiddenFeature

CONTRACT = Contract(
    tuple(ColumnRule(name, "numeric", nullable=False) for name in ["age", "sex", "income"])
)


def test_features_with_rules_and_allowed_sensitive_columns_pass() -> None:
    check_features(["age", "sex"], CONTRACT, sensitive=["sex"], allow_as_feature=["sex"])


def test_a_feature_without_a_rule_is_named_with_the_command_that_adds_one() -> None:
    with pytest.raises(FeatureNotInContract) as caught:
        check_features(["age", "bill ratio", "zip"], CONTRACT)
    assert caught.value.exit_code == 30
    assert str(caught.value) == (
        "feature(s) 'bill ratio', 'zip' of conf/data have no rule in data/contract.yaml: add "
        "one inferred from the data with `mlproj contract add 'bill ratio' zip`, or write it by "
        "hand."
    )


def test_a_forbidden_feature_is_refused_before_its_missing_rule() -> None:
    with pytest.raises(ForbiddenFeature) as caught:
        check_features(["age", "ssn"], CONTRACT, forbidden=["ssn"])
    assert caught.value.exit_code == 31
    assert str(caught.value) == (
        "'ssn' is forbidden as a feature (conf/data forbidden): remove it from conf/data "
        "numeric and categorical."
    )


def test_a_sensitive_column_is_no_feature_unless_allowed() -> None:
    with pytest.raises(ForbiddenFeature) as caught:
        check_features(
            ["age", "sex"], CONTRACT, sensitive=["sex", "race"], allow_as_feature=["race"]
        )
    assert str(caught.value) == (
        "'sex' is sensitive (conf/inclusion sensitive), so not a feature unless listed in "
        "conf/inclusion allow_as_feature: remove it from conf/data numeric and categorical, "
        "or allow it there and say why in a comment."
    )
