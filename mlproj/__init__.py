"""mlproj: declarative, git-centric machine-learning projects."""

from __future__ import annotations

__all__ = ["__version__"]


def __getattr__(name: str) -> str:
    # Read lazily: importlib.metadata costs ~80 ms, a third of the CLI's start-up budget.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("mlproj")
        except PackageNotFoundError:  # a source tree that was never installed
            return "0.0.0"
    raise AttributeError(f"module 'mlproj' has no attribute {name!r}")
