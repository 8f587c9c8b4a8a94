"""The wall's rules (org.wall), and the places the issue found open: the certificate
actions, site history, usage pages, exports' audit entries, the API."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import resolve, reverse
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry, ReferenceIndex
from wagtail.permissions import policy_registry

from tests.factories import (
    CertificateDesignFactory,
    CertificateFactory,
    CoursePageFactory,
    SuperuserFactory,
    UserFactory,
    api_post,
    editor_of,
    hr_user,
    in_english,
    org_unit,
    staff_member,
)
from wagtail_learning.certificates.models import Certificate
from wagtail_learning.certificates.services import revoke_certificate
from wagtail_learning.hr import site_history
from wagtail_learning.lms.models import Completion, Enrolment
from wagtail_learning.org.api import (
    WalledPermissionPolicy,
    can_access_person,
    scope_log_entries,
    scope_queryset,
    walled_models,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(db):
    """Kommun A (with Enhet A1) and Kommun B, a person in each, HR of each with the demo's
    certificate permissions, a certificate each. The two people are namesakes (Kim Lind,
    as the demo has in different municipalities): the checks tell them apart by what
    identifies them (certificate code, user id in links), never by their name."""
    kommun_a, kommun_b = org_unit("Kommun A"), org_unit("Kommun B")
    a1 = org_unit("Enhet A1", kommun_a)
    anna = staff_member(
        a1, username="anna", first_name="Kim", last_name="Lind", employee_number="A-1001"
    )
    britt = staff_member(
        kommun_b, username="britt", first_name="Kim", last_name="Lind", employee_number="B-1001"
    )
    hr_a, hr_b = hr_user(kommun_a, username="hr-a"), hr_user(kommun_b, username="hr-b")
    certificate_permissions = Permission.objects.filter(
        content_type__app_label="certificates",
        codename__in=["view_certificate", "change_certificate"],
    )
    for hr in (hr_a, hr_b):
        hr.groups.get().permissions.add(*certificate_permissions)
    design = CertificateDesignFactory(revision=True)
    course = CoursePageFactory(certificate_design=design)
    certificates = {
        user.username: CertificateFactory(user=user, design=design, page_id=course.pk)
        for user in (anna, britt)
    }
    return SimpleNamespace(
        kommun_a=kommun_a, kommun_b=kommun_b, a1=a1, anna=anna, britt=britt, hr_a=hr_a,
        hr_b=hr_b, design=design, course=course, certificates=certificates,
    )  # fmt: skip


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return in_english(client)


# --- The rules -----------------------------------------------------------------------------


def test_scope_queryset_superuser_all_hr_their_scope_everyone_else_none(two):
    everyone = Certificate.objects.all()
    editor = editor_of(two.course)

    assert set(scope_queryset(SuperuserFactory(), everyone)) == set(everyone)
    assert list(scope_queryset(two.hr_a, everyone)) == [two.certificates["anna"]]
    assert list(scope_queryset(two.hr_b, everyone)) == [two.certificates["britt"]]
    assert not scope_queryset(editor, everyone).exists()
    assert not scope_queryset(two.anna, everyone).exists()
    assert list(scope_queryset(two.anna, everyone, own=True)) == [two.certificates["anna"]]


def test_a_person_placed_in_no_unit_is_in_nobodys_scope_but_superusers(two):
    drifter = UserFactory(username="drifter")
    CertificateFactory(user=drifter)

    assert not scope_queryset(two.hr_a, Certificate.objects.filter(user=drifter)).exists()
    assert not can_access_person(two.hr_a, drifter)
    assert can_access_person(SuperuserFactory(), drifter)
    assert can_access_person(drifter, drifter, own=True)


def test_units_and_their_models_are_walled_by_the_unit(two):
    from wagtail_learning.org.models import Organisation

    assert set(scope_queryset(two.hr_a, Organisation.objects.all())) == {two.kommun_a, two.a1}
    assert set(scope_queryset(two.hr_b, Organisation.objects.all())) == {two.kommun_b}


def test_every_model_carrying_a_person_is_walled_and_has_the_walls_policy():
    from django.contrib.auth import get_user_model

    from wagtail_learning.compliance.models import Reminder
    from wagtail_learning.lms.models import QuizAttempt, StepProgress
    from wagtail_learning.org.models import LearnerProfile, Membership

    people = {m for m, kind in walled_models().items() if kind == "person"}
    assert people >= {
        Certificate, Enrolment, StepProgress, QuizAttempt, Completion, Reminder,
        LearnerProfile, Membership, get_user_model(),
    }  # fmt: skip
    for model in people - {get_user_model()}:
        assert isinstance(policy_registry.get_by_type(model), WalledPermissionPolicy), model
        # Records about people are not content: no "usage" page lists them.
        assert not ReferenceIndex.is_indexed(model), model


# --- Certificate actions -------------------------------------------------------------------


def test_hr_of_another_municipality_cannot_revoke_or_rerender(client, two):
    certificate = two.certificates["anna"]
    hr_b = login(two.hr_b)

    for name in ("revoke", "rerender"):
        url = reverse(f"certificates_certificate:{name}", args=[certificate.pk])
        assert hr_b.get(url).status_code == 404
        assert hr_b.post(url, {"reason": "Fel person"}).status_code == 404
    certificate.refresh_from_db()
    assert certificate.revoked_at is None
    assert not ModelLogEntry.objects.filter(action__startswith="certificates.").exists()
    verify = client.get(reverse("certificates:verify_code", args=[certificate.code]))
    assert 'data-verification="valid"' in verify.content.decode()


def test_hr_of_the_persons_municipality_can_revoke(two):
    certificate = two.certificates["anna"]
    url = reverse("certificates_certificate:revoke", args=[certificate.pk])

    response = login(two.hr_a).post(url, {"reason": "Fel kurs"})

    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.revoked_by == two.hr_a
    entry = ModelLogEntry.objects.get(action="certificates.revoke")
    assert entry.data["user_id"] == two.anna.pk


def test_the_certificate_listing_inspect_and_history_stop_at_the_wall(two):
    hr_a = login(two.hr_a)
    britts = two.certificates["britt"]

    listing = hr_a.get(reverse("certificates_certificate:index")).content.decode()
    assert two.certificates["anna"].code in listing and britts.code not in listing
    assert reverse("certificates_certificate:inspect", args=[britts.pk]) not in listing
    # The export lists no columns (the viewset names none), so only its rows can tell: a
    # heading and Anna's row, not Britt's.
    export = hr_a.get(reverse("certificates_certificate:index") + "?export=csv")
    assert b"".join(export.streaming_content).decode().splitlines() == ["", ""]
    for name in ("inspect", "history", "usage"):
        url = reverse(f"certificates_certificate:{name}", args=[britts.pk])
        assert hr_a.get(url).status_code == 404, name


# --- Site history, usage pages ------------------------------------------------------------


def test_site_history_is_ours_and_shows_each_hr_only_their_own_side(two):
    # Wagtail's own URL name routes to our view (config/urls.py), not to Wagtail's.
    route = resolve(reverse("wagtailadmin_reports:site_history"))
    assert route.func.__wrapped__ is site_history.site_history
    revoke_certificate(two.certificates["anna"], user=two.hr_a, reason="Fel kurs")
    revoke_certificate(two.certificates["britt"], user=two.hr_b, reason="Fel kurs")
    log(two.kommun_b, "lms.export", user=two.hr_b, data={"what": "matrix"})

    page = login(two.hr_a).get(reverse("wagtailadmin_reports:site_history"))

    html = page.content.decode()
    assert page.status_code == 200
    annas, britts = two.certificates["anna"], two.certificates["britt"]
    assert annas.code in html
    assert reverse("certificates_certificate:inspect", args=[annas.pk]) in html
    assert britts.code not in html and "hr-b" not in html and "Kommun B" not in html
    assert reverse("certificates_certificate:inspect", args=[britts.pk]) not in html
    entries = scope_log_entries(two.hr_a, ModelLogEntry.objects.all())
    assert {e.action for e in entries} == {"certificates.revoke"}


def test_after_a_revoke_site_history_and_usage_pages_answer_a_superuser(two):
    revoke_certificate(two.certificates["anna"], user=two.hr_a, reason="Fel kurs")
    admin = login(SuperuserFactory())

    for url in [
        reverse("wagtailadmin_reports:site_history"),
        reverse("wagtailadmin_reports:site_history") + "?export=csv",
        reverse("wagtailsnippets_certificates_certificatedesign:usage", args=[two.design.pk]),
        reverse("wagtailusers_users:usage", args=[two.anna.pk]),
        reverse("wagtailadmin_pages:usage", args=[two.course.pk]),
    ]:
        response = admin.get(url)
        assert response.status_code == 200, url
    inspect = reverse("certificates_certificate:inspect", args=[two.certificates["anna"].pk])
    assert inspect in admin.get(reverse("wagtailadmin_reports:site_history")).content.decode()


def test_usage_pages_do_not_list_learners_certificates(two):
    editor = login(editor_of(two.course))
    url = reverse("wagtailadmin_pages:usage", args=[two.course.pk])

    html = editor.get(url).content.decode()

    assert "Kim Lind" not in html
    for certificate in two.certificates.values():
        assert certificate.code not in html


# --- Exports' audit entries, the API ------------------------------------------------------


def test_an_export_over_several_units_is_logged_on_each_and_seen_only_within_scope(two):
    hr_both = hr_user(two.a1, two.kommun_b, username="hr-both")

    response = login(hr_both).get("/admin/hr/compliance/?export=csv")

    assert response.status_code == 200
    entries = ModelLogEntry.objects.filter(action="lms.export")
    assert sorted(e.object_id for e in entries) == sorted([str(two.a1.pk), str(two.kommun_b.pk)])
    assert [e.object_id for e in scope_log_entries(two.hr_b, entries)] == [str(two.kommun_b.pk)]


def test_the_api_answers_a_learner_only_about_their_own_attempts(two):
    from tests.factories import OneModuleCourse, quiz_attempt_for

    world = OneModuleCourse()
    attempt = quiz_attempt_for(two.anna, world.module, world.quiz["id"])
    client = Client()
    client.force_login(two.britt)

    response = api_post(
        client,
        "submit_quiz_attempt",
        {"module_id": world.module.pk, "answers": {}},
        attempt_id=attempt.pk,
    )

    assert response.status_code in {403, 404}
    attempt.refresh_from_db()
    assert attempt.submitted_at is None
    assert client.get(reverse("api-v1:my_progress")).json() == {"courses": []}
