"""Which columns may be features: every feature has a contract rule, none is forbidden.

The validate stage calls `check_features` before it reads a row. A feature added to conf/data
without a rule in data/contract.yaml would reach the model unchecked, so it is refused with the
command that adds the rule. A column listed in conf/data `forbidden`, or a sensitive column of
conf/inclusion not listed in `allow_as_feature`, is refused as a feature: the model must not
learn from it, by a decision written down where a reviewer reads it.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable

from mlproj._core.text import listing
from mlproj.data.contract import Contract
from mlproj.errors import FeatureNotInContract, ForbiddenFeature

CONTRACT_ADD = "mlproj contract add"


def check_features(
    features: Iterable[str],
    contract: Contract,
    *,
    forbidden: Iterable[str] = (),
    sensitive: Iterable[str] = (),
    allow_as_feature: Iterable[str] = (),
    contract_path: str = "data/contract.yaml",
) -> None:
    """Refuse a feature that is forbidden or sensitive, then one the contract has no rule for.

    Forbidden first: adding a contract rule would not make a forbidden feature acceptable, so
    the message that says how to add one must not be the first a user reads.
    """
    names = [str(name) for name in features]
    banned = {str(name) for name in forbidden}
    allowed = {str(name) for name in allow_as_feature}
    guarded = [str(name) for name in sensitive if str(name) not in allowed]
    refused = [name for name in names if name in banned]
    if refused:
        raise ForbiddenFeature(
            f"{_quoted(refused)} {_is(refused)} forbidden as a feature (conf/data forbidden): "
            "remove it from conf/data numeric and categorical."
        )
    refused = [name for name in names if name in guarded]
    if refused:
        raise ForbiddenFeature(
            f"{_quoted(refused)} {_is(refused)} sensitive (conf/inclusion sensitive), so not a "
            "feature unless listed in conf/inclusion allow_as_feature: remove it from conf/data "
            "numeric and categorical, or allow it there and say why in a comment."
        )
    missing = [name for name in names if name not in set(contract.names)]
    if missing:
        command = " ".join([CONTRACT_ADD, *(shlex.quote(name) for name in missing)])
        raise FeatureNotInContract(
            f"feature(s) {_quoted(missing)} of conf/data have no rule in {contract_path}: "
            f"add one inferred from the data with `{command}`, or write it by hand."
        )


def _quoted(names: list[str]) -> str:
    return listing([repr(name) for name in names], 10)


def _is(names: list[str]) -> str:
    return "is" if len(names) == 1 else "are"
