"""Gitflow and releases: branches that start and finish in their places, and the model registry."""

from __future__ import annotations

from mlproj.flow.gitflow import check_branch, finish, start
from mlproj.flow.registry import assign, current, fetch, rollback, versions
from mlproj.flow.releases import Release, last_release

__all__ = [
    "Release",
    "assign",
    "check_branch",
    "current",
    "fetch",
    "finish",
    "last_release",
    "rollback",
    "start",
    "versions",
]
