"""The API docs page serves Swagger UI from our own static files, never from a CDN."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.test import override_settings

pytestmark = pytest.mark.django_db


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.urls += [value for name, value in attrs if name in ("src", "href") and value]


def references(html: str) -> list[str]:
    parser = _References()
    parser.feed(html)
    return parser.urls


def test_the_docs_page_references_no_other_host(client):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    html = response.content.decode()
    urls = references(html)
    assert any(url.endswith("swagger-ui-bundle.js") for url in urls)
    assert all(not urlsplit(url).netloc and not urlsplit(url).scheme for url in urls), urls
    assert "cdn" not in html.lower()


@override_settings(STATIC_URL="/static/")
def test_the_swagger_files_it_references_are_ours(client):
    html = client.get("/api/v1/docs").content.decode()

    for url in references(html):
        assert url.startswith("/static/"), url
        assert finders.find(url.removeprefix("/static/")), f"{url} is not one of our static files"
