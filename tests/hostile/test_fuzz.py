"""Fuzzing the parsers that take user text: whatever comes in, only a typed error comes out.

A `UserError` is a message a user can act on; any other exception would be a traceback.
Each property runs 200 examples (a few seconds), so the suite stays in the fast tier.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mlproj._core.yamlio import load_yaml
from mlproj.card.notes import notes_from_yaml
from mlproj.data.contract import contract_from_yaml
from mlproj.errors import UserError
from mlproj.flow.gitflow import branch_problem, check_branch
from mlproj.incidents.incident import incident_from_yaml
from mlproj.review.checklist import Checklist, Item, check_body
from mlproj.scaffold.names import derive_names

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces of YAML syntax, so random text reaches past the first scanner error.
TOKENS = [
    "&a ",
    "*a",
    "&b ",
    "*b",
    "<<: ",
    "!!python/object:os.system ",
    "!!binary ",
    "!!set ",
    "!!timestamp ",
    "!include ",
    "[",
    "]",
    "{",
    "}",
    ": ",
    "- ",
    "\n",
    "  ",
    "? ",
    "|\n",
    ">\n",
    "'",
    '"',
    "%YAML 1.1\n",
    "---\n",
    "...\n",
    "# c\n",
    "~",
    "null",
    "yes",
    "1e3",
    "0x1F",
    "2024-05-01",
    "id",
    "kind",
    "columns",
    "expectation",
    "status",
    "owners",
    "items",
    ",",
    "\t",
    "\x00",
    "\ufeff",
    "é",
    "\u2028",
]
fragments = st.lists(st.sampled_from(TOKENS) | st.text(max_size=8), max_size=40).map("".join)
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True)
    | st.text(max_size=20)
    | st.dates()
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=8) | st.integers(), inner, max_size=4)
    ),
    max_leaves=12,
)


def dumped(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[str]:
    return strategy.map(lambda value: yaml.safe_dump(value, allow_unicode=True))


yaml_texts = st.one_of(st.text(), fragments, dumped(values))

incident_texts = yaml_texts | dumped(
    st.fixed_dictionaries(
        {
            "id": st.sampled_from(["INC-1", "a/b", "", "x" * 200]) | values,
            "date": st.dates() | values,
            "expectation": st.fixed_dictionaries(
                {
                    "kind": st.sampled_from(
                        ["label", "no_error", "min_probability", "range", "nope"]
                    )
                    | values
                },
                optional={
                    "value": values,
                    "column": values,
                    "class": values,
                    "threshold": values,
                    "min": values,
                    "max": values,
                    "tolerance": values,
                },
            )
            | values,
            "status": st.sampled_from(["open", "fixed"]) | values,
        },
        optional={"description": values, "link": values, "last_result": values},
    )
)

rule = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["numeric", "integer", "categorical", "boolean"]) | values,
        "nullable": st.booleans() | values,
    },
    optional={"min": values, "max": values, "allowed": values},
)
contract_texts = yaml_texts | dumped(
    st.fixed_dictionaries({"columns": st.dictionaries(st.text(max_size=8), rule | values)})
)


def typed_only(call: Any, *args: Any) -> Any:
    try:
        return call(*args)
    except UserError as error:
        assert "\n" not in str(error).strip() or str(error).count("\n") < 50
        return None


@FUZZ
@given(source=yaml_texts | st.binary(max_size=200))
def test_the_yaml_loader(source: str | bytes) -> None:
    typed_only(load_yaml, source)


@FUZZ
@given(text=incident_texts)
# Found by this test: a list as the kind was a TypeError (unhashable) instead of a message.
@pytest.mark.slow
@example("id: INC-1\ndate: 2024-01-01\nstatus: open\nexpectation: {kind: [label]}\n")
def test_incident_files(text: str) -> None:
    typed_only(lambda: incident_from_yaml(text, source="incident.yaml"))


@pytest.mark.slow
@FUZZ
@given(text=contract_texts)
def test_contracts(text: str) -> None:
    typed_only(lambda: contract_from_yaml(text, source="data/contract.yaml"))


@FUZZ
@given(
    text=yaml_texts | dumped(st.dictionaries(st.sampled_from(["owners", "limitations"]), values))
)
def test_model_card_notes(text: str) -> None:
    typed_only(lambda: notes_from_yaml(text))


CHECKLIST = Checklist(
    intro="",
    sections=(),
    items=(Item("tests", "Tests pass"), Item("data", "Data reviewed"), Item("x", "X", False)),
)
body_lines = st.sampled_from(
    [
        "- [x] Tests pass",
        "- [ ] Data reviewed <!-- review:data -->",
        "* [X] Data reviewed",
        "```",
        "~~~",
        "````",
        "<!--",
        "-->",
        "<!-- review:tests -->",
        "  - [x] tests pass",
        "",
    ]
) | st.text(max_size=30)


@FUZZ
@given(body=st.lists(body_lines, max_size=30).map("\n".join) | st.text())
def test_checklist_bodies(body: str) -> None:
    result = check_body(CHECKLIST, body)
    required = {item.id for item in CHECKLIST.items if item.required}
    found = {item.id for item in (*result.checked, *result.unchecked, *result.missing)}
    assert found == required


plain_lines = st.sampled_from(
    ["- [x] Tests pass", "- [ ] Data reviewed <!-- review:data -->", "* [X] Data reviewed", ""]
) | st.text(max_size=30).filter(lambda t: not any(c in t for c in "`~<"))


@FUZZ
@given(
    body=st.lists(plain_lines, max_size=20).map("\n".join), fence=st.sampled_from(["```", "~~~"])
)
def test_an_unclosed_fence_hides_every_box_after_it(body: str, fence: str) -> None:
    hidden = check_body(CHECKLIST, f"{body}\n{fence}\n- [x] Tests pass\n- [x] Data reviewed\n")
    assert hidden.checked == check_body(CHECKLIST, body).checked


branch_names = st.text() | st.from_regex(
    r"(feature|bugfix|release|hotfix|refs/heads/[a-z]+|refs/tags)/[ -~]{0,20}", fullmatch=True
)


@FUZZ
@given(branch=branch_names | st.none(), push=st.booleans())
def test_branch_names(branch: str | None, push: bool) -> None:
    problem = branch_problem(branch, push=push)
    assert problem is None or isinstance(problem, str)
    typed_only(lambda: check_branch(branch, push=push))


@FUZZ
@given(name=st.text(max_size=60))
def test_project_names(name: str) -> None:
    names = typed_only(derive_names, name)
    if names is not None:
        assert re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", names.slug), names
        assert names.package == names.slug.replace("-", "_")
        assert names.package.isidentifier() and names.package.isascii()
