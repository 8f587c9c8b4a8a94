"""The engine's own settings, read in one place with their defaults."""

from django.conf import settings


def x_accel_redirect_prefix(storage_alias: str) -> str:
    """Prefix of the nginx internal location that maps to a storage's root, or '' to let
    Django stream the file itself."""
    return (getattr(settings, "LMS_X_ACCEL_REDIRECT", {}) or {}).get(storage_alias, "") or ""


def max_playback_rate() -> float:
    """The highest playback rate the player offers; caps how much watch time is credited."""
    return float(getattr(settings, "LMS_MAX_PLAYBACK_RATE", 2.0))
