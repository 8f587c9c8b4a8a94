"""The site has an icon: the base template links it, and /favicon.ico (which browsers and
the admin's pages ask for) leads to it instead of a 404."""

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static

from tests.factories import site_home

pytestmark = pytest.mark.django_db

ICON = "wagtail_learning/favicon.svg"


def test_the_pages_link_the_sites_icon_which_exists(client):
    site_home()
    page = client.get("/tillganglighet/rapportera/").content.decode()

    assert f'<link rel="icon" href="{static(ICON)}" type="image/svg+xml">' in page
    assert finders.find(ICON) is not None


def test_favicon_ico_leads_to_the_icon():
    from django.test import Client

    response = Client().get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"] == static(ICON)
