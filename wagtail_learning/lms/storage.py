"""Where protected files live: a storage no URL maps to, handed out only by
access-checked views (lms.http.files). STORAGES["protected"] is the local folder
PROTECTED_MEDIA_ROOT by default, or a private bucket of an S3-compatible object store
(django-storages' S3Storage) when LMS_S3_BUCKET is set.

Files go when their rows go: `delete_files_with` ties a model's file fields to the stored
objects, so deleting a lecture, a caption track or a certificate (or replacing its file)
deletes the object too, once the transaction has committed.
"""

from __future__ import annotations

from django.core.files.storage import Storage, default_storage, storages
from django.core.signals import setting_changed
from django.db import transaction
from django.db.models.signals import post_delete, post_init, post_save
from django.utils.functional import LazyObject, empty

__all__ = [
    "delete_files_with",
    "is_object_storage",
    "protected_storage",
    "signed_url",
    "storage_alias_of",
]


class _AliasedStorage(LazyObject):
    """STORAGES[alias], looked up when first used and again after the setting changes (as
    Django's default_storage is): model fields hold this, so a test (or a management
    command) that configures another storage reaches them too. It carries its alias, so
    the views that hand out a field's file know which storage to name
    (`storage_alias_of`)."""

    def __init__(self, alias: str):
        super().__init__()
        self.__dict__["storage_alias"] = alias  # on the wrapper, not the storage it wraps

    def _setup(self):
        self._wrapped = storages[self.storage_alias]


_protected = _AliasedStorage("protected")


def _forget_protected(*, setting, **kwargs):
    if setting == "STORAGES":
        _protected._wrapped = empty


setting_changed.connect(_forget_protected, dispatch_uid="lms-protected-storage")


def protected_storage() -> Storage:
    """The storage for files only access-checked views hand out (video, captions,
    certificates, uploaded imports)."""
    return _protected  # type: ignore[return-value]


def storage_alias_of(storage: Storage) -> str:
    """The STORAGES alias of a field's storage: the one the protected storage carries, or
    "default" for Django's default storage (FileField's own)."""
    if isinstance(storage, _AliasedStorage):
        return storage.storage_alias
    if storage is default_storage:
        return "default"
    raise LookupError("This storage is not one of STORAGES['protected'] or ['default'].")


def _s3_storage_class():
    try:
        from storages.backends.s3 import S3Storage
    except ImportError:  # django-storages is the "s3" extra: without it nothing is in a bucket
        return None
    return S3Storage


def is_object_storage(storage: Storage) -> bool:
    """Whether files in `storage` live in an S3-compatible bucket (they have no local
    path; the bucket serves their bytes, and byte ranges, itself)."""
    if isinstance(storage, LazyObject):
        if storage._wrapped is empty:
            storage._setup()
        storage = storage._wrapped
    s3_storage = _s3_storage_class()
    return s3_storage is not None and isinstance(storage, s3_storage)


def signed_url(
    storage: Storage,
    name: str,
    *,
    expire: int,
    content_type: str,
    content_disposition: str,
) -> str:
    """A link to an object in a private bucket that works for `expire` seconds, for GET
    only, and makes the object store answer with this Content-Type and
    Content-Disposition (response-content-type/-disposition, signed with the rest)."""
    return storage.url(
        name,
        parameters={
            "ResponseContentType": content_type,
            "ResponseContentDisposition": content_disposition,
        },
        expire=expire,
        http_method="GET",
    )


# --- Files go with their rows ------------------------------------------------------------


def _stored_name(instance, field_name: str) -> str:
    value = instance.__dict__.get(field_name)
    if value is None:
        return ""
    return str(getattr(value, "name", value) or "")


def delete_files_with(model, *field_names: str, shared: bool = False) -> None:
    """Delete the stored file a row of `model` names in each of `field_names` (FileFields
    on the protected or default storage) when the row is deleted or names another file
    after a save, once the transaction commits: a rolled-back deletion keeps its file.

    `shared`: rows may name the same file (a copied lecture shares its video): it is
    deleted only when no row of `model` names it any more. Otherwise no query is made."""
    fields = [model._meta.get_field(name) for name in field_names]
    original = f"_lms_stored_files_{model._meta.label_lower.replace('.', '_')}"

    def forget(name: str, field) -> None:
        if not name:
            return

        def delete() -> None:
            if shared and model._default_manager.filter(**{field.name: name}).exists():
                return
            field.storage.delete(name)

        transaction.on_commit(delete)

    def remember(sender, instance, **kwargs):
        # What a stored row names: not a new row's upload (its name is not yet the stored
        # one), nor a deferred field (reading it would be a query).
        if instance.pk is None:
            return
        instance.__dict__[original] = {
            field.attname: _stored_name(instance, field.attname)
            for field in fields
            if field.attname in instance.__dict__
            and getattr(instance.__dict__[field.attname], "_committed", True)
        }

    def after_save(sender, instance, created, update_fields=None, **kwargs):
        before = instance.__dict__.get(original) or {}
        for field in fields:
            if update_fields is not None and field.name not in update_fields:
                continue
            now = _stored_name(instance, field.attname)
            then = before.get(field.attname, "")
            if then and then != now:
                forget(then, field)
        remember(sender, instance)

    def after_delete(sender, instance, **kwargs):
        for field in fields:
            forget(_stored_name(instance, field.attname), field)

    uid = f"lms-files-{model._meta.label_lower}"
    post_init.connect(remember, sender=model, weak=False, dispatch_uid=uid)
    post_save.connect(after_save, sender=model, weak=False, dispatch_uid=uid)
    post_delete.connect(after_delete, sender=model, weak=False, dispatch_uid=uid)
