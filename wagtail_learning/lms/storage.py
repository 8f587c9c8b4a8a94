"""Where protected files live: a storage no URL maps to, handed out only by
access-checked views (lms.http.files)."""

from __future__ import annotations

from django.core.files.storage import Storage, default_storage, storages

__all__ = ["protected_storage", "storage_alias_of"]


def protected_storage() -> Storage:
    """The storage for files only access-checked views hand out (video, captions)."""
    return storages["protected"]


def storage_alias_of(storage: Storage) -> str:
    """The STORAGES alias a field's storage instance was configured under."""
    if storage is default_storage:  # a lazy wrapper: neither `is` nor type() below match it
        return "default"
    for alias in ("protected", "default"):
        candidate = storages[alias]
        if candidate is storage or (
            type(candidate) is type(storage)
            and getattr(candidate, "location", None) == getattr(storage, "location", object())
        ):
            return alias
    raise LookupError("This storage is not one of STORAGES['protected'] or ['default'].")
