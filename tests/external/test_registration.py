"""An external person registers for a course open to them, confirms the address by the
emailed link (signed, expiring, single-use, resendable) and is enrolled."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core import mail, signing
from django.urls import reverse

from tests.factories import CoursePageFactory, UserFactory, in_english
from wagtail_learning.external.models import ExternalOrganisation, ExternalRegistration
from wagtail_learning.external.services import LINK_MAX_AGE, get_listed_organisations
from wagtail_learning.lms.models import Enrolment
from wagtail_learning.org.models import LearnerProfile, Membership, Organisation, ReportingScope

pytestmark = pytest.mark.django_db

PASSWORD = "Mangfald-i-Pitea-2026"


def form(chosen, **overrides):
    data = {
        "first_name": "Ella",
        "last_name": "Extern",
        "email": "ella@ojebyn.example.se",
        "password": PASSWORD,
        "organisation": str(chosen.pk) if chosen else "new",
    }
    return {**data, **overrides}


def link_in(message) -> str:
    return re.search(r"https?://[^/\s]+(/extern/bekrafta/[^\s]+/)", message.body).group(1)


def logs_in(client, username, password) -> bool:
    response = client.post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302


def register(client, course, data):
    return client.post(reverse("external:register", args=[course.pk]), data)


def test_the_course_page_invites_external_people_only_when_open_to_them(client, open_course):
    closed = CoursePageFactory(title="Bara för personal")
    assert b"data-external-invitation" in client.get(open_course.url).content
    assert b"data-external-invitation" not in client.get(closed.url).content
    assert client.get(reverse("external:register", args=[closed.pk])).status_code == 404
    assert client.get(reverse("external:register", args=[open_course.pk])).status_code == 200


def test_registration_asks_no_staff_data(client, open_course, association):
    html = client.get(reverse("external:register", args=[open_course.pk])).content.decode()
    assert "employee_number" not in html and "unit" not in html.lower().replace("units", "")
    assert "IFK Öjebyn" in html


def test_register_verify_by_link_then_log_in_and_study(client, open_course, association):
    response = register(client, open_course, form(association))
    assert response.status_code == 302 and response["Location"] == reverse("external:sent")
    user = get_user_model().objects.get(email="ella@ojebyn.example.se")
    assert not user.is_active
    assert not logs_in(client, "ella@ojebyn.example.se", PASSWORD)
    # Nobody's participant until the address is confirmed.
    assert not LearnerProfile.objects.filter(user=user).exists()
    assert not Membership.objects.filter(user=user).exists()

    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ella@ojebyn.example.se"]
    assert re.search(r"\b48 (hours|timmar)\)", mail.outbox[0].body)  # how long it works
    link = link_in(mail.outbox[0])
    # Opening the link (a mail scanner does) uses nothing up; the button does.
    page = client.get(link)
    assert page.status_code == 200 and b"data-confirm" in page.content
    user.refresh_from_db()
    assert not user.is_active
    response = client.post(link, {"password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == open_course.url
    user.refresh_from_db()
    assert user.is_active
    profile = LearnerProfile.objects.get(user=user)
    assert profile.kind == LearnerProfile.Kind.EXTERNAL and profile.unit == association
    assert profile.employee_number is None
    assert Membership.objects.filter(user=user, unit=association).exists()
    assert Enrolment.objects.filter(user=user, course_id=open_course.pk).exists()
    assert client.get(open_course.url).context["user"] == user  # logged in
    client.logout()
    assert logs_in(client, "ella@ojebyn.example.se", PASSWORD)


def test_a_used_link_cannot_be_used_again(client, open_course, association):
    register(client, open_course, form(association))
    link = link_in(mail.outbox[0])
    client.post(link, {"password": PASSWORD})
    client.logout()
    again = client.post(link, {"password": PASSWORD})
    assert again.status_code == 410
    assert b'data-verify-outcome="used"' in again.content
    assert "_auth_user_id" not in client.session


def test_an_expired_link_is_refused_and_a_new_one_can_be_sent(client, open_course, association):
    register(client, open_course, form(association))
    link = link_in(mail.outbox[0])
    later = signing.time.time() + LINK_MAX_AGE.total_seconds() + 60
    with mock.patch("django.core.signing.time.time", return_value=later):
        response = client.post(link, {"password": PASSWORD})
    assert response.status_code == 410
    assert b'data-verify-outcome="expired"' in response.content
    assert not get_user_model().objects.get(email="ella@ojebyn.example.se").is_active

    response = client.post(reverse("external:resend"), {"email": "Ella@Ojebyn.example.se"})
    assert response.status_code == 302
    assert len(mail.outbox) == 2
    new_link = link_in(mail.outbox[1])
    assert client.post(link, {"password": PASSWORD}).status_code == 410  # replaced
    assert client.post(new_link, {"password": PASSWORD}).status_code == 302
    assert get_user_model().objects.get(email="ella@ojebyn.example.se").is_active


@pytest.mark.parametrize(
    "token",
    ["x", "eyJyIjoxLCJuIjoiYSJ9:1tQ:forged", "%00", "a" * 300],
)
def test_a_forged_or_garbled_link_is_a_clear_400(client, open_course, association, token):
    register(client, open_course, form(association))
    response = client.post(f"/extern/bekrafta/{token}/", {"password": PASSWORD})
    assert response.status_code in (400, 404)
    assert not get_user_model().objects.get(email="ella@ojebyn.example.se").is_active


def test_a_token_signed_with_another_key_or_for_another_registration_is_refused(
    client, open_course, association
):
    register(client, open_course, form(association))
    registration = ExternalRegistration.objects.get()
    forged = signing.dumps(
        {"r": registration.pk, "n": registration.nonce}, salt="external.verify-email",
        key="not-our-secret",
    )  # fmt: skip
    assert client.post(f"/extern/bekrafta/{forged}/", {"password": PASSWORD}).status_code == 400
    guessed = signing.dumps({"r": registration.pk, "n": "0" * 32}, salt="external.verify-email")
    assert client.post(f"/extern/bekrafta/{guessed}/", {"password": PASSWORD}).status_code == 410
    not_a_registration = signing.dumps([registration.pk], salt="external.verify-email")
    assert client.post(f"/extern/bekrafta/{not_a_registration}/").status_code == 400
    missing = signing.dumps({"r": 999999, "n": "x"}, salt="external.verify-email")
    assert client.post(f"/extern/bekrafta/{missing}/", {"password": PASSWORD}).status_code == 400
    registration.user.refresh_from_db()
    assert not registration.user.is_active


def test_a_duplicate_email_reveals_nothing_and_changes_nothing(client, open_course, association):
    staff = UserFactory(username="anna", email="anna@example.se", first_name="Anna")
    staff_password = staff.password
    response = register(client, open_course, form(association, email="ANNA@example.se"))
    # The same answer as a new registration ...
    assert response.status_code == 302 and response["Location"] == reverse("external:sent")
    # ... no second account, the existing one untouched, and its owner told by email.
    assert get_user_model().objects.filter(email__iexact="anna@example.se").count() == 1
    staff.refresh_from_db()
    assert staff.password == staff_password and staff.is_active
    assert not hasattr(staff, "learner_profile") or staff.learner_profile.kind != "external"
    assert mail.outbox[0].to == ["anna@example.se"]
    assert "/extern/bekrafta/" not in mail.outbox[0].body


def test_registering_again_before_confirming_sends_a_fresh_link(client, open_course, association):
    register(client, open_course, form(association))
    register(client, open_course, form(association, password="Another-pass-2026"))
    assert get_user_model().objects.filter(email="ella@ojebyn.example.se").count() == 1
    assert len(mail.outbox) == 2
    assert client.post(link_in(mail.outbox[0]), {"password": PASSWORD}).status_code == 410
    assert (
        client.post(link_in(mail.outbox[1]), {"password": "Another-pass-2026"}).status_code == 302
    )


def test_a_new_organisation_waits_for_approval_but_its_person_can_study(
    client, open_course, association
):
    data = form(
        None, new_name="Öjebyns Cykel AB", new_kind="business", new_org_number="556677-8899",
        new_contact="on",
    )  # fmt: skip
    register(client, open_course, data)
    # Nothing of an unconfirmed registration shows anywhere: the organisation is made when
    # the address is confirmed.
    assert not Organisation.objects.filter(name="Öjebyns Cykel AB").exists()
    response = in_english(client).post(link_in(mail.outbox[0]), {"password": PASSWORD}, follow=True)
    told = " ".join(str(message) for message in response.context["messages"])
    assert "Öjebyns Cykel AB waits for a coordinator's approval" in told
    organisation = Organisation.objects.get(name="Öjebyns Cykel AB")
    assert organisation.depth == 1 and organisation.kind == Organisation.Kind.BUSINESS
    record = ExternalOrganisation.objects.get(organisation=organisation)
    assert record.status == "pending" and record.org_number == "556677-8899"
    assert record.resembles is None
    assert organisation not in get_listed_organisations()
    assert association in get_listed_organisations()
    client.logout()
    # Not in anyone else's list yet ...
    html = client.get(reverse("external:register", args=[open_course.pk])).content.decode()
    assert "Öjebyns Cykel AB" not in html
    # ... but its person studies, not yet shown as its participant.
    user = get_user_model().objects.get(email="ella@ojebyn.example.se")
    assert Enrolment.objects.filter(user=user, course_id=open_course.pk).exists()
    assert user.learner_profile.unit is None
    assert not Membership.objects.filter(user=user).exists()
    # The contact person gets a scope only once a coordinator approves, and its people
    # are placed in it then.
    assert not ReportingScope.objects.filter(user=user).exists()
    from wagtail_learning.external.services import approve_organisation

    approve_organisation(record, user=UserFactory())
    assert ReportingScope.objects.filter(user=user, unit=organisation).exists()
    assert organisation in get_listed_organisations()
    user.learner_profile.refresh_from_db()
    assert user.learner_profile.unit == organisation
    assert Membership.objects.filter(user=user, unit=organisation).exists()


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"email": "inte-en-adress"}, "email"),
        ({"password": "123"}, "password"),
        ({"organisation": "999999"}, "organisation"),
        ({"organisation": "new", "new_name": ""}, "new_name"),
        ({"organisation": "new", "new_name": "X", "new_kind": "municipality"}, "new_kind"),
        ({"organisation": "new", "new_name": "X", "new_kind": "business",
          "new_org_number": "abc"}, "new_org_number"),
    ],
)  # fmt: skip
def test_bad_input_is_a_400_with_the_field_named(
    client, open_course, association, overrides, field
):
    response = register(client, open_course, form(association, **overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not get_user_model().objects.filter(email="ella@ojebyn.example.se").exists()
    assert not mail.outbox


def test_a_municipality_cannot_be_chosen_as_ones_organisation(client, open_course):
    kommun = Organisation.add_root(name="Piteå kommun")
    response = register(client, open_course, form(kommun))
    assert response.status_code == 400


def test_registration_is_rate_limited_per_client(client, open_course, association):
    for number in range(10):
        register(client, open_course, form(association, email=f"p{number}@example.se"))
    response = register(client, open_course, form(association, email="p10@example.se"))
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert b"data-throttled" in response.content
    assert not get_user_model().objects.filter(email="p10@example.se").exists()


def test_resend_is_rate_limited_per_address_and_answers_the_same_for_unknown_addresses(
    client, open_course, association
):
    register(client, open_course, form(association))
    unknown = client.post(reverse("external:resend"), {"email": "nobody@example.se"})
    assert unknown.status_code == 302 and unknown["Location"] == reverse("external:sent")
    for _ in range(3):
        assert (
            client.post(reverse("external:resend"), {"email": "ella@ojebyn.example.se"}).status_code
            == 302
        )
    limited = client.post(reverse("external:resend"), {"email": "ella@ojebyn.example.se"})
    assert limited.status_code == 429
    assert len(mail.outbox) == 1 + 3
    assert client.post(reverse("external:resend"), {"email": "x"}).status_code == 400


def test_the_link_does_not_enrol_once_the_course_stops_accepting_external_participants(
    client, open_course, association
):
    register(client, open_course, form(association))
    open_course.open_to_external = False
    open_course.save_revision().publish()

    response = client.post(link_in(mail.outbox[0]), {"password": PASSWORD})

    # The address is confirmed and the person logged in, but not enrolled in a course no
    # longer open to them.
    assert response.status_code == 302
    user = get_user_model().objects.get(email="ella@ojebyn.example.se")
    assert user.is_active
    assert not Enrolment.objects.filter(user=user).exists()


def test_a_rejected_organisation_never_becomes_its_registrants_organisation(
    client, open_course, association
):
    register(client, open_course, form(None, new_name="Bluff AB", new_kind="business",
                                        new_contact="on"))  # fmt: skip
    client.post(link_in(mail.outbox[0]), {"password": PASSWORD})
    record = ExternalOrganisation.objects.get(organisation__name="Bluff AB")
    from wagtail_learning.external.services import reject_organisation

    reject_organisation(record, user=UserFactory())

    record.refresh_from_db()
    assert record.status == "rejected" and record.decided_at is not None
    user = get_user_model().objects.get(email="ella@ojebyn.example.se")
    assert record.organisation not in get_listed_organisations()
    assert user.learner_profile.unit is None
    assert not ReportingScope.objects.filter(user=user).exists()
    # Still studying: approval is about the organisation, not the person.
    assert Enrolment.objects.filter(user=user, course_id=open_course.pk).exists()
