"""Which version answers a request: the primary, or a canary for a seeded share of requests.

The choice hangs on the request id alone: `sha256("<seed>:<request id>")` read as a fraction
of 1. A client that resends a request with the same `X-Request-ID` gets the same version, two
servers with the same seed split traffic the same way, and over many ids the canary's share
comes out at SHARE.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlproj.serve.model import ServedModel

_DIGITS = 16  # 64 bits of the digest: finer than any share anyone sets


def fraction(seed: int, request_id: str) -> float:
    """Where REQUEST_ID falls in [0, 1) under SEED."""
    digest = hashlib.sha256(f"{seed}:{request_id}".encode()).hexdigest()
    return int(digest[:_DIGITS], 16) / float(16**_DIGITS)


@dataclass(frozen=True)
class Routing:
    """The primary, and at most one of a shadow (scores everything) or a canary (answers SHARE)."""

    primary: ServedModel
    shadow: ServedModel | None = None
    canary: ServedModel | None = None
    share: float = 0.0
    seed: int = 0

    def answerer(self, request_id: str) -> tuple[ServedModel, str]:
        """The model that answers REQUEST_ID and its log role (`primary` or `canary`)."""
        if self.canary is not None and fraction(self.seed, request_id) < self.share:
            return self.canary, "canary"
        return self.primary, "primary"
