"""Unit certificates (certificates/units.py): issued when a unit meets its rule, rendered
by the real weasyprint through the task queue (sync in tests), verifiable on the public
page, lapsed when the rule stops being met, with the two emails sent once each."""

# ruff: noqa: F811 - the fixtures are shared with tests/compliance/test_certification.py
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from tests.compliance.test_certification import frozen, rule, school  # noqa: F401
from tests.hr.conftest import NOW
from wagtail_learning.certificates.models import UnitCertificate
from wagtail_learning.compliance.api import evaluate_certification_rules
from wagtail_learning.lms.models import Completion

pytestmark = pytest.mark.django_db


def evaluate(now, capture):
    with capture(execute=True):
        evaluate_certification_rules(now=now)


@pytest.fixture
def schools_rule(school):
    for who in (school.people.erik, school.people.anna):
        who.email = f"{who.username}@skola.example.se"
        who.save()
    school.hr.email = "hr@kommun.example.se"
    school.hr.save()
    return rule(school, name="En utbildad person per skola", min_people=1, unit_type="Skola")


def verify(client, certificate):
    return client.get(reverse("certificates:verify_code", args=[certificate.code]))


def test_a_unit_that_meets_its_rule_gets_a_rendered_verifiable_certificate(
    client, school, schools_rule, django_capture_on_commit_callbacks
):
    evaluate(NOW, django_capture_on_commit_callbacks)
    issued = {c.unit_name: c for c in UnitCertificate.objects.all()}
    assert set(issued) == {"Skola A", "Skola B"}  # Skola D has no trained person
    certificate = issued["Skola B"]
    certificate.refresh_from_db()
    assert certificate.is_ready
    pdf = certificate.pdf.read()
    assert pdf.startswith(b"%PDF")
    assert certificate.title == "En utbildad person per skola"
    assert certificate.organisation == "Kommun K"
    response = verify(client, certificate)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-verification="valid"' in html
    assert "Skola B" in html and "En utbildad person per skola" in html


def test_evaluating_again_issues_no_second_certificate(
    school, schools_rule, django_capture_on_commit_callbacks
):
    evaluate(NOW, django_capture_on_commit_callbacks)
    evaluate(NOW + timedelta(days=1), django_capture_on_commit_callbacks)
    assert UnitCertificate.objects.count() == 2


def test_the_certificate_lapses_when_the_rule_stops_being_met_and_says_so_once(
    client, school, schools_rule, django_capture_on_commit_callbacks
):
    evaluate(NOW, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    # Frida, Skola B's only trained person, turns out not to have completed after all.
    Completion.objects.filter(user=school.people.frida).delete()
    later = NOW + timedelta(days=1)
    evaluate(later, django_capture_on_commit_callbacks)
    lapsed = UnitCertificate.objects.get(unit=school.b)
    assert lapsed.lapsed_at == later
    assert UnitCertificate.objects.get(unit=school.a).lapsed_at is None  # Anna and Bo remain
    html = verify(client, lapsed).content.decode()
    assert 'data-verification="lapsed"' in html
    assert "Upphörde" in html  # "Lapsed on ..."
    [message] = mail.outbox
    assert message.subject == "Enhetsintyget för Skola B har upphört"
    # Erik manages Skola B; HR holds the scope over the municipality. Anna (Skola A) is not told.
    assert sorted(message.to) == ["erik@skola.example.se", "hr@kommun.example.se"]
    evaluate(later + timedelta(days=1), django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1


def test_a_unit_that_meets_the_rule_again_gets_a_new_certificate(
    school, schools_rule, django_capture_on_commit_callbacks
):
    evaluate(NOW, django_capture_on_commit_callbacks)
    completion = Completion.objects.get(user=school.people.frida)
    completed_at = completion.completed_at
    completion.delete()
    evaluate(NOW + timedelta(days=1), django_capture_on_commit_callbacks)
    Completion.objects.create(
        user=school.people.frida,
        page_id=school.course.pk,
        kind=Completion.Kind.COURSE,
        cycle=1,
        completed_at=completed_at,
    )
    evaluate(NOW + timedelta(days=2), django_capture_on_commit_callbacks)
    b = UnitCertificate.objects.filter(unit=school.b).order_by("issued_at", "pk")
    assert [c.lapsed_at is None for c in b] == [False, True]
    assert b[0].code != b[1].code


def test_a_certificate_about_to_lapse_warns_once(school, django_capture_on_commit_callbacks):
    # Förskola C meets 80 % through Hanna alone, whose completion expires in about 20 days.
    school.hr.email = "hr@kommun.example.se"
    school.hr.save()
    rule(school, name="80 procent", min_share=80)
    evaluate(NOW, django_capture_on_commit_callbacks)
    assert UnitCertificate.objects.get(unit=school.c).lapsed_at is None
    warnings = [m for m in mail.outbox if "håller på att upphöra" in m.subject]
    assert [m.subject for m in warnings] == ["Enhetsintyget för Förskola C håller på att upphöra"]
    assert warnings[0].to == ["hr@kommun.example.se"]
    evaluate(NOW + timedelta(days=1), django_capture_on_commit_callbacks)
    assert len([m for m in mail.outbox if "håller på att upphöra" in m.subject]) == 1


def test_hr_of_another_organisation_cannot_list_unit_certificates():
    from tests.factories import hr_user, org_unit
    from wagtail_learning.org.api import scope_queryset

    other = hr_user(org_unit("Kommun Z"), username="hr-z")
    assert list(scope_queryset(other, UnitCertificate.objects.all())) == []


def test_a_failed_send_is_tried_again_the_next_day(
    school, django_capture_on_commit_callbacks, monkeypatch
):
    school.hr.email = "hr@kommun.example.se"
    school.hr.save()
    rule(school, name="80 procent", min_share=80)

    def smtp_down(*args, **kwargs):
        raise OSError("SMTP server unreachable")

    monkeypatch.setattr("wagtail_learning.certificates.units.send_mail", smtp_down)
    evaluate(NOW, django_capture_on_commit_callbacks)  # the day's verdicts stand
    assert UnitCertificate.objects.get(unit=school.c).warned_at is None
    monkeypatch.undo()
    evaluate(NOW + timedelta(days=1), django_capture_on_commit_callbacks)
    assert [m.subject for m in mail.outbox] == [
        "Enhetsintyget för Förskola C håller på att upphöra"
    ]


def test_one_task_renders_the_days_certificates_each_on_its_own(school, schools_rule, monkeypatch):
    from wagtail_learning.certificates import units
    from wagtail_learning.certificates.models import Certificate
    from wagtail_learning.certificates.tasks import render_unit_certificates_task

    evaluate_certification_rules(now=NOW)  # the render task waits for the commit
    issued = list(UnitCertificate.objects.order_by("unit_name"))
    assert [c.unit_name for c in issued] == ["Skola A", "Skola B"]
    working = units.get_renderer()

    class BrokenForSkolaA:
        def render(self, context):
            if context["learner_name"] == "Skola A":
                raise RuntimeError("renderer down")
            return working.render(context)

    monkeypatch.setattr(units, "get_renderer", lambda: BrokenForSkolaA())
    with pytest.raises(RuntimeError):
        render_unit_certificates_task([c.pk for c in issued])
    a, b = (UnitCertificate.objects.get(pk=c.pk) for c in issued)
    assert (a.status, b.is_ready) == (Certificate.Status.FAILED, True)
    monkeypatch.undo()
    # The queue retries the task: the ready one is left alone, the failed one rendered.
    rendered_at = b.rendered_at
    assert render_unit_certificates_task([c.pk for c in issued]) == ["ready", "ready"]
    assert UnitCertificate.objects.get(pk=b.pk).rendered_at == rendered_at
    assert UnitCertificate.objects.get(pk=a.pk).is_ready
