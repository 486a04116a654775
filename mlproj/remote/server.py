"""Ask the remote's server one cheap question, and say in one line what stands in the way.

One `ListObjectsV2` of at most one key under the prefix, through botocore (which dvc-s3
installs with s3fs and aiobotocore): it needs the server up and speaking S3, the credentials
accepted and the bucket present, exactly what `dvc push` and `dvc pull` need. Timeouts are short
and there is one attempt, so a server that is down or hangs fails in seconds, not minutes.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

from mlproj._core.text import first_line
from mlproj.errors import RemoteBucketMissing, RemoteCredentialsRejected, RemoteUnreachable
from mlproj.remote.url import Remote

CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 5.0
# What S3-compatible servers answer to keys they do not accept.
_REFUSED = {
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "AccessDenied",
    "InvalidToken",
    "ExpiredToken",
    "InvalidSecurity",
    "AuthorizationHeaderMalformed",
    "403",
}
_NO_BUCKET = {"NoSuchBucket"}
_CODE = re.compile(r"[A-Za-z0-9.]{1,64}")


def probe(remote: Remote, options: Mapping[str, str] | None = None) -> None:
    """Return if REMOTE's bucket can be listed; else raise the typed error that says why.

    `RemoteUnreachable`, `RemoteCredentialsRejected` or `RemoteBucketMissing`. OPTIONS: keys,
    `region`, `profile` from DVC's config.
    """
    from botocore.exceptions import (
        BotoCoreError,
        ClientError,
        NoCredentialsError,
        PartialCredentialsError,
        ProfileNotFound,
    )

    options = options or {}
    try:
        client = _client(remote, options)
        client.list_objects_v2(
            Bucket=remote.bucket, Prefix=f"{remote.prefix}/" if remote.prefix else "", MaxKeys=1
        )
    except (NoCredentialsError, PartialCredentialsError, ProfileNotFound) as exc:
        raise credentials_error(remote, f"no credentials: {_reason(exc)}") from None
    except ClientError as exc:
        error: dict[str, Any] = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        if code and not _CODE.fullmatch(code):  # the server's words: shown if plainly a code
            code = "an error"
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code in _NO_BUCKET:
            raise bucket_error(remote) from None
        if code in _REFUSED or status == 403:
            raise credentials_error(remote, f"the server refused them: {code}") from None
        raise unreachable_error(
            remote, f"it answered {code or status} instead of listing the bucket"
        ) from None
    except BotoCoreError as exc:
        raise unreachable_error(remote, _reason(exc)) from None
    except ValueError as exc:  # botocore's checks of an endpoint or region it cannot use
        raise unreachable_error(remote, _reason(exc)) from None


def unreachable_error(remote: Remote, reason: str) -> RemoteUnreachable:
    """The one-line error for a server that did not answer as S3 (REASON says how)."""
    fix = " --endpoint-url URL" if remote.endpoint else " --endpoint-url URL (for non-AWS S3)"
    return RemoteUnreachable(
        f"Cannot reach {remote.shown}: {reason}. Start the server or fix the endpoint "
        f"(`mlproj remote add {remote.url}{fix}`)."
    )


def credentials_error(remote: Remote, reason: str) -> RemoteCredentialsRejected:
    """The one-line error for credentials missing or refused (REASON says which)."""
    return RemoteCredentialsRejected(
        f"Credentials for {remote.shown}: {reason}. Set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY "
        f"or run `mlproj remote add {remote.url} --local-credentials` with them set."
    )


def bucket_error(remote: Remote) -> RemoteBucketMissing:
    """The one-line error for a bucket the server does not have."""
    return RemoteBucketMissing(
        f"Bucket '{remote.bucket}' of {remote.shown} does not exist: create the bucket "
        "(e.g. `aws s3 mb`, your provider's console) or fix the URL."
    )


def _client(remote: Remote, options: Mapping[str, str]) -> Any:
    """A botocore S3 client with short timeouts and one attempt.

    Keys from OPTIONS, or as boto finds them (the environment, ~/.aws).
    """
    from botocore.config import Config

    session = _session(options.get("profile"))
    config = Config(
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT,
        retries={"total_max_attempts": 1, "mode": "standard"},  # no retry
        # Path-style: S3-compatible servers on an IP or a plain host name have no bucket domains.
        s3={"addressing_style": "path"} if remote.endpoint else None,
    )
    return session.create_client(
        "s3",
        endpoint_url=remote.endpoint,
        region_name=options.get("region") or session.get_config_variable("region") or "us-east-1",
        aws_access_key_id=options.get("access_key_id"),
        aws_secret_access_key=options.get("secret_access_key"),
        aws_session_token=options.get("session_token"),
        config=config,
    )


def _session(profile: str | None) -> Any:
    """A fresh session (credentials as the environment is now) with a shared loader.

    The loader reads S3's service model, most of a second, once per process.
    """
    import botocore.session

    session = botocore.session.Session(profile=profile)
    session.register_component("data_loader", _loader())
    return session


@functools.cache
def _loader() -> Any:
    from botocore.loaders import create_loader

    return create_loader()


def _reason(exc: Exception) -> str:
    """EXC's first line, shortened; botocore's messages repeat the URL the caller already names."""
    text = first_line(exc)
    if "Could not connect to the endpoint URL" in text:
        return "connection refused or no route to it"
    if "Connect timeout" in text:
        return f"no connection within {CONNECT_TIMEOUT:g} s"
    if "Read timeout" in text:
        return f"no answer within {READ_TIMEOUT:g} s"
    if "Connection was closed before we received a valid response" in text:
        return "the connection closed without an HTTP answer (is it an S3 server?)"
    if text.startswith("SSL validation failed"):
        return "TLS failed (an http:// server, or a certificate not trusted here?)"
    return re.sub(r"\s*\S+://\S+", "", text)[:160]
