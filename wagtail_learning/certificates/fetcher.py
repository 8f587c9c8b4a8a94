"""A weasyprint URL fetcher that serves only our own static and media files and data: URLs.

weasyprint's default fetcher follows file:// and network URLs, so an editor-authored design
could embed a local file into the PDF or reach internal addresses. This one never touches
the network or the file system outside our storages, and follows no redirects.
"""

from __future__ import annotations

import mimetypes
import posixpath
from urllib import request
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.storage import default_storage
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Documents are rendered with this base URL, so "/static/x.css" resolves to
# "lms-asset:/static/x.css" and nothing else can look like one of ours.
ASSET_SCHEME = "lms-asset"
BASE_URL = f"{ASSET_SCHEME}:/"


def _local_path(url: str) -> tuple[str, str] | None:
    """('static'|'media', relative path) for one of our asset URLs, else None."""
    parts = urlsplit(url)
    if parts.scheme not in (ASSET_SCHEME, ""):
        return None
    if parts.netloc:
        return None
    path = posixpath.normpath(unquote(parts.path))
    if "\x00" in path or path.startswith("//"):
        return None
    static_url = "/" + settings.STATIC_URL.strip("/") + "/"
    media_url = "/" + settings.MEDIA_URL.strip("/") + "/"
    for kind, prefix in (("static", static_url), ("media", media_url)):
        if path.startswith(prefix):
            relative = path[len(prefix) :]
            if relative and not relative.startswith("/") and ".." not in relative.split("/"):
                return kind, relative
    return None


def is_allowed_url(url: str) -> bool:
    """Would the fetcher serve this reference? (data: URLs, our /static/ and /media/.)"""
    return url.startswith("data:") or _local_path(url) is not None


class SafeURLFetcher(URLFetcher):
    """Serves data: URLs and our own static and media files; refuses everything else.

    Refused URLs are remembered in `refused`, so the caller can tell the editor.
    """

    def __init__(self, *args, **kwargs):
        kwargs["allowed_protocols"] = ("data",)
        kwargs["allow_redirects"] = False
        super().__init__(*args, **kwargs)
        # weasyprint's URLFetcher installs urllib's HTTP, HTTPS, FTP, file and proxy
        # handlers; keep only data:, so no code path can reach the network or the disk.
        request.OpenerDirector.__init__(self)
        self.add_handler(request.DataHandler())
        self.refused: list[str] = []

    def _refuse(self, url: str) -> None:
        if url not in self.refused:
            self.refused.append(url)

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        local = _local_path(url)
        if local is None:
            self._refuse(url)
            raise ValueError(f"Refused to fetch {url!r}: not one of our static or media files.")
        kind, relative = local
        content_type = mimetypes.guess_type(relative)[0] or "application/octet-stream"
        if kind == "static":
            found = finders.find(relative)
            if not found:
                self._refuse(url)
                raise ValueError(f"No static file {relative!r}.")
            with open(found, "rb") as handle:
                body = handle.read()
        else:
            if not default_storage.exists(relative):
                self._refuse(url)
                raise ValueError(f"No media file {relative!r}.")
            with default_storage.open(relative, "rb") as handle:
                body = handle.read()
        return URLFetcherResponse(url, body, {"Content-Type": content_type})
