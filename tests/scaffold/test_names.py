from __future__ import annotations

import pytest

from mlproj.errors import InvalidName
from mlproj.scaffold.names import derive_names


@pytest.mark.parametrize(
    ("name", "slug", "package"),
    [
        ("churn-model", "churn-model", "churn_model"),
        ("Churn Model", "churn-model", "churn_model"),
        ("  fraud_v2  ", "fraud-v2", "fraud_v2"),
        ("Prix Immobilier!", "prix-immobilier", "prix_immobilier"),
    ],
)
def test_names_are_normalised(name: str, slug: str, package: str) -> None:
    names = derive_names(name)
    assert (names.slug, names.package) == (slug, package)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Project name is empty."),
        ("   ", "Project name is empty."),
        (
            "a/b",
            "Project name 'a/b' contains a path separator or '..'; give a plain name and use --output-dir for the location.",
        ),
        (
            "..",
            "Project name '..' contains a path separator or '..'; give a plain name and use --output-dir for the location.",
        ),
        (
            "x..y",
            "Project name 'x..y' contains a path separator or '..'; give a plain name and use --output-dir for the location.",
        ),
        ("class", "Project name 'class' is a Python keyword; choose another name."),
        ("pandas", "Project name 'pandas' would shadow the module 'pandas'; choose another name."),
        (
            "sklearn",
            "Project name 'sklearn' would shadow the module 'sklearn'; choose another name.",
        ),
        ("json", "Project name 'json' would shadow the module 'json'; choose another name."),
        (
            "2fast",
            "Project name '2fast' does not give a valid Python package name ('2fast'); start it with a letter.",
        ),
        (
            "!!!",
            "Project name '!!!' does not give a valid Python package name (''); start it with a letter.",
        ),
    ],
)
def test_bad_names_are_refused(name: str, message: str) -> None:
    with pytest.raises(InvalidName) as caught:
        derive_names(name)
    assert str(caught.value) == message
