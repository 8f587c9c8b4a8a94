"""A lecture video kept across a failed save of the lecture form, so a large recording is
not uploaded twice. The file waits in protected storage under lectures/pending/; the
re-rendered form carries only a signed reference to it (a forged or expired one is
refused); the sweep removes what was never saved."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePosixPath

from django.core import signing
from django.core.files import File
from django.utils import timezone
from django.utils.text import get_valid_filename

from wagtail_learning.defaults import value
from wagtail_learning.lms.api import protected_storage

PREFIX = "lectures/pending/"
_SALT = "modules.lecture.pending-video"


class PendingUploadRefused(Exception):
    """The reference was forged, has expired, or its file is gone."""


@dataclass(frozen=True)
class PendingUpload:
    token: str
    name: str


class PendingFile(File):
    """A kept upload, handed to the form as if it had just been uploaded."""

    def __init__(self, path: str, name: str):
        super().__init__(protected_storage().open(path, "rb"), name=name)
        self.pending_path = path

    @property
    def size(self):  # type: ignore[override]
        return protected_storage().size(self.pending_path)

    def temporary_file_path(self) -> str:
        # ffprobe reads the kept file where it lies (local storage) instead of a copy; in a
        # bucket there is no path (NotImplementedError) and it reads a copy.
        return protected_storage().path(self.pending_path)


def keep_upload(upload) -> PendingUpload:
    """Store an upload of a form that failed to save; return its signed reference."""
    existing = getattr(upload, "pending_path", None)
    name = PurePosixPath(upload.name).name
    if existing is None:
        upload.seek(0)
        folder = f"{PREFIX}{uuid.uuid4().hex}/"
        existing = protected_storage().save(folder + get_valid_filename(name), upload)
        upload.seek(0)
    token = signing.dumps({"path": existing, "name": name}, salt=_SALT)
    return PendingUpload(token=token, name=name)


def open_pending(token: str) -> PendingFile:
    """The kept file behind a reference; raises PendingUploadRefused."""
    max_age = timedelta(hours=value("LMS_LECTURE_PENDING_UPLOAD_HOURS"))
    try:
        data = signing.loads(token, salt=_SALT, max_age=max_age)
    except signing.BadSignature as exc:  # includes SignatureExpired
        raise PendingUploadRefused from exc
    if not isinstance(data, dict):
        raise PendingUploadRefused
    path, name = data.get("path", ""), data.get("name", "")
    if not (isinstance(path, str) and path.startswith(PREFIX) and ".." not in path):
        raise PendingUploadRefused
    if not protected_storage().exists(path):
        raise PendingUploadRefused
    return PendingFile(path, name)


def discard_pending(path: str) -> None:
    if path.startswith(PREFIX):
        protected_storage().delete(path)


def sweep_pending_uploads() -> int:
    """Delete kept uploads older than their references' lifetime; returns how many."""
    cutoff = timezone.now() - timedelta(hours=value("LMS_LECTURE_PENDING_UPLOAD_HOURS"))
    removed = 0
    try:
        folders, _files = protected_storage().listdir(PREFIX)
    except FileNotFoundError:
        return 0
    for folder in folders:
        _sub, files = protected_storage().listdir(PREFIX + folder)
        for filename in files:
            path = f"{PREFIX}{folder}/{filename}"
            if protected_storage().get_modified_time(path) < cutoff:
                protected_storage().delete(path)
                removed += 1
    return removed
