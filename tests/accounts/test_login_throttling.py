"""Guessing passwords: after a few failures from one client for one username, logging in
(even with the right password) is refused on both login pages, with a message saying when
to try again, until the cool-off has passed."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client, override_settings

from tests.factories import DEFAULT_PASSWORD, SuperuserFactory, in_english

pytestmark = pytest.mark.django_db

STOCKHOLM = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=STOCKHOLM)
LIMIT = settings.AXES_FAILURE_LIMIT
COOLOFF = settings.AXES_COOLOFF_TIME

# Our login page and Wagtail admin's: where each sends a person who logged in.
LOGIN_PAGES = {"site": ("/konto/logga-in/", "/"), "admin": ("/admin/login/", "/admin/")}


@pytest.fixture(params=LOGIN_PAGES.values(), ids=LOGIN_PAGES.keys())
def login_page(request):
    return request.param


@pytest.fixture
def person():
    return SuperuserFactory(username="kim")  # may use both the site and the admin


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


def log_in(client: Client, url: str, password: str, **extra):
    return client.post(url, {"username": "kim", "password": password}, **extra)


def is_logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_the_right_password_is_refused_after_too_many_wrong_ones(login_page, person, frozen):
    url, _home = login_page
    client = in_english(Client())
    for _attempt in range(LIMIT):
        log_in(client, url, "wrong")

    response = log_in(client, url, DEFAULT_PASSWORD)

    assert response.status_code == 429
    assert not is_logged_in(client)
    html = response.content.decode()
    assert "Too many failed attempts to log in." in html
    assert "Try again after 9:15 a.m. (in 15 minutes)." in html
    assert 'value="kim"' in html, "the login page again, with the username kept"
    assert response["Retry-After"] == str(int(COOLOFF.total_seconds()))


def test_a_hundred_wrong_passwords_then_the_right_one_does_not_log_in(person, frozen):
    client = Client()
    for _attempt in range(100):
        log_in(client, "/konto/logga-in/", "wrong")

    response = log_in(client, "/konto/logga-in/", DEFAULT_PASSWORD)

    assert response.status_code == 429
    assert not is_logged_in(client)


def test_the_lockout_message_is_in_swedish(person, frozen):
    client = Client()
    for _attempt in range(LIMIT):
        log_in(client, "/konto/logga-in/", "wrong")

    html = log_in(client, "/konto/logga-in/", DEFAULT_PASSWORD).content.decode()

    assert "För många misslyckade inloggningsförsök." in html
    assert "Försök igen efter 09:15 (om 15 minuter)." in html


def test_after_the_cool_off_the_right_password_logs_in(login_page, person, frozen):
    url, home = login_page
    client = Client()
    for _attempt in range(LIMIT):
        log_in(client, url, "wrong")

    frozen.shift(COOLOFF - timedelta(minutes=1))
    assert log_in(client, url, DEFAULT_PASSWORD).status_code == 429, "still paused"
    # That attempt started the cool-off again.
    frozen.shift(COOLOFF + timedelta(seconds=1))
    response = log_in(client, url, DEFAULT_PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == home
    assert is_logged_in(client)


def test_fewer_failures_than_the_limit_do_not_pause_and_a_success_starts_afresh(person, frozen):
    client = Client()
    for _attempt in range(LIMIT - 1):
        log_in(client, "/konto/logga-in/", "wrong")
    assert log_in(client, "/konto/logga-in/", DEFAULT_PASSWORD).status_code == 302
    client.post("/konto/logga-ut/")

    for _attempt in range(LIMIT - 1):
        log_in(client, "/konto/logga-in/", "wrong")

    assert log_in(client, "/konto/logga-in/", DEFAULT_PASSWORD).status_code == 302


def test_failures_on_one_page_count_on_the_other(person, frozen):
    client = Client()
    for attempt in range(LIMIT):
        log_in(client, "/konto/logga-in/" if attempt % 2 else "/admin/login/", "wrong")

    assert log_in(client, "/admin/login/", DEFAULT_PASSWORD).status_code == 429


def test_another_client_is_not_locked_out_by_someone_elses_failures(person, frozen):
    guesser, colleague = Client(REMOTE_ADDR="203.0.113.7"), Client(REMOTE_ADDR="198.51.100.2")
    for _attempt in range(LIMIT):
        log_in(guesser, "/konto/logga-in/", "wrong")

    assert log_in(colleague, "/konto/logga-in/", DEFAULT_PASSWORD).status_code == 302
    assert log_in(guesser, "/konto/logga-in/", DEFAULT_PASSWORD).status_code == 429


@override_settings(LMS_CLIENT_IP_HEADER="HTTP_X_REAL_IP")
def test_behind_the_proxy_the_client_is_the_address_in_its_header(person, frozen):
    # Every request comes from the proxy's REMOTE_ADDR; X-Real-IP tells the clients apart.
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    guesser = Client(HTTP_X_REAL_IP="203.0.113.7", **proxy)
    colleague = Client(HTTP_X_REAL_IP="198.51.100.2", **proxy)
    for _attempt in range(LIMIT):
        log_in(guesser, "/konto/logga-in/", "wrong")

    assert log_in(guesser, "/konto/logga-in/", DEFAULT_PASSWORD).status_code == 429
    assert log_in(colleague, "/konto/logga-in/", DEFAULT_PASSWORD).status_code == 302


def test_without_the_proxy_setting_a_forged_header_changes_nothing(person, frozen):
    for attempt in range(LIMIT):
        log_in(Client(HTTP_X_REAL_IP=f"203.0.113.{attempt}"), "/konto/logga-in/", "wrong")

    response = log_in(Client(HTTP_X_REAL_IP="198.51.100.2"), "/konto/logga-in/", DEFAULT_PASSWORD)

    assert response.status_code == 429
