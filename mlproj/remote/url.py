"""Where a DVC remote lives: an `s3://BUCKET/PREFIX` URL, its endpoint and its name, checked.

Checked before anything is written: each value lands in `.dvc/config`, a committed file that
DVC and every CI job parse, so only plain values pass. A bucket follows S3's naming rules; a
prefix is path segments of letters, digits, `.`, `_` and `-` (no `..`, no empty segment); an
endpoint is an http(s) URL with no user name or password in it (it would be committed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from mlproj.errors import InvalidRemote

DEFAULT_NAME = "storage"
# S3's rules: 3-63 characters, lower-case letters, digits, dots and hyphens, a letter or digit
# at each end; no '..', and not shaped like an IP address.
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_IP = re.compile(r"\d+\.\d+\.\d+\.\d+")
_SEGMENT = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_HOST = re.compile(r"[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]")


@dataclass(frozen=True)
class Remote:
    """A DVC remote on S3-compatible storage: its NAME, bucket, prefix and endpoint (or none)."""

    name: str
    bucket: str
    prefix: str = ""
    endpoint: str | None = None

    @property
    def url(self) -> str:
        """The remote's `s3://` URL, as DVC stores it."""
        return f"s3://{self.bucket}/{self.prefix}" if self.prefix else f"s3://{self.bucket}"

    @property
    def shown(self) -> str:
        """The remote for a message: its name, URL and endpoint."""
        at = f" at {self.endpoint}" if self.endpoint else ""
        return f"remote '{self.name}' ({self.url}{at})"


def parse_remote(url: str, endpoint: str | None = None, name: str = DEFAULT_NAME) -> Remote:
    """URL, ENDPOINT and NAME checked into a `Remote`; `InvalidRemote` names what is wrong."""
    return Remote(
        name=check_name(name),
        **_bucket_and_prefix(url),
        endpoint=None if endpoint is None else check_endpoint(endpoint),
    )


def check_name(name: str) -> str:
    """NAME if it is a plain remote name (letters, digits, `_`, `-`)."""
    if not _NAME.fullmatch(name):
        raise InvalidRemote(
            f"Remote name {name!r} is not a plain name: use letters, digits, '_' and '-'."
        )
    return name


def check_endpoint(endpoint: str) -> str:
    """ENDPOINT if it is `http(s)://HOST[:PORT][/PATH]` with nothing that could hide in it."""
    shown = repr(endpoint)
    if not endpoint.isprintable() or any(char in endpoint for char in " \"'`\\"):
        raise InvalidRemote(f"--endpoint-url {shown} has spaces, quotes or control characters.")
    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https"):
        raise InvalidRemote(
            f"--endpoint-url {shown} is not an http:// or https:// URL "
            "(e.g. http://127.0.0.1:8333)."
        )
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise InvalidRemote(
            f"--endpoint-url {parts.scheme}://... holds a user name or password, which would be "
            "committed in .dvc/config: give keys through AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY."
        )
    try:
        port = parts.port
    except ValueError:
        port = -1
    if not parts.hostname or not _HOST.fullmatch(parts.netloc.rsplit(":", 1)[0]) or port == -1:
        raise InvalidRemote(f"--endpoint-url {shown} has no valid host and port.")
    if parts.query or parts.fragment or ".." in parts.path.split("/"):
        raise InvalidRemote(f"--endpoint-url {shown} must be a plain URL: no '?', '#' or '..'.")
    return endpoint.rstrip("/")


def _bucket_and_prefix(url: str) -> dict[str, str]:
    shown = repr(url)
    if not url.startswith("s3://"):
        scheme = url.split("://", 1)[0] + "://" if "://" in url else "no scheme"
        raise InvalidRemote(
            f"Remote URL {shown} is not s3://BUCKET/PREFIX ({scheme[:20]}); mlproj configures "
            "S3-compatible storage only (S3, MinIO, SeaweedFS, R2...)."
        )
    bucket, _, prefix = url[len("s3://") :].partition("/")
    if not _BUCKET.fullmatch(bucket) or ".." in bucket or _IP.fullmatch(bucket):
        raise InvalidRemote(
            f"Remote URL {shown}: {bucket[:70]!r} is not a valid bucket name (3-63 lower-case "
            "letters, digits, '.' and '-', a letter or digit at each end)."
        )
    prefix = prefix.rstrip("/")
    if prefix and not all(_SEGMENT.fullmatch(part) for part in prefix.split("/")):
        raise InvalidRemote(
            f"Remote URL {shown}: the prefix must be folders of letters, digits, '.', '_' and "
            "'-' (no spaces, quotes, '..' or empty folders)."
        )
    return {"bucket": bucket, "prefix": prefix}
