from __future__ import annotations

from typing import Any

import pytest

from mlproj.compute import ComputeSettings, compute_settings
from mlproj.errors import ConfigError


def test_no_group_is_local() -> None:
    assert compute_settings({}) == ComputeSettings(backend="local", n_jobs=1)


def test_dask_with_its_address() -> None:
    group = {"backend": "dask", "address": " tcp://10.0.0.5:8786 ", "timeout": 3}
    assert compute_settings({"compute": group}) == ComputeSettings(
        backend="dask", n_jobs=1, address="tcp://10.0.0.5:8786", timeout=3.0
    )


@pytest.mark.parametrize(
    ("group", "message"),
    [
        (
            {"backend": "ray"},
            "compute.backend is 'ray'; it must be one of local, dask "
            "(conf/compute/local.yaml or dask.yaml)",
        ),
        ({"n_jobs": 0}, "compute.n_jobs is 0; it must be a whole number, not 0"),
        ({"n_jobs": True}, "compute.n_jobs is True; it must be a whole number, not 0"),
        ({"n_jobs": "4"}, "compute.n_jobs is '4'; it must be a whole number, not 0"),
        ({"timeout": 0}, "compute.timeout is 0; it must be a number of seconds > 0"),
        (
            {"backend": "dask", "address": " "},
            "compute.address is empty; set the scheduler's address: "
            "-S compute.address=tcp://HOST:8786",
        ),
    ],
    ids=["backend", "n_jobs-0", "n_jobs-bool", "n_jobs-text", "timeout", "address"],
)
def test_a_bad_setting_names_the_key_and_the_fix(group: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        compute_settings({"compute": group})
    assert str(caught.value) == message
