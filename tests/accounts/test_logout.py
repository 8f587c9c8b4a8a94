"""Logging out takes a POST (with the CSRF token): a link or an image elsewhere cannot end
someone's session, on our pages or in the Wagtail admin."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import SuperuserFactory, UserFactory

pytestmark = pytest.mark.django_db


def logged_in(user, *, csrf_checks: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf_checks)
    client.force_login(user)
    return client


def is_logged_in(client: Client) -> bool:
    return client.get("/admin/").status_code == 200


@pytest.mark.parametrize("method", ["get", "head", "put", "delete", "options"])
def test_anything_but_post_on_the_admin_logout_keeps_the_session(method):
    client = logged_in(SuperuserFactory())

    response = getattr(client, method)("/admin/logout/")

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert settings.SESSION_COOKIE_NAME not in response.cookies, "the cookie was not touched"
    assert is_logged_in(client)


def test_the_admin_menu_logout_form_still_logs_out():
    client = logged_in(SuperuserFactory(), csrf_checks=True)
    dashboard = client.get("/admin/")
    token = dashboard.context["csrf_token"]
    # The sidebar's account menu posts to the URL it is given (a POST action item).
    assert '"action": "/admin/logout/", "method": "POST"' in dashboard.content.decode()

    response = client.post("/admin/logout/", {"csrfmiddlewaretoken": str(token)})

    assert response.status_code == 302
    assert response["Location"] == "/admin/login/"
    assert not is_logged_in(client)


def test_the_admin_logout_refuses_a_post_without_the_csrf_token():
    client = logged_in(SuperuserFactory(), csrf_checks=True)

    response = client.post("/admin/logout/")

    assert response.status_code == 403
    assert is_logged_in(client)


def test_our_logout_is_post_only_and_the_site_header_posts_to_it():
    user = UserFactory()
    client = logged_in(user)

    assert client.get("/konto/logga-ut/").status_code == 405
    page = client.get("/certificates/mine/")
    assert page.status_code == 200, "still logged in"
    assert '<form method="post" action="/konto/logga-ut/"' in page.content.decode()

    response = client.post("/konto/logga-ut/")

    assert response.status_code == 302
    assert client.get("/certificates/mine/").status_code == 302  # to the login page
