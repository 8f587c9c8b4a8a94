"""What an issued certificate states, and what the render and the sweep leave behind:
the facts a learner, an HR coordinator or an operator reads (the course a module belongs
to, the organisation, the hours; one PDF, an error an operator can act on, a log line).

Written from `make mutate`'s survivors in wagtail_learning/certificates/services.py: each
test names the rule a reader relies on."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from wagtail_learning.certificates import services
from wagtail_learning.certificates.models import Certificate, CertificateDesign
from wagtail_learning.certificates.rendering import RenderedPdf, WeasyPrintRenderer
from wagtail_learning.lms.models import Completion

from .conftest import COMPLETED_AT, STOCKHOLM, pdf_bytes, pdf_text

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 22, 15, 0, tzinfo=STOCKHOLM)


def pdf_files(certificate: Certificate) -> list[Path]:
    folder = Path(Certificate._meta.get_field("pdf").storage.location)
    return sorted(folder.rglob(f"{certificate.code}*"))


@pytest.fixture
def queued(monkeypatch):
    """Render tasks recorded, not run: the test renders when it chooses."""
    ids: list[int] = []
    monkeypatch.setattr(services, "enqueue_render", ids.append)
    return ids


def _completion(user, page, kind="course"):
    """A completion of `page` in the next cycle (a person completes a page once a cycle)."""
    cycle = Completion.objects.filter(user=user, page=page).count() + 1
    return Completion.objects.create(
        user=user, page=page, kind=kind, cycle=cycle, completed_at=COMPLETED_AT
    )


# --- What the certificate states -----------------------------------------------------------


def test_a_module_certificate_names_the_course_it_belongs_to(certified, learner, complete):
    certified.module.certificate_design = certified.design
    certified.module.save()

    complete(learner, certified)

    module_certificate = Certificate.objects.get(kind="module")
    course_certificate = Certificate.objects.get(kind="course")
    assert module_certificate.title == "Lagen och praktiken"
    assert module_certificate.course_title == "Jämlik styrning i praktiken"
    assert course_certificate.course_title == "", "a course is not part of a course"


def test_the_organisation_is_the_designs_else_the_courses_organiser(certified, learner, queued):
    certified.design.organisation = ""
    certified.design.save()
    certified.course.organiser = "Huddinge kommun, HR-avdelningen"
    certified.course.save()
    certified.module.certificate_design = certified.design
    certified.module.save()

    course_certificate = services.issue_certificate(
        user=learner, page=certified.course, completion=_completion(learner, certified.course)
    )
    module_certificate = services.issue_certificate(
        user=learner,
        page=certified.module,
        completion=_completion(learner, certified.module, kind="module"),
    )

    assert course_certificate.organisation == "Huddinge kommun, HR-avdelningen"
    # A module states the organiser of its course (a module has no organiser of its own).
    assert module_certificate.organisation == "Huddinge kommun, HR-avdelningen"

    certified.design.organisation = "Botkyrka kommun"
    certified.design.save()
    other = services.issue_certificate(
        user=learner, page=certified.course, completion=_completion(learner, certified.course)
    )
    assert other.organisation == "Botkyrka kommun", "the design's organisation wins"


def test_the_estimated_hours_are_the_minutes_in_hours_to_one_decimal(certified, learner, complete):
    certified.course.estimated_minutes = 95
    certified.course.save()

    certificate = complete(learner, certified)

    assert certificate.estimated_hours == Decimal("1.6")


def test_a_course_without_estimated_minutes_states_no_hours(certified, learner, complete):
    certified.course.estimated_minutes = None
    certified.course.save()

    assert complete(learner, certified).estimated_hours is None


# --- Issuing, once -------------------------------------------------------------------------


def test_a_code_already_taken_is_drawn_again(certified, learner, queued, monkeypatch):
    taken = services.issue_certificate(
        user=learner, page=certified.course, completion=_completion(learner, certified.course)
    )
    codes = iter([taken.code, taken.code, "NEWC-ODE2-34"])
    monkeypatch.setattr(services, "new_code", lambda: next(codes))

    second = services.issue_certificate(
        user=learner, page=certified.course, completion=_completion(learner, certified.course)
    )

    assert second.code == "NEWC-ODE2-34"
    assert Certificate.objects.count() == 2


def test_five_codes_taken_in_a_row_is_an_error_not_a_loop(certified, learner, queued, monkeypatch):
    taken = services.issue_certificate(
        user=learner, page=certified.course, completion=_completion(learner, certified.course)
    )
    drawn = []

    def same_code():
        drawn.append(taken.code)
        return taken.code

    monkeypatch.setattr(services, "new_code", same_code)

    with pytest.raises(RuntimeError):
        services.issue_certificate(
            user=learner, page=certified.course, completion=_completion(learner, certified.course)
        )
    assert len(drawn) == 5


def test_a_worker_that_loses_the_race_to_issue_returns_the_winners_certificate(
    certified, learner, queued, monkeypatch
):
    """Both saw no certificate; the other worker's insert came first: ours fails on the
    one-to-one with the completion, and the one stored is returned, not a second."""
    completion = _completion(learner, certified.course)
    real_step_kinds = services.step_kinds
    winner = []

    def the_other_worker_inserts_meanwhile(page):
        # Between our look for an existing certificate and our insert.
        if not winner:
            winner.append(
                Certificate.objects.create(
                    user=learner,
                    page_id=certified.course.pk,
                    completion=completion,
                    design=certified.design,
                    code="WINN-ER12-34",
                    kind="course",
                    learner_name="Åsa",
                    title="Jämlik styrning i praktiken",
                    completed_at=COMPLETED_AT,
                )
            )
        return real_step_kinds(page)

    monkeypatch.setattr(services, "step_kinds", the_other_worker_inserts_meanwhile)

    certificate = services.issue_certificate(
        user=learner, page=certified.course, completion=completion
    )

    assert certificate.code == "WINN-ER12-34"
    assert Certificate.objects.filter(completion=completion).count() == 1


def test_the_back_issue_task_issues_for_its_completion_and_skips_one_that_is_gone(
    certified, learner, queued
):
    completion = _completion(learner, certified.course)

    certificate = services.issue_certificate_for_completion(completion.pk)

    assert certificate.completion == completion
    assert certificate.title == "Jämlik styrning i praktiken"
    assert services.issue_certificate_for_completion(completion.pk + 1000) is None


def test_issuing_records_when_the_render_was_queued(certified, learner, monkeypatch):
    """The sweep reads render_enqueued_at to leave a certificate waiting in a long queue
    alone; a task put on the queue must say so."""
    monkeypatch.setattr("django_q.tasks.async_task", lambda *args, **kwargs: None)
    certificate = services.issue_certificate(
        user=learner, page=certified.course, completion=_completion(learner, certified.course)
    )

    before = timezone.now()
    services.enqueue_render(certificate.pk)

    certificate.refresh_from_db()
    assert certificate.render_enqueued_at is not None
    assert certificate.render_enqueued_at >= before


# --- The render ----------------------------------------------------------------------------


def test_a_long_render_error_is_kept_to_two_thousand_characters(
    certified, learner, queued, monkeypatch, caplog
):
    certificate = services.issue_certificate(
        user=learner, page=certified.course, completion=_completion(learner, certified.course)
    )

    def broken(self, context):
        raise ValueError("x" * 5000)

    monkeypatch.setattr(WeasyPrintRenderer, "render", broken)

    with caplog.at_level(logging.ERROR, logger=services.logger.name), pytest.raises(RuntimeError):
        services.render_certificate(certificate.pk)

    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.FAILED
    assert certificate.last_error.startswith("ValueError: xxx")
    assert len(certificate.last_error) == 2000
    assert f"Certificate {certificate.code} failed to render" in caplog.text


def test_a_failed_render_whose_claim_was_taken_over_leaves_the_other_workers_result(
    certified, learner, queued, monkeypatch
):
    certificate = services.issue_certificate(
        user=learner, page=certified.course, completion=_completion(learner, certified.course)
    )

    theirs = timezone.now() + timedelta(seconds=1)

    def overtaken_then_broken(self, context):
        Certificate.objects.filter(pk=certificate.pk).update(render_claimed_at=theirs)
        raise ValueError("fonts missing")

    monkeypatch.setattr(WeasyPrintRenderer, "render", overtaken_then_broken)

    result = services.render_certificate(certificate.pk)  # not raised: not ours to report

    assert result.status == Certificate.Status.PENDING
    assert result.last_error == ""
    assert result.render_claimed_at == theirs, "the other worker's claim stands"


@pytest.mark.parametrize("ours", ["rendered", "failed too"])
def test_when_the_other_worker_failed_our_lost_claim_does_not_raise_its_failure(
    certified, learner, queued, monkeypatch, caplog, ours
):
    certificate = services.issue_certificate(
        user=learner, page=certified.course, completion=_completion(learner, certified.course)
    )
    real = WeasyPrintRenderer.render

    def overtaken_by_a_worker_that_failed(self, context):
        Certificate.objects.filter(pk=certificate.pk).update(
            render_claimed_at=timezone.now() + timedelta(seconds=1),
            status=Certificate.Status.FAILED,
            last_error="OSError: disk full",
        )
        if ours == "failed too":
            raise ValueError("fonts missing")
        return real(self, context)

    monkeypatch.setattr(WeasyPrintRenderer, "render", overtaken_by_a_worker_that_failed)

    with caplog.at_level(logging.WARNING, logger=services.logger.name):
        result = services.render_certificate(certificate.pk)

    assert result.status == Certificate.Status.FAILED
    assert result.last_error == "OSError: disk full"
    if ours == "rendered":
        assert "render claim lost" in caplog.text


def test_the_pdf_names_at_most_five_of_the_addresses_it_left_out(
    certified, learner, queued, monkeypatch
):
    certificate = services.issue_certificate(
        user=learner, page=certified.course, completion=_completion(learner, certified.course)
    )
    refused = [f"https://elsewhere.example/logo-{n}.png" for n in range(7)]
    real = WeasyPrintRenderer.render

    def with_refusals(self, context):
        return RenderedPdf(content=real(self, context).content, refused_urls=refused)

    monkeypatch.setattr(WeasyPrintRenderer, "render", with_refusals)

    services.render_certificate(certificate.pk)

    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.READY
    for url in refused[:5]:
        assert url in certificate.last_error
    assert refused[5] not in certificate.last_error


def test_a_rendered_again_certificate_keeps_only_its_new_pdf(
    certified, learner, queued, monkeypatch
):
    """A design correction renders an issued certificate again: the storage names the new
    file anew (the old one is still there), and the old file goes, not the new."""
    certificate = services.issue_certificate(
        user=learner, page=certified.course, completion=_completion(learner, certified.course)
    )
    services.render_certificate(certificate.pk)
    certificate.refresh_from_db()
    old_name = certificate.pdf.name
    Certificate.objects.filter(pk=certificate.pk).update(status=Certificate.Status.PENDING)

    services.render_certificate(certificate.pk)

    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.READY
    assert certificate.pdf.name != old_name
    assert [path.name for path in pdf_files(certificate)] == [Path(certificate.pdf.name).name]
    assert "Jämlik styrning i praktiken" in pdf_text(pdf_bytes(certificate))


def test_a_render_leaves_no_lease_thread_behind(certified, learner, queued):
    certificate = services.issue_certificate(
        user=learner, page=certified.course, completion=_completion(learner, certified.course)
    )

    services.render_certificate(certificate.pk)

    lease = f"certificate-{certificate.pk}-lease"
    assert not [t for t in threading.enumerate() if t.name == lease]


def test_a_lease_whose_claim_was_taken_stops_renewing(certified, learner, queued):
    certificate = services.issue_certificate(
        user=learner, page=certified.course, completion=_completion(learner, certified.course)
    )
    ours = timezone.now()
    theirs = ours + timedelta(seconds=30)
    Certificate.objects.filter(pk=certificate.pk).update(render_claimed_at=theirs)
    lease = services._RenderLease(certificate.pk, ours)

    lease.renew()

    assert lease._stop.is_set(), "nothing of ours left to keep alive"
    assert lease.claimed_at == ours
    certificate.refresh_from_db()
    assert certificate.render_claimed_at == theirs


def test_a_lease_that_cannot_reach_the_database_tries_again_next_beat(
    certified, learner, queued, monkeypatch, caplog
):
    from django.db import DatabaseError

    certificate = services.issue_certificate(
        user=learner, page=certified.course, completion=_completion(learner, certified.course)
    )
    lease = services._RenderLease(certificate.pk, timezone.now())

    def unreachable(*args, **kwargs):
        raise DatabaseError("server closed the connection")

    monkeypatch.setattr("django.db.models.query.QuerySet.update", unreachable)
    with caplog.at_level(logging.WARNING, logger=services.logger.name):
        lease.renew()

    assert not lease._stop.is_set(), "the next beat tries again"
    assert f"Could not renew the claim on certificate {certificate.pk}" in caplog.text


def test_a_lease_renews_every_beat_until_it_is_stopped(certified, learner, queued, monkeypatch):
    monkeypatch.setattr(services, "RENDER_HEARTBEAT", timedelta(milliseconds=5))
    renewed = threading.Event()
    beats = []

    def renew(lease):
        beats.append(1)
        if len(beats) >= 3:
            renewed.set()

    monkeypatch.setattr(services._RenderLease, "renew", renew)
    with services._RenderLease(1, timezone.now()):
        assert renewed.wait(5), "the lease did not beat"
    count = len(beats)
    threading.Event().wait(0.05)
    assert len(beats) == count, "it stopped beating when the render ended"


# --- Email ---------------------------------------------------------------------------------


def test_a_learner_without_an_email_address_is_not_mailed_and_not_marked_mailed(
    certified, learner, complete, mailoutbox
):
    learner.email = ""
    learner.save()

    certificate = complete(learner, certified)

    assert certificate.status == Certificate.Status.READY
    assert mailoutbox == []
    assert certificate.emailed_at is None


def test_a_failed_send_is_logged_for_the_operator(
    certified, learner, complete, monkeypatch, caplog
):
    def refused(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(services, "send_mail", refused)
    with caplog.at_level(logging.ERROR, logger=services.logger.name):
        certificate = complete(learner, certified)

    assert certificate.emailed_at is None
    assert f"Could not email certificate {certificate.code}" in caplog.text


# --- The admin's actions -------------------------------------------------------------------


def test_revoking_returns_the_revoked_certificate(certified, learner, complete, django_user_model):
    certificate = complete(learner, certified)
    hr = django_user_model.objects.create_user("hr-revoker")

    revoked = services.revoke_certificate(certificate, user=hr, reason="Fusk upptäckt")

    assert revoked.pk == certificate.pk
    assert revoked.revoked_reason == "Fusk upptäckt"


def test_rendering_a_failed_certificate_again_shows_it_pending_until_its_task_runs(
    certified, learner, queued, admin_user, django_capture_on_commit_callbacks
):
    certificate = services.issue_certificate(
        user=learner, page=certified.course, completion=_completion(learner, certified.course)
    )
    Certificate.objects.filter(pk=certificate.pk).update(
        status=Certificate.Status.FAILED, last_error="OSError: disk full"
    )
    queued.clear()
    certificate.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        services.rerender_certificate(certificate, user=admin_user)

    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.PENDING
    assert queued == [certificate.pk]


# --- The sweep -----------------------------------------------------------------------------


def test_the_sweep_resends_a_failed_email_only_after_the_grace(
    certified, learner, time_machine, monkeypatch, queued
):
    time_machine.move_to(T0, tick=False)
    monkeypatch.setattr(services, "send_mail", lambda *a, **k: 1 / 0)
    certificate = services.issue_certificate(
        user=learner, page=certified.course, completion=_completion(learner, certified.course)
    )
    certificate = services.render_certificate(certificate.pk)
    assert certificate.status == Certificate.Status.READY and certificate.emailed_at is None
    queued.clear()

    assert services.sweep_certificates() == 0, "just rendered: its own task may still mail"
    time_machine.shift(timedelta(seconds=services.value("CERTIFICATES_PENDING_GRACE_SECONDS") + 1))
    assert services.sweep_certificates() == 1
    assert queued == [certificate.pk]


def test_the_sweep_back_issues_only_when_a_design_can_apply(certified, learner, monkeypatch):
    completion = _completion(learner, certified.course)
    issued = []
    monkeypatch.setattr(
        services, "back_issue_certificates", lambda **kwargs: issued.append(kwargs) or 0
    )
    CertificateDesign.objects.filter(is_default=True).delete()

    services.sweep_certificates()
    assert issued == [], "no default design: every sweep would queue the same again"

    CertificateDesign.objects.create(name="Standard", is_default=True, heading="Intyg")
    services.sweep_certificates()
    assert issued == [{"limit": services.BACK_ISSUE_BATCH}]
    assert not Certificate.objects.filter(completion=completion).exists()
