"""The PDF's URL fetcher serves data: URLs and our own /static/ and /media/ files, nothing
else: no local files, no network (not even a request), no redirects, no path traversal."""

from __future__ import annotations

import base64
import http.server
import io
import socket
import threading
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from wagtail_learning.certificates.fetcher import SafeURLFetcher, is_allowed_url
from wagtail_learning.certificates.rendering import certificate_context, get_renderer

from .conftest import pdf_bytes, pdf_reader, pdf_text

PASSWD_MARK = "root:x:0:0"

REFUSED = [
    "file:///etc/passwd",
    "http://169.254.169.254/latest/meta-data/",
    "https://example.com/logo.png",
    "ftp://example.com/logo.png",
    "lms-asset:/static/../../etc/passwd",
    "lms-asset:/static/..%2F..%2F..%2Fetc%2Fpasswd",
    "lms-asset:/media/../../etc/passwd",
    "lms-asset://169.254.169.254/static/x.css",
    "/etc/passwd",
    "//evil.example/static/x.css",
]


def png_bytes(colour=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def no_sockets(monkeypatch):
    """Any attempt to open a connection is recorded and fails."""
    attempts = []

    def refuse(self, address, *args, **kwargs):
        attempts.append(address)
        raise OSError("network access in a test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


@pytest.fixture
def redirecting_server():
    """A local HTTP server whose every answer is a redirect to /etc/passwd; counts requests."""
    hits = []

    class Redirect(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Redirect)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/redirect", hits
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("url", REFUSED)
def test_refuses_anything_but_our_files(url, no_sockets):
    fetcher = SafeURLFetcher()

    with pytest.raises(ValueError, match="Refused"):
        fetcher.fetch(url)

    assert fetcher.refused == [url]
    assert not is_allowed_url(url)
    assert no_sockets == []


def test_has_no_handler_for_the_network_or_the_disk():
    fetcher = SafeURLFetcher()

    assert set(fetcher.handle_open) == {"data"}
    for scheme in ("http", "https", "ftp", "file"):
        with pytest.raises(ValueError):
            fetcher.open(f"{scheme}://127.0.0.1/x")


def test_an_http_url_that_would_redirect_is_refused_without_a_request(redirecting_server):
    url, hits = redirecting_server
    fetcher = SafeURLFetcher()

    with pytest.raises(ValueError, match="Refused"):
        fetcher.fetch(url)

    assert hits == []
    assert fetcher.refused == [url]


def test_serves_data_urls():
    payload = base64.b64encode(b"hello").decode()

    response = SafeURLFetcher().fetch(f"data:text/plain;base64,{payload}")

    assert response.read() == b"hello"


def test_serves_our_static_files():
    expected = Path(finders.find("wagtail_learning/fonts/DejaVuSans.ttf")).read_bytes()

    for url in (
        "lms-asset:/static/wagtail_learning/fonts/DejaVuSans.ttf",
        "/static/wagtail_learning/fonts/DejaVuSans.ttf",
    ):
        response = SafeURLFetcher().fetch(url)
        assert response.read() == expected


def test_serves_public_media_but_not_missing_or_protected_files(settings):
    name = default_storage.save("fetcher-test/logo.png", ContentFile(png_bytes()))
    fetcher = SafeURLFetcher()

    response = fetcher.fetch(f"lms-asset:/media/{name}")

    assert response.read() == png_bytes()
    assert response.content_type == "image/png"
    with pytest.raises(ValueError):
        fetcher.fetch("lms-asset:/media/fetcher-test/missing.png")
    # Issued certificates live in the protected storage: no URL of ours reaches them.
    protected = Path(settings.PROTECTED_MEDIA_ROOT) / "certificates" / "secret.pdf"
    protected.parent.mkdir(parents=True, exist_ok=True)
    protected.write_bytes(b"%PDF-1.7 someone else's")
    for url in (
        "lms-asset:/media/certificates/secret.pdf",
        "lms-asset:/media/../private-media/certificates/secret.pdf",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert "lms-asset:/media/certificates/secret.pdf" in fetcher.refused


# --- A hostile design, saved past clean() ------------------------------------------------


HOSTILE_CSS = """
@import url("file:///etc/passwd");
@font-face { font-family: "Hostile";
  src: url("/static/wagtail_learning/fonts/DejaVuSans-Bold.ttf"); }
.sheet { background: url("http://169.254.169.254/latest/meta-data/"); }
.name { background-image: url("https://example.com/logo.png"); font-family: "Hostile"; }
.title { background-image: url("/static/../../etc/passwd"); }
"""

HOSTILE_BODY = (
    "<p>{learner_name} har genomfört {title}.</p>"
    '<p><img src="file:///etc/passwd" alt="x">'
    '<a rel="attachment" href="file:///etc/passwd">bilaga</a>'
    '<img src="data:image/png;base64,{png}" alt="data-bild">'
    '<img src="/media/{media}" alt="media-bild"></p>'
)


@pytest.mark.django_db
def test_a_hostile_design_renders_without_leaking_files(certified, learner, complete, no_sockets):
    media = default_storage.save("fetcher-test/stamp.png", ContentFile(png_bytes((0, 90, 0))))
    design = certified.design
    design.extra_css = HOSTILE_CSS
    design.body = HOSTILE_BODY.replace("{png}", base64.b64encode(png_bytes()).decode()).replace(
        "{media}", media
    )
    design.save()  # past clean(), as a migration or the shell could
    design.save_revision(clean=False)

    certificate = complete(learner, certified)

    assert certificate.status == "ready"
    data = pdf_bytes(certificate)
    assert PASSWD_MARK.encode() not in data
    assert PASSWD_MARK not in pdf_text(data)
    assert no_sockets == []
    reader = pdf_reader(data)
    assert "/EmbeddedFiles" not in reader.trailer["/Root"].get("/Names", {})
    assert not any(
        annotation.get_object().get("/Subtype") == "/FileAttachment"
        for page in reader.pages
        for annotation in page.get("/Annots", [])
    )
    # Both allowed images (data: and /media/) made it in; our fonts, from /static/, too.
    images = [image for page in reader.pages for image in page.images]
    assert len(images) >= 2
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    # PDF font names follow the @font-face family: these came from /static/wagtail_learning/fonts/.
    assert any("+Hostile" in font for font in fonts)
    assert any("+Cert-Serif" in font for font in fonts)

    assert certificate.last_error.startswith("Kom inte med i PDF-filen: ")  # Swedish first
    assert "file:///etc/passwd" in certificate.last_error
    rendered = get_renderer().render(certificate_context(certificate))
    refused = set(rendered.refused_urls)
    assert {
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "https://example.com/logo.png",
    } <= refused
    assert any("etc/passwd" in url and url.startswith(("/static", "lms-asset")) for url in refused)
    assert not any("DejaVu" in url or "fetcher-test" in url for url in refused)
    assert len(rendered.refused_urls) == len(refused), "each refused URL is named once"
