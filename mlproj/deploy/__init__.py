"""Deployments checked: post-deployment tests of a running service, and versions compared.

`smoke` tests a running `mlproj serve` over HTTP (`client` talks to it, `answers` says what a
right answer is); `versions` compares the primary with a shadow or canary version over the
prediction log. Both read what `conf/serve` holds them to through `mlproj.serve.settings`.
"""

from __future__ import annotations

from mlproj.deploy.smoke import Check, SmokeResult, smoke
from mlproj.deploy.versions import Comparison, compare_versions

__all__ = ["Check", "Comparison", "SmokeResult", "compare_versions", "smoke"]
