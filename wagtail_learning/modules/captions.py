"""Which caption track the player turns on."""

from __future__ import annotations

from django.conf import settings


def default_caption_track(tracks):
    """The first track the editor set on; else, unless the editor set it off, the first
    track in the site's language (LANGUAGE_CODE, Swedish). None: all start off."""
    tracks = list(tracks)
    chosen = next((track for track in tracks if track.is_default is True), None)
    if chosen is not None:
        return chosen
    site_language = settings.LANGUAGE_CODE.split("-")[0]
    return next((t for t in tracks if t.language == site_language and t.is_default is None), None)
