"""The public recognition register: an organisation that meets its course's rule and has
consented is listed, with a verification link; recognition expires with the certificates
and can be withdrawn by a coordinator, with a reason that stays on the verification page."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from tests.factories import CertificateFactory, UserFactory, enrol, staff_member
from wagtail_learning.external.models import ExternalOrganisation, Recognition, RecognitionRule
from wagtail_learning.external.services import (
    evaluate_recognitions,
    give_consent,
    set_contact_person,
)
from wagtail_learning.org.models import Organisation

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def participant(organisation, course, name: str):
    user = staff_member(organisation, external=True, first_name=name, last_name="Deltagare")
    enrol(user, course)
    return user


def certify(user, course, *, days_ago: int = 10, expires_in: int | None = None):
    return CertificateFactory(
        user=user,
        page_id=course.pk,
        title=course.title,
        completed_at=NOW - timedelta(days=days_ago),
        expires_at=NOW + timedelta(days=expires_in) if expires_in is not None else None,
    )


@pytest.fixture
def world(open_course, association):
    RecognitionRule.objects.create(
        course=open_course, min_certified=2, heading="Organisationer som utbildats i mångfald"
    )
    business = Organisation.add_root(name="Norrbottens Trä AB", kind=Organisation.Kind.BUSINESS)
    association.refresh_from_db()
    people = {
        "anna": participant(association, open_course, "Anna"),
        "bo": participant(association, open_course, "Bo"),
        "cia": participant(business, open_course, "Cia"),
        "dan": participant(business, open_course, "Dan"),
    }
    return SimpleNamespace(
        course=open_course, association=association, business=business, people=people
    )


def register_html(client, course) -> str:
    response = client.get(reverse("external:register_page", args=[course.pk]))
    assert response.status_code == 200
    return response.content.decode()


def recognition_of(world, organisation) -> Recognition:
    return Recognition.objects.get(organisation=organisation, course_id=world.course.pk)


def test_met_and_consented_is_listed_with_date_and_verification_link(client, world):
    certify(world.people["anna"], world.course, days_ago=30)
    certify(world.people["bo"], world.course, days_ago=12)
    evaluate_recognitions(now=NOW)
    recognition = recognition_of(world, world.association)
    # Since the certificate that met the rule (the second one), not since the evaluation.
    assert recognition.met_since == NOW - timedelta(days=12)
    assert "IFK Öjebyn" not in register_html(client, world.course)  # no consent yet

    give_consent(recognition, user=world.people["anna"])
    html = register_html(client, world.course)
    assert "Organisationer som utbildats i mångfald" in html
    assert "IFK Öjebyn" in html and recognition.code in html
    verify = client.get(reverse("external:verify_recognition", args=[recognition.code]))
    assert verify.status_code == 200
    assert b'data-verification="recognised"' in verify.content
    assert "IFK Öjebyn" in verify.content.decode()


def test_an_organisation_that_has_not_consented_is_not_on_the_register(client, world):
    for name in ("anna", "bo", "cia", "dan"):
        certify(world.people[name], world.course)
    evaluate_recognitions(now=NOW)
    give_consent(recognition_of(world, world.business), user=world.people["cia"])
    html = register_html(client, world.course)
    assert "Norrbottens Trä AB" in html
    assert "IFK Öjebyn" not in html  # met, but never consented


def test_consent_is_revocable_by_the_contact_person_only(client, world):
    for name in ("anna", "bo", "cia", "dan"):
        certify(world.people[name], world.course)
    evaluate_recognitions(now=NOW)
    set_contact_person(world.association, world.people["anna"])
    set_contact_person(world.business, world.people["cia"])
    ours, theirs = recognition_of(world, world.association), recognition_of(world, world.business)

    client.force_login(world.people["anna"])
    url = reverse("external:consent", args=[ours.pk])
    assert client.post(url, {"consent": "yes"}).status_code == 302
    assert "IFK Öjebyn" in register_html(client, world.course)
    # Not for another organisation ...
    assert (
        client.post(reverse("external:consent", args=[theirs.pk]), {"consent": "yes"}).status_code
        == 404
    )
    theirs.refresh_from_db()
    assert theirs.consent_at is None
    # ... and taken back.
    assert client.post(url, {"consent": "no"}).status_code == 302
    assert "IFK Öjebyn" not in register_html(client, world.course)
    # A participant who is not the contact person has no such page.
    client.force_login(world.people["bo"])
    assert client.post(url, {"consent": "yes"}).status_code == 404
    assert client.get(reverse("external:organisation")).status_code == 404


def test_too_few_certified_is_not_recognised(client, world):
    certify(world.people["anna"], world.course)
    evaluate_recognitions(now=NOW)
    recognition = recognition_of(world, world.association)
    give_consent(recognition, user=world.people["anna"])
    assert recognition.met_since is None
    assert "IFK Öjebyn" not in register_html(client, world.course)


def test_recognition_expires_with_the_certificates(client, world):
    certify(world.people["anna"], world.course, expires_in=400)
    certify(world.people["bo"], world.course, expires_in=30)
    evaluate_recognitions(now=NOW)
    recognition = recognition_of(world, world.association)
    give_consent(recognition, user=world.people["anna"])
    assert "IFK Öjebyn" in register_html(client, world.course)

    later = NOW + timedelta(days=31)  # Bo's certificate has expired: one left of two
    assert evaluate_recognitions(now=later) == 1
    recognition.refresh_from_db()
    assert recognition.met_since is None and recognition.lapsed_at == later
    assert "IFK Öjebyn" not in register_html(client, world.course)
    verify = client.get(reverse("external:verify_recognition", args=[recognition.code]))
    assert b'data-verification="expired"' in verify.content


def test_a_revoked_certificate_is_noticed_when_it_is_saved(
    client, world, django_capture_on_commit_callbacks
):
    anna = certify(world.people["anna"], world.course)
    with django_capture_on_commit_callbacks(execute=True):
        bo = certify(world.people["bo"], world.course)
    recognition = recognition_of(world, world.association)
    assert recognition.met_since is not None
    with django_capture_on_commit_callbacks(execute=True):
        bo.revoked_at = timezone.now()
        bo.save()
    recognition.refresh_from_db()
    assert recognition.met_since is None and recognition.lapsed_at is not None
    assert anna.revoked_at is None


def test_evaluating_twice_recognises_once(client, world):
    """The daily task delivered twice: the second run changes nothing."""
    certify(world.people["anna"], world.course, expires_in=400)
    certify(world.people["bo"], world.course, expires_in=400)

    assert evaluate_recognitions(now=NOW) == 1
    met_since = recognition_of(world, world.association).met_since
    assert evaluate_recognitions(now=NOW + timedelta(minutes=1)) == 0

    recognition = recognition_of(world, world.association)
    assert met_since is not None and recognition.met_since == met_since
    assert recognition.lapsed_at is None


def test_the_contact_person_rule(client, world):
    world.course.recognition_rule.kind = "contact"
    world.course.recognition_rule.save()
    set_contact_person(world.business, world.people["dan"])
    certify(world.people["cia"], world.course)  # not the contact person
    evaluate_recognitions(now=NOW)
    assert recognition_of(world, world.business).met_since is None
    certify(world.people["dan"], world.course, days_ago=3)
    evaluate_recognitions(now=NOW)
    assert recognition_of(world, world.business).met_since == NOW - timedelta(days=3)


def test_an_organisation_waiting_for_approval_is_not_listed(client, world):
    ExternalOrganisation.objects.create(organisation=world.business, status="pending")
    certify(world.people["cia"], world.course)
    certify(world.people["dan"], world.course)
    evaluate_recognitions(now=NOW)
    give_consent(recognition_of(world, world.business), user=world.people["cia"])
    assert "Norrbottens Trä AB" not in register_html(client, world.course)


def coordinator():
    user = UserFactory(username="samordnare")
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["access_admin", "change_recognition", "change_externalorganisation"]
        )
    )
    return user


def test_a_coordinator_withdraws_with_a_reason_kept_on_the_verification_page(client, world):
    certify(world.people["anna"], world.course)
    certify(world.people["bo"], world.course)
    evaluate_recognitions(now=NOW)
    recognition = recognition_of(world, world.association)
    give_consent(recognition, user=world.people["anna"])
    client.force_login(coordinator())
    url = reverse("external_admin_withdraw", args=[recognition.pk])
    assert client.get(url).status_code == 200
    blank = client.post(url, {"reason": "   "})
    assert blank.status_code == 400
    recognition.refresh_from_db()
    assert recognition.withdrawn_at is None

    assert client.post(url, {"reason": "Föreningen har upphört"}).status_code == 302
    recognition.refresh_from_db()
    assert recognition.withdrawn_at is not None
    assert recognition.withdrawn_reason == "Föreningen har upphört"
    assert "IFK Öjebyn" not in register_html(client, world.course)
    verify = client.get(reverse("external:verify_recognition", args=[recognition.code]))
    assert b'data-verification="withdrawn"' in verify.content
    assert "Föreningen har upphört" in verify.content.decode()
    # Still met, still withdrawn: evaluating again does not bring it back.
    evaluate_recognitions(now=NOW + timedelta(days=1))
    assert "IFK Öjebyn" not in register_html(client, world.course)
    assert client.post(url, {"reason": "igen"}).status_code == 409


def test_only_coordinators_withdraw_or_approve(client, world):
    certify(world.people["anna"], world.course)
    evaluate_recognitions(now=NOW)
    recognition = recognition_of(world, world.association)
    record = ExternalOrganisation.objects.create(organisation=world.business, status="pending")
    client.force_login(world.people["anna"])
    url = reverse("external_admin_withdraw", args=[recognition.pk])
    assert client.post(url, {"reason": "x"}).status_code in (302, 403)
    recognition.refresh_from_db()
    assert recognition.withdrawn_at is None
    client.force_login(coordinator())
    decide = reverse("external_admin_decide", args=[record.pk, "approve"])
    assert client.post(decide).status_code == 302
    record.refresh_from_db()
    assert record.status == "approved"
    bad = reverse("external_admin_decide", args=[record.pk, "maybe"])
    assert client.post(bad).status_code == 404


def test_unknown_codes_and_courses_are_404s(client, world):
    assert client.get(reverse("external:verify_recognition", args=["NOPE"])).status_code == 404
    assert client.get(reverse("external:register_page", args=[999999])).status_code == 404


def test_the_daily_schedule_exists():
    from django_q.models import Schedule

    from wagtail_learning.external.schedules import RECOGNITION_NAME, ensure_schedules

    ensure_schedules()
    schedule = Schedule.objects.get(name=RECOGNITION_NAME)
    assert schedule.func == "wagtail_learning.external.tasks.evaluate_recognitions_task"
    assert schedule.schedule_type == Schedule.DAILY


def test_a_rule_asking_for_no_certified_participants_still_needs_one(client, world):
    RecognitionRule.objects.filter(course=world.course).update(min_certified=0)
    evaluate_recognitions(now=NOW)
    assert recognition_of(world, world.association).met_since is None
    certify(world.people["anna"], world.course, days_ago=3)
    evaluate_recognitions(now=NOW)
    assert recognition_of(world, world.association).met_since == NOW - timedelta(days=3)


def test_only_a_granted_recognition_can_be_withdrawn(client, world):
    """IFK Öjebyn has one certified participant of the two needed: never recognised. The
    coordinators' page offers no "Återkalla" for it, the withdrawal page refuses with a
    clear 409, and so does the service; the recognised business can be withdrawn."""
    certify(world.people["anna"], world.course)
    certify(world.people["cia"], world.course)
    certify(world.people["dan"], world.course)
    evaluate_recognitions(now=NOW)
    never = recognition_of(world, world.association)
    granted = recognition_of(world, world.business)
    assert never.met_since is None and granted.met_since is not None
    client.force_login(coordinator())

    page = client.get(reverse("external_admin")).content.decode()
    assert reverse("external_admin_withdraw", args=[granted.pk]) in page
    assert reverse("external_admin_withdraw", args=[never.pk]) not in page

    url = reverse("external_admin_withdraw", args=[never.pk])
    assert client.get(url).status_code == 409
    refused = client.post(url, {"reason": "Fel"})
    assert refused.status_code == 409
    assert "inte erkänd" in refused.content.decode()
    never.refresh_from_db()
    assert never.withdrawn_at is None
    from wagtail_learning.external.services import RecognitionNotGranted, withdraw_recognition

    with pytest.raises(RecognitionNotGranted):
        withdraw_recognition(never, user=None, reason="Fel")
    never.refresh_from_db()
    assert never.withdrawn_at is None


def test_the_verification_page_names_an_organisation_only_with_its_consent(client, world):
    """Anyone holding a recognition's code may check it; the organisation's name is public
    only once its contact person agreed to be shown (as on the register)."""
    certify(world.people["anna"], world.course)
    certify(world.people["bo"], world.course)
    evaluate_recognitions(now=NOW)
    recognition = recognition_of(world, world.association)
    url = reverse("external:verify_recognition", args=[recognition.code])

    page = client.get(url).content.decode()
    assert 'data-verification="recognised"' in page
    assert "IFK Öjebyn" not in page
    assert "data-organisation-not-shown" in page

    give_consent(recognition, user=world.people["anna"])
    assert "IFK Öjebyn" in client.get(url).content.decode()
