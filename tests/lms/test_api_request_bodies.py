"""Bodies no JSON client would send, to every POST endpoint of /api/v1/ (found by walking
the URL resolver, so a new endpoint is covered without a change here): a multipart body
without a boundary, a form, the wrong content type, invalid JSON or UTF-8, a body over the
upload limit. Each is a 400 with the reason in the API's JSON shape, with CSRF enforced as
in a browser and with DEBUG on as in the demo (django-ninja answered a traceback there),
and nothing stored changes."""

from __future__ import annotations

import inspect
import re

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import UserFactory, in_english

from .test_api_bad_input import stored

pytestmark = pytest.mark.django_db

TOKEN = "k" * 32
TOO_BIG = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1

BODIES = [
    ("multipart without a boundary", "multipart/form-data", b'--x\r\n{"module_id": 1}'),
    ("multipart with an empty boundary", "multipart/form-data; boundary=", b"--\r\n"),
    (
        "multipart, well formed",
        "multipart/form-data; boundary=BoUnDaRy",
        b'--BoUnDaRy\r\nContent-Disposition: form-data; name="module_id"\r\n\r\n1\r\n'
        b"--BoUnDaRy--\r\n",
    ),
    ("a form", "application/x-www-form-urlencoded", b"module_id=1&step_id=a"),
    ("plain text", "text/plain", b'{"module_id": 1, "step_id": "a"}'),
    ("no content type", "", b'{"module_id": 1, "step_id": "a"}'),
    ("not JSON", "application/json", b"{module_id: 1"),
    ("not UTF-8", "application/json", b'{"step_id": "\xff\xfe"}'),
    ("an unknown charset", "application/json; charset=klingon", b'{"module_id": 1}'),
    ("too large", "application/json", b'{"a": "' + b"x" * TOO_BIG + b'"}'),
    ("a multipart too large", "multipart/form-data; boundary=B", b"--B\r\n" + b"x" * TOO_BIG),
]


def _walk(resolver: URLResolver, prefix: str, namespace: str):
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry, route, entry.namespace or namespace)
        elif isinstance(entry, URLPattern) and namespace == "api-v1":
            yield "/" + re.sub(r"<(?:\w+:)?\w+>", "1", route), entry


def api_post_urls() -> list[str]:
    """Every /api/v1/ URL that answers POST, its path parameters filled in."""
    urls = []
    for url, entry in _walk(get_resolver(), "", ""):
        # django-ninja's view closes over its PathView, which holds the operations (the
        # schema's documents are partials, GET only).
        if not inspect.isfunction(entry.callback):
            continue
        view = inspect.getclosurevars(entry.callback).nonlocals.get("self")
        operations = getattr(view, "operations", [])
        if any("POST" in operation.methods for operation in operations):
            urls.append(url)
    return urls


def test_the_resolver_walk_finds_the_apis_post_endpoints():
    urls = api_post_urls()
    assert "/api/v1/progress/heartbeat" in urls
    assert "/api/v1/quizzes/attempts/1/submit" in urls
    assert "/api/v1/me/progress" not in urls  # GET only


@pytest.mark.parametrize("debug", [False, True], ids=["production", "demo"])
def test_every_post_endpoint_answers_a_body_it_cannot_read_with_400_and_the_reason(debug):
    client = in_english(Client(enforce_csrf_checks=True))
    client.force_login(UserFactory())
    client.cookies[settings.CSRF_COOKIE_NAME] = TOKEN
    before = stored()
    failures = []
    with override_settings(DEBUG=debug):
        for url in api_post_urls():
            for what, content_type, body in BODIES:
                response = client.generic(
                    "POST", url, data=body, content_type=content_type,
                    headers={"X-CSRFToken": TOKEN},
                )  # fmt: skip
                detail = None
                if response.get("Content-Type", "").startswith("application/json"):
                    detail = response.json().get("detail")
                if response.status_code != 400 or not isinstance(detail, str) or not detail:
                    failures.append((url, what, response.status_code, response.content[:120]))
    assert failures == []
    assert stored() == before


def test_a_json_body_still_gets_through(client):
    """The rules above do not refuse what the player sends: JSON, with or without a charset."""
    client.force_login(UserFactory())
    for content_type in ("application/json", "application/json; charset=utf-8"):
        response = client.generic(
            "POST", "/api/v1/progress/complete", data=b'{"module_id": 999999, "step_id": "a"}',
            content_type=content_type,
        )  # fmt: skip
        assert response.status_code == 404, content_type  # read, and no such module
