"""`s3://BUCKET/PREFIX`, the endpoint and the name: what passes, and the one line for what not."""

from __future__ import annotations

import pytest

from mlproj.errors import InvalidRemote
from mlproj.remote import parse_remote


def test_a_url_gives_bucket_prefix_and_endpoint() -> None:
    remote = parse_remote("s3://my-bucket/teams/churn/", "http://127.0.0.1:8333/", "store_1")
    assert (remote.name, remote.bucket, remote.prefix) == ("store_1", "my-bucket", "teams/churn")
    assert remote.endpoint == "http://127.0.0.1:8333"
    assert remote.url == "s3://my-bucket/teams/churn"
    assert remote.shown == "remote 'store_1' (s3://my-bucket/teams/churn at http://127.0.0.1:8333)"
    assert parse_remote("s3://bucket").url == "s3://bucket"
    assert parse_remote("s3://bucket").shown == "remote 'storage' (s3://bucket)"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "gs://bucket/x",
            "Remote URL 'gs://bucket/x' is not s3://BUCKET/PREFIX (gs://); mlproj configures "
            "S3-compatible storage only (S3, MinIO, SeaweedFS, R2...).",
        ),
        (
            "/srv/dvc",
            "Remote URL '/srv/dvc' is not s3://BUCKET/PREFIX (no scheme); mlproj configures "
            "S3-compatible storage only (S3, MinIO, SeaweedFS, R2...).",
        ),
        (
            "s3://My_Bucket/x",
            "Remote URL 's3://My_Bucket/x': 'My_Bucket' is not a valid bucket name (3-63 "
            "lower-case letters, digits, '.' and '-', a letter or digit at each end).",
        ),
        (
            's3://b"k/x',
            "Remote URL 's3://b\"k/x': 'b\"k' is not a valid bucket name (3-63 lower-case "
            "letters, digits, '.' and '-', a letter or digit at each end).",
        ),
    ],
    ids=["other-scheme", "a-path", "bucket-case", "bucket-quote"],
)
def test_a_bad_url_is_one_line_saying_what_is_wrong(url: str, message: str) -> None:
    with pytest.raises(InvalidRemote) as raised:
        parse_remote(url)
    assert str(raised.value) == message
    assert raised.value.exit_code == 5


@pytest.mark.parametrize(
    "url",
    [
        "s3://ab/x",  # too short
        "s3://a..b/x",
        "s3://192.168.1.1/x",
        "s3://bucket-/x",
        "s3://bucket/a/../b",
        "s3://bucket/./b",
        "s3://bucket/a//b",
        "s3://bucket/has space",
        "s3://bucket/it's",
        's3://bucket/"quoted"',
        "s3://bucket/line\nbreak",
        "s3://bucket/$(id)",
        "s3://bucket/x;rm -rf",
        "s3://bucket/-flag",
    ],
)
def test_hostile_urls_are_refused(url: str) -> None:
    with pytest.raises(InvalidRemote):
        parse_remote(url)


@pytest.mark.parametrize(
    ("endpoint", "message"),
    [
        (
            "ftp://host:21",
            "--endpoint-url 'ftp://host:21' is not an http:// or https:// URL "
            "(e.g. http://127.0.0.1:8333).",
        ),
        (
            "127.0.0.1:8333",
            "--endpoint-url '127.0.0.1:8333' is not an http:// or https:// URL "
            "(e.g. http://127.0.0.1:8333).",
        ),
        (
            "http://admin:hunter2@minio:9000",
            "--endpoint-url http://... holds a user name or password, which would be committed "
            "in .dvc/config: give keys through AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.",
        ),
        ("http://host:99999", "--endpoint-url 'http://host:99999' has no valid host and port."),
        (
            "http://h ost",
            "--endpoint-url 'http://h ost' has spaces, quotes or control characters.",
        ),
        (
            "http://host/a?x=1",
            "--endpoint-url 'http://host/a?x=1' must be a plain URL: no '?', '#' or '..'.",
        ),
    ],
    ids=["ftp", "no-scheme", "password", "port", "space", "query"],
)
def test_a_bad_endpoint_is_one_line_and_never_echoes_a_password(
    endpoint: str, message: str
) -> None:
    with pytest.raises(InvalidRemote) as raised:
        parse_remote("s3://bucket/x", endpoint)
    assert str(raised.value) == message
    assert "hunter2" not in str(raised.value)


@pytest.mark.parametrize("name", ["", "a b", "-x", "x/y", 'x"', "a" * 65])
def test_a_bad_name_is_refused(name: str) -> None:
    with pytest.raises(InvalidRemote, match="is not a plain name"):
        parse_remote("s3://bucket/x", None, name)
