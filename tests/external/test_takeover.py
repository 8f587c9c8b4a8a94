"""Only the person who confirms an address owns the account: somebody who registers with
another person's address first (or after) gets nothing. Each registration attempt keeps
its own details; the emailed link, with the password given in that attempt, activates
exactly those; older links stop working."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.external.test_registration import form, link_in, logs_in, register
from wagtail_learning.external.models import ExternalOrganisation, ExternalRegistration
from wagtail_learning.lms.models import Enrolment
from wagtail_learning.org.models import LearnerProfile, Membership, Organisation

pytestmark = pytest.mark.django_db

VICTIM = "vera@ojebyn.example.se"
VICTIM_PASSWORD = "Veras-eget-losen-2026"
ATTACKER_PASSWORD = "Mallorys-losen-2026"


def attacker_registers(course):
    """From the attacker's own browser, with Vera's address, a name and a new business of
    the attacker's choosing."""
    data = form(
        None, email=VICTIM, password=ATTACKER_PASSWORD, first_name="Mallory",
        last_name="Mask", new_name="Mallorys Bluff AB", new_kind="business", new_contact="on",
    )  # fmt: skip
    return register(Client(), course, data)


def victim_registers(client, course, association):
    data = form(association, email=VICTIM, password=VICTIM_PASSWORD, first_name="Vera")
    return register(client, course, data)


def account():
    return get_user_model().objects.get(email=VICTIM)


def assert_vera_owns_it(association, course):
    user = account()
    assert user.is_active and user.first_name == "Vera"
    assert logs_in(Client(), VICTIM, VICTIM_PASSWORD)
    assert not logs_in(Client(), VICTIM, ATTACKER_PASSWORD)
    assert user.learner_profile.unit == association
    assert list(Membership.objects.filter(user=user).values_list("unit", flat=True)) == [
        association.pk
    ]
    assert Enrolment.objects.filter(user=user, course_id=course.pk).exists()
    # The attacker's organisation was never made, nor Vera made its contact person.
    assert not Organisation.objects.filter(name="Mallorys Bluff AB").exists()
    assert not ExternalOrganisation.objects.filter(contact_person=user).exists()


def test_the_attacker_registers_first_and_the_victim_who_confirms_owns_the_account(
    client, open_course, association
):
    attacker_registers(open_course)
    # The attacker's registration shows nowhere: no organisation, no participant.
    assert not Organisation.objects.filter(name="Mallorys Bluff AB").exists()
    assert not logs_in(Client(), VICTIM, ATTACKER_PASSWORD)
    victim_registers(client, open_course, association)
    assert get_user_model().objects.filter(email=VICTIM).count() == 1
    attackers_link, victims_link = (link_in(message) for message in mail.outbox)

    response = client.post(victims_link, {"password": VICTIM_PASSWORD})

    assert response.status_code == 302 and response["Location"] == open_course.url
    assert_vera_owns_it(association, open_course)
    # The attacker's older link, afterwards, does nothing.
    assert client.post(attackers_link, {"password": ATTACKER_PASSWORD}).status_code == 410
    assert_vera_owns_it(association, open_course)


def test_the_attackers_older_link_stops_working_when_the_victim_registers(
    client, open_course, association
):
    attacker_registers(open_course)
    victim_registers(client, open_course, association)
    attackers_link = link_in(mail.outbox[0])

    # Vera opens the first email (the attacker's) by mistake: it is replaced.
    response = client.post(attackers_link, {"password": ATTACKER_PASSWORD})

    assert response.status_code == 410
    assert b'data-verify-outcome="expired"' in response.content
    assert not account().is_active
    assert client.post(link_in(mail.outbox[1]), {"password": VICTIM_PASSWORD}).status_code == 302
    assert_vera_owns_it(association, open_course)


def test_the_attacker_registers_after_the_victim_and_the_victim_cannot_be_tricked(
    client, open_course, association
):
    victim_registers(client, open_course, association)
    attacker_registers(open_course)
    victims_link, attackers_link = (link_in(message) for message in mail.outbox)
    # Vera's link is replaced by the attacker's attempt ...
    assert client.post(victims_link, {"password": VICTIM_PASSWORD}).status_code == 410
    # ... and the newest email in her mailbox (the attacker's attempt) cannot be confirmed
    # with her password: the account would have been the attacker's.
    wrong = client.post(attackers_link, {"password": VICTIM_PASSWORD})
    assert wrong.status_code == 400
    assert b'data-verify-outcome="password"' in wrong.content
    assert not account().is_active
    assert "_auth_user_id" not in client.session
    assert not Organisation.objects.filter(name="Mallorys Bluff AB").exists()

    # Registering again gives her a link for her own details.
    victim_registers(client, open_course, association)
    assert client.post(attackers_link, {"password": VICTIM_PASSWORD}).status_code == 410
    assert client.post(link_in(mail.outbox[-1]), {"password": VICTIM_PASSWORD}).status_code == 302
    assert_vera_owns_it(association, open_course)


def test_a_new_link_sent_for_the_attackers_attempt_still_needs_the_attackers_password(
    client, open_course, association
):
    attacker_registers(open_course)
    client.post(reverse("external:resend"), {"email": VICTIM})
    link = link_in(mail.outbox[-1])
    assert client.get(link).status_code == 200  # the link itself is valid ...
    response = client.post(link, {"password": VICTIM_PASSWORD})
    assert response.status_code == 400  # ... but not Vera's to confirm
    assert not account().is_active


def test_a_wrong_password_uses_nothing_up(client, open_course, association):
    victim_registers(client, open_course, association)
    link = link_in(mail.outbox[0])
    assert client.post(link, {"password": "gissning"}).status_code == 400
    assert client.post(link, {}).status_code == 400
    assert not account().is_active
    assert client.post(link, {"password": VICTIM_PASSWORD}).status_code == 302
    assert_vera_owns_it(association, open_course)


def test_confirming_is_rate_limited_per_client(client, open_course, association):
    victim_registers(client, open_course, association)
    link = link_in(mail.outbox[0])
    for _attempt in range(20):
        client.post(link, {"password": "gissning"})
    response = client.post(link, {"password": VICTIM_PASSWORD})
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert not account().is_active


def test_a_registration_left_unconfirmed_before_this_rule_is_replaced_whole(
    client, open_course, association
):
    """Registrations made before attempts were kept apart placed the person at once: the
    attacker's unconfirmed account sat in the attacker's organisation."""
    bluff = Organisation.add_root(name="Bluff AB", kind=Organisation.Kind.BUSINESS)
    old = get_user_model().objects.create_user(
        username=VICTIM, email=VICTIM, password=ATTACKER_PASSWORD, is_active=False
    )
    LearnerProfile.objects.create(user=old, unit=bluff, kind=LearnerProfile.Kind.EXTERNAL)
    Membership.objects.create(user=old, unit=bluff)
    ExternalRegistration.objects.create(user=old, organisation=bluff, course=open_course, nonce="")

    victim_registers(client, open_course, association)
    assert client.post(link_in(mail.outbox[-1]), {"password": VICTIM_PASSWORD}).status_code == 302

    assert logs_in(Client(), VICTIM, VICTIM_PASSWORD)
    assert not logs_in(Client(), VICTIM, ATTACKER_PASSWORD)
    assert account().learner_profile.unit == association
    assert not Membership.objects.filter(user=old, unit=bluff).exists()
