"""Someone who registered as an external participant but has not confirmed the address
yet, logging in with the right password, is told to confirm it and given a way to a new
link. Nobody else learns anything: a wrong password, an unknown name, a deactivated
account are refused with the usual words, and the login throttling counts as ever."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import DEFAULT_PASSWORD, CoursePageFactory, UserFactory, in_english
from wagtail_learning.external.services import register_participant
from wagtail_learning.org.models import Organisation

pytestmark = pytest.mark.django_db

EMAIL = "ella@ojebyn.example.se"
PASSWORD = "Mangfald-i-Pitea-2026"
UNCONFIRMED = "Your email address is not confirmed yet."
GENERIC = "Please enter a correct username and password."


@pytest.fixture
def unconfirmed():
    open_course = CoursePageFactory(title="Mångfald i praktiken", open_to_external=True)
    association = Organisation.add_root(name="IFK Öjebyn", kind=Organisation.Kind.ASSOCIATION)
    return register_participant(
        course=open_course, first_name="Ella", last_name="Extern", email=EMAIL,
        password=PASSWORD, organisation=association,
    )  # fmt: skip


def log_in(client, username, password):
    return in_english(client).post(reverse("login"), {"username": username, "password": password})


def test_the_right_password_of_an_unconfirmed_account_says_what_to_do(unconfirmed):
    client = Client()
    response = log_in(client, EMAIL, PASSWORD)

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    html = response.content.decode()
    assert UNCONFIRMED in html and GENERIC not in html
    assert f'href="{reverse("external:resend")}"' in html
    # The way to a new link works, and the new link confirms.
    client.post(reverse("external:resend"), {"email": EMAIL})
    assert len(mail.outbox) == 2


@pytest.mark.parametrize(
    "username, password",
    [(EMAIL, "wrong-password"), ("nobody@example.se", PASSWORD), (EMAIL, "")],
)
def test_without_the_right_password_nothing_is_revealed(unconfirmed, username, password):
    html = log_in(Client(), username, password).content.decode()
    assert UNCONFIRMED not in html
    if password:
        assert GENERIC in html


def test_a_deactivated_account_is_not_told_to_confirm_anything():
    UserFactory(username="lamnat", is_active=False)
    html = log_in(Client(), "lamnat", DEFAULT_PASSWORD).content.decode()
    assert UNCONFIRMED not in html and GENERIC in html


def test_the_throttling_still_counts_and_then_says_nothing_about_the_account(unconfirmed):
    client = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, EMAIL, "wrong-password")

    response = log_in(client, EMAIL, PASSWORD)

    assert response.status_code == 429
    assert UNCONFIRMED not in response.content.decode()


def test_the_right_password_of_an_unconfirmed_account_counts_as_a_failed_login(unconfirmed):
    client = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, EMAIL, PASSWORD)
    assert log_in(client, EMAIL, PASSWORD).status_code == 429


def test_the_message_is_in_swedish(unconfirmed):
    response = Client().post(reverse("login"), {"username": EMAIL, "password": PASSWORD})
    assert "Din e-postadress är inte bekräftad än." in response.content.decode()
