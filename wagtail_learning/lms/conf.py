"""The engine's own settings, read in one place with their defaults. Settings other apps
share (the public base URL) are read here too and reach them through `lms.api`."""

from django.conf import settings

from wagtail_learning.defaults import value


def x_accel_redirect_prefix(storage_alias: str) -> str:
    """Prefix of the nginx internal location that maps to a storage's root, or '' to let
    Django stream the file itself."""
    return (value("LMS_X_ACCEL_REDIRECT") or {}).get(storage_alias, "") or ""


def signed_url_seconds() -> int:
    """How long a link to a protected file in object storage works (LMS_S3_URL_EXPIRY_SECONDS):
    the access check is made again when it has expired."""
    return int(value("LMS_S3_URL_EXPIRY_SECONDS"))


def max_playback_rate() -> float:
    """The highest playback rate the player offers; caps how much watch time is credited."""
    return float(value("LMS_MAX_PLAYBACK_RATE"))


def public_base_url() -> str:
    """The site's public address for links that leave it (emails, certificate QR codes):
    LMS_PUBLIC_BASE_URL, else WAGTAILADMIN_BASE_URL."""
    return value("LMS_PUBLIC_BASE_URL") or getattr(settings, "WAGTAILADMIN_BASE_URL", "")


def public_url(path: str) -> str:
    """An absolute link to `path` (a site path such as reverse() gives)."""
    return public_base_url().rstrip("/") + path


def cache_until_edit() -> bool:
    """Whether what only an edit changes (module lists, sites, view restrictions) is kept
    in the cache between requests (lms.snapshots.cached_until_edit): only with a cache every
    process shares (Redis), where an edit's new generation reaches them all at once.
    LMS_CACHE_UNTIL_EDIT; by default on when REDIS_URL is set."""
    return bool(value("LMS_CACHE_UNTIL_EDIT"))
