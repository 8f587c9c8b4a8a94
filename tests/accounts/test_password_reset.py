"""Each password-reset request sends an email: a few per address and per client in an hour,
then a message saying when to try again, and no email."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client, override_settings

from tests.factories import SuperuserFactory, in_english
from wagtail_learning.accounts.views import PASSWORD_RESETS_PER_ADDRESS, PASSWORD_RESETS_PER_CLIENT

pytestmark = pytest.mark.django_db

RESET = "/admin/password_reset/"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Europe/Stockholm"))


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


def ask(client: Client, email: str):
    return client.post(RESET, {"email": email})


def test_twenty_requests_for_one_address_send_only_a_few_emails(frozen, mailoutbox):
    SuperuserFactory(email="kim@example.se")
    responses = [ask(Client(REMOTE_ADDR=f"203.0.113.{n}"), "kim@example.se") for n in range(20)]

    assert len(mailoutbox) == PASSWORD_RESETS_PER_ADDRESS.count == 3
    assert [r.status_code for r in responses] == [302] * 3 + [429] * 17


def test_the_address_is_counted_however_it_is_typed(frozen, mailoutbox):
    SuperuserFactory(email="kim@example.se")
    for email in ["kim@example.se", "KIM@example.se", " Kim@Example.se", "kim@EXAMPLE.SE"]:
        ask(Client(REMOTE_ADDR="203.0.113.1"), email)

    assert len(mailoutbox) == 3


def test_one_client_asking_for_many_addresses_is_stopped(frozen, mailoutbox):
    people = [SuperuserFactory(email=f"person{n}@example.se") for n in range(20)]
    client = Client()
    responses = [ask(client, person.email) for person in people]

    assert len(mailoutbox) == PASSWORD_RESETS_PER_CLIENT.count == 10
    assert [r.status_code for r in responses] == [302] * 10 + [429] * 10


def test_a_refused_request_says_when_to_try_again(frozen, mailoutbox):
    SuperuserFactory(email="kim@example.se")
    client = in_english(Client())
    for _request in range(3):
        ask(client, "kim@example.se")

    response = ask(client, "kim@example.se")

    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    html = response.content.decode()
    assert "Too many requests to reset a password." in html
    assert "Try again after 10 a.m. (in 60 minutes)." in html
    assert 'name="email"' in html, "the form again"


def test_unknown_addresses_count_too_so_a_refusal_reveals_nothing(frozen, mailoutbox):
    for _request in range(3):
        assert ask(Client(), "nobody@example.se").status_code == 302

    assert ask(Client(), "nobody@example.se").status_code == 429
    assert mailoutbox == []


def test_after_the_window_an_address_may_ask_again(frozen, mailoutbox):
    SuperuserFactory(email="kim@example.se")
    for _request in range(4):
        ask(Client(), "kim@example.se")
    assert len(mailoutbox) == 3

    frozen.shift(PASSWORD_RESETS_PER_ADDRESS.window + timedelta(seconds=1))

    assert ask(Client(), "kim@example.se").status_code == 302
    assert len(mailoutbox) == 4


@override_settings(LMS_CLIENT_IP_HEADER="HTTP_X_REAL_IP")
def test_behind_the_proxy_clients_are_told_apart_by_its_header(frozen, mailoutbox):
    people = [SuperuserFactory(email=f"person{n}@example.se") for n in range(12)]
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    first = Client(HTTP_X_REAL_IP="203.0.113.7", **proxy)
    for person in people[:10]:
        ask(first, person.email)

    assert ask(first, people[10].email).status_code == 429
    assert ask(Client(HTTP_X_REAL_IP="198.51.100.2", **proxy), people[11].email).status_code == 302
