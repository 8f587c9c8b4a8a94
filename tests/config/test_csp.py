"""Every response carries a Content-Security-Policy under which a page loads only what this
site serves: no other host's scripts, styles, images, media, fonts or connections, and no
inline script or style on learner pages (the certificate's <style> has the request's
nonce). Wagtail's admin, which needs them, gets inline scripts and styles, nothing more."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from tests.factories import (
    CertificateFactory,
    ModulePageFactory,
    SuperuserFactory,
    UserFactory,
    enrolled_learner,
    lecture_step,
    lecture_with_captions,
    reading_step,
    route,
)
from wagtail_learning.certificates.models import Certificate

pytestmark = pytest.mark.django_db

SITE = "http://testserver"
FOREIGN = [
    "https://evil.example/x.png",
    "http://evil.example/track.js",
    "//evil.example/x.css",
    "https://cdn.jsdelivr.net/npm/swagger-ui-dist/swagger-ui-bundle.js",
    "http://169.254.169.254/latest/meta-data/",
]
FETCHES = ["script-src", "style-src", "img-src", "media-src", "font-src", "connect-src"]


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def allows(directives: dict[str, list[str]], directive: str, url: str) -> bool:
    """Would a browser on SITE fetch `url` for `directive`? (CSP level 3 source matching,
    enough for the sources this site uses: 'self', schemes and host origins.)"""
    sources = directives.get(directive, directives.get("default-src", []))
    target = urlsplit(url if "//" in url or ":" in url.split("/")[0] else SITE + url)
    if url.startswith("//"):
        target = urlsplit("http:" + url)
    origin = f"{target.scheme}://{target.netloc}"
    for source in sources:
        if source == "'self'" and origin == SITE:
            return True
        if source.endswith(":") and target.scheme == source[:-1]:
            return True
        if "://" in source and origin == source.rstrip("/"):
            return True
    return False


def assert_only_our_own(response, *, inline_code: bool = False) -> dict:
    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    for directive in FETCHES:
        for url in FOREIGN:
            assert not allows(directives, directive, url), (directive, url)
        assert allows(directives, directive, "/static/wagtail_learning/css/site.css"), directive
    assert ("'unsafe-inline'" in directives["script-src"]) is inline_code
    assert ("'unsafe-inline'" in directives["style-src"]) is inline_code
    assert "'unsafe-eval'" not in directives["script-src"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'self'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    return directives


@pytest.fixture
def world():
    lecture = lecture_with_captions()
    module = ModulePageFactory(steps=[lecture_step(lecture), reading_step()])
    learner = enrolled_learner(module.get_parent().specific)
    client = Client()
    client.force_login(learner)
    return module, learner, client


def test_learner_pages_allow_only_our_own_and_no_inline_code(world):
    module, learner, client = world
    lecture_step_id = module.steps[0].id
    pages = [
        "/",
        module.get_parent().url,
        module.url,
        route(module, "step", lecture_step_id),
        "/min-utbildning/",
        "/certificates/mine/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_only_our_own(response)


def test_the_lecture_video_and_captions_are_ours_to_play(world):
    module, _learner, client = world
    step_id = module.steps[0].id
    response = client.get(route(module, "step", step_id))
    directives = policy(response)
    html = response.content.decode()

    video = re.search(r'<source src="([^"]+)"', html).group(1)
    track = re.search(r'<track [^>]*src="([^"]+)"', html).group(1)
    assert allows(directives, "media-src", video)
    assert allows(directives, "media-src", track)
    assert allows(directives, "script-src", "/static/js/player.js")
    assert allows(directives, "connect-src", "/api/v1/progress/heartbeat")
    assert "<script>" not in html and " style=" not in html


def test_public_pages_and_the_verification_page_carry_the_policy():
    certificate = CertificateFactory(status=Certificate.Status.READY)
    client = Client()
    for url in [
        "/konto/logga-in/",
        "/certificates/verify/",
        f"/certificates/verify/{certificate.code}/",
        "/certificates/verify/AAAA-BBBB-CC/",  # not found
    ]:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert_only_our_own(response)
        assert " style=" not in response.content.decode(), url


def test_the_certificate_page_styles_itself_with_the_requests_nonce():
    owner = UserFactory()
    certificate = CertificateFactory(
        user=owner,
        status=Certificate.Status.READY,
        completed_at=datetime(2026, 11, 22, 9, 0, tzinfo=ZoneInfo("Europe/Stockholm")),
    )
    client = Client()
    client.force_login(owner)

    response = client.get(f"/certificates/{certificate.code}/")

    directives = assert_only_our_own(response)
    [nonce_source] = [s for s in directives["style-src"] if s.startswith("'nonce-")]
    nonce = nonce_source.removeprefix("'nonce-").removesuffix("'")
    assert f'<style nonce="{nonce}">' in response.content.decode()
    # The QR code is an inline SVG image: data: images only.
    assert allows(directives, "img-src", "data:image/svg+xml;base64,PHN2Zz4=")
    second = client.get(f"/certificates/{certificate.code}/")
    assert policy(second)["style-src"] != directives["style-src"], "a new nonce each time"


def test_a_page_without_inline_style_gets_no_nonce(world):
    _module, _learner, client = world

    directives = policy(client.get("/"))

    assert directives["style-src"] == ["'self'"]


def test_the_admin_allows_inline_code_and_nothing_foreign():
    client = Client()
    client.force_login(SuperuserFactory())

    for url in ["/admin/", "/admin/pages/", "/admin/snippets/certificates/certificatedesign/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        directives = assert_only_our_own(response, inline_code=True)
        assert "blob:" in directives["img-src"]  # previews of images being uploaded


def test_the_admin_shows_no_gravatar():
    client = Client()
    client.force_login(SuperuserFactory(email="kim@example.se"))

    html = client.get("/admin/").content.decode()

    assert "gravatar" not in html


def test_the_api_docs_and_errors_carry_the_policy():
    client = Client()

    assert_only_our_own(client.get("/api/v1/docs"))
    assert_only_our_own(client.get("/no-such-page/"))
