"""Serving protected files: access is checked by the caller, this hands the bytes out.

One entry point, `serve_protected_file`; the storage decides how the bytes travel:

- local storage: handed to nginx with X-Accel-Redirect (LMS_X_ACCEL_REDIRECT), or Django
  answers single byte ranges itself (Django has no HTTP Range support, and browsers need it
  to seek in a video, Safari to play at all);
- object storage (a private S3-compatible bucket): a redirect to a signed link that works
  for LMS_S3_URL_EXPIRY_SECONDS, which the object store answers, Ranges included; or, with
  an X-Accel-Redirect prefix, nginx fetches that signed link for us (same origin).
"""

from __future__ import annotations

import mimetypes
import os
import re
from collections.abc import Iterator
from urllib.parse import quote, urlsplit

from django.core.files.storage import storages
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.utils.translation import gettext as _

from wagtail_learning import defaults

from .. import conf
from ..storage import is_object_storage, signed_url

__all__ = ["parse_range_header", "refuse_file", "serve_protected_file"]

_RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")
_CHUNK = 64 * 1024


class RangeNotSatisfiable(Exception):
    pass


def parse_range_header(header: str, size: int) -> tuple[int, int] | None:
    """Return the inclusive (start, end) of a single byte range, or None to send it all.

    Multi-range and malformed headers are ignored (RFC 9110 lets a server send the whole
    representation instead). Raises RangeNotSatisfiable when the range lies past the end.
    """
    match = _RANGE_RE.match(header.strip().replace(" ", ""))
    if not match:
        return None
    first, last = match.groups()
    if first == "" and last == "":
        return None
    if first == "":
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiable
        return max(size - suffix, 0), size - 1
    start = int(first)
    if last and int(last) < start:
        return None  # an invalid range-spec, not an unsatisfiable one
    # Checked before the end is filled in: "bytes=<size>-" must be a 416, not the whole file.
    if start >= size:
        raise RangeNotSatisfiable
    end = int(last) if last else size - 1
    return start, min(end, size - 1)


def _iter_file(handle, start: int, length: int) -> Iterator[bytes]:
    try:
        handle.seek(start)
        remaining = length
        while remaining > 0:
            chunk = handle.read(min(_CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        handle.close()


def serve_protected_file(
    request: HttpRequest,
    *,
    storage_alias: str,
    name: str,
    content_type: str | None = None,
    download_name: str | None = None,
    same_origin: bool = False,
) -> HttpResponse:
    """Answer a request for a file the caller has already authorised.

    `storage_alias` names the entry of STORAGES the file lives in. When an nginx internal
    location is configured for that storage (LMS_X_ACCEL_REDIRECT), the response is an
    empty 200 with X-Accel-Redirect so nginx serves the bytes (and the Range): from its
    folder, or fetched from the object store by the signed link. Object storage without
    it: a 302 to the signed link, unless `same_origin` (a caption track, which a browser
    loads cross-origin only with CORS): then Django streams it as for local storage, 200
    with the whole file, 206 for a single satisfiable range, 416 for an unsatisfiable one.
    Raises FileNotFoundError when the file is missing from storage (not checked for a
    signed link: the object store answers 404 itself).
    """
    content_type = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    disposition = f"inline; filename*=UTF-8''{quote(download_name or os.path.basename(name))}"
    storage = storages[storage_alias]
    prefix = conf.x_accel_redirect_prefix(storage_alias)
    in_bucket = is_object_storage(storage)
    if in_bucket and (prefix or not same_origin):
        url = signed_url(
            storage,
            name,
            expire=defaults.value("LMS_S3_URL_EXPIRY_SECONDS"),
            content_type=content_type,
            content_disposition=disposition,
        )
        if prefix:
            parts = urlsplit(url)
            response = HttpResponse(content_type=content_type)
            response["X-Accel-Redirect"] = f"{prefix.rstrip('/')}{parts.path}?{parts.query}"
        else:
            response = HttpResponseRedirect(url)
        # The link expires: neither this answer nor the link may be kept and reused.
        response["Cache-Control"] = "private, no-store"
        return response
    if prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(name)
        response["Cache-Control"] = "private, max-age=3600"
        return response

    size = storage.size(name)
    header = request.headers.get("Range", "")
    try:
        byte_range = parse_range_header(header, size) if header else None
    except RangeNotSatisfiable:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        response["Accept-Ranges"] = "bytes"
        return response

    handle = storage.open(name, "rb")
    if byte_range is None:
        response: HttpResponse = FileResponse(handle, content_type=content_type)
        response["Content-Length"] = str(size)
    else:
        start, end = byte_range
        length = end - start + 1
        response = StreamingHttpResponse(
            _iter_file(handle, start, length), status=206, content_type=content_type
        )
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = disposition
    return response


def refuse_file(decision) -> HttpResponse:
    """The answer for a protected file the user may not have (an AccessDecision): a plain
    403 with the reason."""
    return HttpResponseForbidden(decision.message or _("You do not have access to this file."))
