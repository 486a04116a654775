"""A project's own code sent to Dask workers by value, so they need only its environment.

Workers run the Python environment the project pins, not its checkout: they cannot import the
project's package. Inside the `compute` context its modules are registered with cloudpickle to
be pickled by value, and each task's function, arguments and result travel as cloudpickle
bytes, so a worker runs the project's code as it is in this run (two experiments with
different code can share one cluster) and the result comes back as the caller's own types.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any


@contextmanager
def shipped(packages: Sequence[str]) -> Iterator[None]:
    """Within the block, PACKAGES (imported here) and their submodules pickle by value."""
    import cloudpickle

    registered = set(cloudpickle.list_registry_pickle_by_value())
    added = []
    for name in packages:
        if name not in registered:
            cloudpickle.register_pickle_by_value(importlib.import_module(name))
            added.append(name)
    try:
        yield
    finally:
        for name in added:
            cloudpickle.unregister_pickle_by_value(importlib.import_module(name))


def pack(function: Callable[..., Any], args: Sequence[Any], kwargs: dict[str, Any]) -> bytes:
    """FUNCTION and its arguments as cloudpickle bytes (the shipped packages by value)."""
    import cloudpickle

    payload: bytes = cloudpickle.dumps((function, tuple(args), kwargs))
    return payload


def call_packed(payload: bytes) -> bytes:
    """Run a packed call on a worker; its result as cloudpickle bytes, for `unpack`."""
    import cloudpickle

    function, args, kwargs = cloudpickle.loads(payload)
    result: bytes = cloudpickle.dumps(function(*args, **kwargs))
    return result


def unpack(result: bytes) -> Any:
    """A packed result: classes shipped by value come back as the caller's own classes."""
    import cloudpickle

    return cloudpickle.loads(result)
