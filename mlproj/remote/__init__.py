"""A project's data and models on S3-compatible storage, through a DVC remote (dvc-s3).

`url` checks an `s3://BUCKET/PREFIX` URL, its endpoint and name; `config` writes them to
`.dvc/config` (committed) and keys only to `.dvc/config.local` (ignored by git, checked);
`server` asks the server one question and types what stands in the way (down, keys, bucket);
`transfer` is `dvc push`/`dvc pull` behind the probe.
"""

from __future__ import annotations

from mlproj.remote.config import Configured, add_remote, configured_remote, write_remote
from mlproj.remote.server import probe
from mlproj.remote.transfer import Transfer, check_remote, pull, push
from mlproj.remote.url import DEFAULT_NAME, Remote, parse_remote

__all__ = [
    "DEFAULT_NAME",
    "Configured",
    "Remote",
    "Transfer",
    "add_remote",
    "check_remote",
    "configured_remote",
    "parse_remote",
    "probe",
    "pull",
    "push",
    "write_remote",
]
