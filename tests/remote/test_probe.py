"""The probe's verdicts on servers that are not there, hang, or are not S3: fast, one line."""

from __future__ import annotations

import time

import pytest

from mlproj.errors import RemoteCredentialsRejected, RemoteUnreachable
from mlproj.remote import parse_remote, probe
from mlproj.remote import server as probe_module
from tests.remote.conftest import closed_port


def test_a_server_that_is_down_is_exit_40_naming_the_remote_and_the_fix(
    keys: tuple[str, str],
) -> None:
    endpoint = f"http://127.0.0.1:{closed_port()}"
    remote = parse_remote("s3://bucket/p", endpoint)
    with pytest.raises(RemoteUnreachable) as raised:
        probe(remote)
    assert raised.value.exit_code == 40
    assert str(raised.value) == (
        f"Cannot reach remote 'storage' (s3://bucket/p at {endpoint}): connection refused or no "
        "route to it. Start the server or fix the endpoint "
        "(`mlproj remote add s3://bucket/p --endpoint-url URL`)."
    )


def test_a_server_that_hangs_fails_within_the_read_timeout(
    keys: tuple[str, str], silent_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(probe_module, "READ_TIMEOUT", 0.3)
    started = time.monotonic()
    with pytest.raises(RemoteUnreachable) as raised:
        probe(parse_remote("s3://bucket/p", silent_server))
    assert time.monotonic() - started < 1
    assert ": no answer within 0.3 s. Start the server or fix the endpoint" in str(raised.value)


def test_a_web_server_that_is_not_s3_is_unreachable_not_a_missing_bucket(
    keys: tuple[str, str], web_server: str
) -> None:
    with pytest.raises(RemoteUnreachable) as raised:
        probe(parse_remote("s3://bucket/p", web_server))
    assert (
        f"(s3://bucket/p at {web_server}): it answered 404 instead of listing the bucket."
        in str(raised.value)
    )


def test_no_keys_anywhere_is_exit_41_saying_where_they_go(
    no_keys: None, monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/config")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    endpoint = f"http://127.0.0.1:{closed_port()}"
    with pytest.raises(RemoteCredentialsRejected) as raised:
        probe(parse_remote("s3://bucket/p", endpoint))
    assert raised.value.exit_code == 41
    assert str(raised.value) == (
        f"Credentials for remote 'storage' (s3://bucket/p at {endpoint}): no credentials: Unable "
        "to locate credentials. Set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or run "
        "`mlproj remote add s3://bucket/p --local-credentials` with them set."
    )


def test_an_endpoint_that_does_not_speak_http_is_unreachable(keys: tuple[str, str]) -> None:
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)

    def banner() -> None:  # an SSH server's greeting, then the connection closes
        try:
            for _ in range(4):
                connection = listener.accept()[0]
                connection.sendall(b"SSH-2.0-OpenSSH_9.6\r\n")
                connection.close()
        except OSError:  # the listener closed when the test ended
            pass

    threading.Thread(target=banner, daemon=True).start()
    endpoint = f"http://127.0.0.1:{listener.getsockname()[1]}"
    with pytest.raises(RemoteUnreachable) as raised:
        probe(parse_remote("s3://bucket/p", endpoint))
    listener.close()
    assert str(raised.value).startswith(
        f"Cannot reach remote 'storage' (s3://bucket/p at {endpoint}): the connection closed "
        "without an HTTP answer (is it an S3 server?). Start the server or fix the endpoint"
    )
