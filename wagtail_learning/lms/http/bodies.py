"""How the JSON API reads a request body, and what it answers when it cannot: one parser and
one table of refusals for every endpoint of the API, so no endpoint can forget one.

A body is read in two places: django-ninja's session auth runs Django's CSRF check, which
reads `request.POST` (and so parses a multipart or form body), and then the parser reads
`request.body` as JSON. Whatever goes wrong in either (a multipart body without a boundary,
a body over DATA_UPLOAD_MAX_MEMORY_SIZE, a stream the CSRF check already consumed, text that
is not UTF-8 or not JSON) is a 400 whose `detail` says why, in the API's JSON shape, with
DEBUG on or off (django-ninja answered a traceback under DEBUG, and Django an HTML page
without it)."""

from __future__ import annotations

import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.http.request import RawPostDataException
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.parser import Parser

__all__ = ["BodyError", "JsonBodyParser", "install_body_errors"]

JSON_TYPES = ("application/json",)


class BodyError(Exception):
    """The body cannot be read as the API's JSON; `message` says why, for the client."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _send_json() -> str:
    return _("Send the request body as JSON (Content-Type: application/json).")


def _too_large() -> str:
    megabytes = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
    return _("The request body is too large (at most %(mb)s MB).") % {"mb": f"{megabytes:g}"}


class JsonBodyParser(Parser):
    """JSON only, in UTF-8: a form, plain text or an unknown charset is refused by name
    rather than read by luck."""

    def parse_body(self, request: HttpRequest):
        media_type = (request.content_type or "").lower()
        if media_type not in JSON_TYPES and not media_type.endswith("+json"):
            raise BodyError(_send_json())
        charset = request.content_params.get("charset", "utf-8").strip().lower()
        if charset not in ("utf-8", "utf8"):
            raise BodyError(_("Send the request body in UTF-8 (charset=utf-8)."))
        try:
            text = request.body.decode("utf-8")
        except UnicodeDecodeError:
            raise BodyError(_("The request body is not valid UTF-8.")) from None
        try:
            return json.loads(text)
        except (ValueError, RecursionError):
            raise BodyError(_("The request body is not valid JSON.")) from None


def _answer(api: NinjaAPI, request: HttpRequest, message: str, status: int = 400):
    return api.create_response(request, {"detail": message}, status=status)


def install_body_errors(api: NinjaAPI) -> None:
    """Answer every way a body cannot be read with a 400 and its reason."""

    def http_error(request, exc: HttpError):
        # django-ninja wraps whatever the parser raises in HttpError(400, "Cannot parse
        # request body"); the parser's own reason is the cause.
        cause = exc.__cause__
        if isinstance(cause, BodyError):
            return _answer(api, request, cause.message)
        return _answer(api, request, str(exc), exc.status_code)

    def not_json(request, exc):
        # The CSRF check parsed a multipart or form body (or failed to: no boundary), or
        # consumed its stream so that the JSON parser cannot read it.
        return _answer(api, request, _send_json())

    def too_large(request, exc):
        return _answer(api, request, _too_large())

    def too_many(request, exc):
        return _answer(api, request, _("The request body has too many fields or files."))

    def unreadable(request, exc):
        return _answer(api, request, _("The request body could not be read to its end."))

    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(MultiPartParserError, not_json)
    api.add_exception_handler(RawPostDataException, not_json)
    api.add_exception_handler(RequestDataTooBig, too_large)
    api.add_exception_handler(TooManyFieldsSent, too_many)
    api.add_exception_handler(TooManyFilesSent, too_many)
    api.add_exception_handler(UnreadablePostError, unreadable)
