"""The engine's settings that take more than reading (`defaults.value` reads the rest).
Settings other apps share (the public base URL) are read here too and reach them through
`lms.api`."""

from django.conf import settings

from wagtail_learning.defaults import value


def x_accel_redirect_prefix(storage_alias: str) -> str:
    """Prefix of the nginx internal location that maps to a storage's root, or '' to let
    Django stream the file itself."""
    return (value("LMS_X_ACCEL_REDIRECT") or {}).get(storage_alias, "") or ""


def public_base_url() -> str:
    """The site's public address for links that leave it (emails, certificate QR codes):
    LMS_PUBLIC_BASE_URL, else WAGTAILADMIN_BASE_URL."""
    return value("LMS_PUBLIC_BASE_URL") or getattr(settings, "WAGTAILADMIN_BASE_URL", "")


def public_url(path: str) -> str:
    """An absolute link to `path` (a site path such as reverse() gives)."""
    return public_base_url().rstrip("/") + path
