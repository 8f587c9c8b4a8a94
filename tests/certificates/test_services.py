"""Issuing and rendering: completion -> pending certificate -> task -> ready PDF, and every
way that path can repeat or break (hooks fired twice, tasks run twice, failed or lost)."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from wagtail import hooks

from wagtail_learning.certificates import services
from wagtail_learning.certificates.models import Certificate
from wagtail_learning.certificates.rendering import WeasyPrintRenderer
from wagtail_learning.certificates.schedules import SWEEP_MINUTES
from wagtail_learning.lms import api as lms
from wagtail_learning.lms.models import Completion

from .conftest import (
    COMPLETED_AT,
    COMPLETED_SV,
    STOCKHOLM,
    complete_course,
    pdf_bytes,
    pdf_text,
)

pytestmark = pytest.mark.django_db


def fire_completion_hooks(*, user, page, completion) -> None:
    for fn in hooks.get_hooks(lms.COURSE_COMPLETED):
        fn(user=user, page=page, completion=completion)


@pytest.fixture
def render_calls(monkeypatch):
    """Counts the renderer's calls (it still renders)."""
    calls = []
    real = WeasyPrintRenderer.render

    def counting(self, context):
        calls.append(context["code"])
        return real(self, context)

    monkeypatch.setattr(WeasyPrintRenderer, "render", counting)
    return calls


class LostTasks(list):
    """Certificate ids whose render task was lost; set `lost = False` to mend the queue."""

    lost = True


@pytest.fixture
def lost_tasks(monkeypatch):
    """Enqueued renders vanish, as when the worker dies (or Redis loses the task)."""
    tasks = LostTasks()
    real = services.enqueue_render

    def enqueue(certificate_id):
        if tasks.lost:
            tasks.append(certificate_id)
        else:
            real(certificate_id)

    monkeypatch.setattr(services, "enqueue_render", enqueue)
    return tasks


# --- The whole path ----------------------------------------------------------------------


def test_completing_the_course_issues_one_ready_certificate_with_the_facts(
    certified, learner, complete
):
    certificate = complete(learner, certified)

    assert Certificate.objects.count() == 1  # the module has no design: no module certificate
    assert certificate.status == Certificate.Status.READY
    assert certificate.kind == "course"
    assert certificate.last_error == ""
    assert certificate.render_attempts == 1
    assert certificate.completion == Completion.objects.get(user=learner, page=certified.course)
    assert certificate.design_revision == certified.design.latest_revision
    text = pdf_text(pdf_bytes(certificate))
    assert "Åsa Öberg-Lindqvist" in text
    assert "Jämlik styrning i praktiken" in text
    assert COMPLETED_SV in text
    assert certificate.code in text
    assert f"/certificates/verify/{certificate.code}/" in text


def test_a_module_with_a_design_of_its_own_gets_its_own_certificate(certified, learner, complete):
    certified.module.certificate_design = certified.design
    certified.module.save()

    complete(learner, certified)

    kinds = sorted(Certificate.objects.filter(user=learner).values_list("kind", flat=True))
    assert kinds == ["course", "module"]
    assert Certificate.objects.get(kind="module").title == "Lagen och praktiken"


def test_no_design_no_certificate(certified, learner, complete):
    certified.course.certificate_design = None
    certified.course.save()

    with pytest.raises(Certificate.DoesNotExist):
        complete(learner, certified)

    assert Completion.objects.filter(user=learner, page=certified.course).exists()


def test_the_request_itself_renders_nothing_before_commit(certified, learner, render_calls):
    """Completing the course records the completion; the certificate and its PDF come from
    the on-commit hook and the task, never from inside the learner's transaction."""
    complete_course(learner, certified)  # no commit in this test: hooks never fire

    assert Completion.objects.filter(user=learner, page=certified.course).exists()
    assert not Certificate.objects.exists()
    assert render_calls == []


@pytest.mark.django_db(transaction=True)
def test_whole_path_through_real_commits(certified, learner):
    """No captured callbacks: the completion commits, announce() fires on commit, issuing
    enqueues on commit, the sync queue renders."""
    complete_course(learner, certified)

    certificate = Certificate.objects.get(user=learner)
    assert certificate.status == Certificate.Status.READY
    assert certificate.code in pdf_text(pdf_bytes(certificate))


# --- Idempotency -------------------------------------------------------------------------


def test_the_hook_fired_twice_issues_one_certificate(
    certified, learner, complete, django_capture_on_commit_callbacks
):
    first = complete(learner, certified)
    completion = first.completion

    with django_capture_on_commit_callbacks(execute=True):
        fire_completion_hooks(user=learner, page=certified.course, completion=completion)
        fire_completion_hooks(user=learner, page=certified.course, completion=completion)

    assert Certificate.objects.get() == first
    assert (
        services.issue_certificate(user=learner, page=certified.course, completion=completion)
        == first
    )


def test_rendering_twice_keeps_one_pdf_and_does_not_render_again(
    certified, learner, complete, render_calls
):
    certificate = complete(learner, certified)
    assert render_calls == [certificate.code]
    pdf_name, rendered_at = certificate.pdf.name, certificate.rendered_at
    content = pdf_bytes(certificate)

    again = services.render_certificate(certificate.pk)

    assert render_calls == [certificate.code]
    again.refresh_from_db()
    assert again.status == Certificate.Status.READY
    assert again.pdf.name == pdf_name
    assert again.rendered_at == rendered_at
    assert again.render_attempts == 1
    assert pdf_bytes(again) == content
    assert len(list(Path(again.pdf.path).parent.glob(f"{certificate.code}*"))) == 1


def test_a_failed_render_is_stored_then_the_sweep_retries_it(
    certified, learner, complete, monkeypatch
):
    real = WeasyPrintRenderer.render
    failures = []

    def fail_once(self, context):
        if not failures:
            failures.append(context["code"])
            raise OSError("disk full (simulated)")
        return real(self, context)

    monkeypatch.setattr(WeasyPrintRenderer, "render", fail_once)

    # In sync mode the task's exception reaches the caller, as it reaches django-q's
    # worker in production (which stores the task as failed).
    with pytest.raises(RuntimeError, match="disk full"):
        complete(learner, certified)

    certificate = Certificate.objects.get(user=learner)
    assert certificate.status == Certificate.Status.FAILED
    assert certificate.last_error == "OSError: disk full (simulated)"
    assert certificate.render_attempts == 1
    assert not certificate.pdf

    assert services.sweep_certificates() == 1

    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.READY
    assert certificate.render_attempts == 2
    assert certificate.last_error == ""
    assert certificate.code in pdf_text(pdf_bytes(certificate))
    assert services.sweep_certificates() == 0
    assert Certificate.objects.count() == 1


def test_a_deployer_shortens_the_wait_for_a_lost_render_task(
    certified, learner, complete, lost_tasks, time_machine, settings
):
    settings.CERTIFICATES_PENDING_GRACE_SECONDS = 30
    time_machine.move_to(T0, tick=False)
    certificate = complete(learner, certified)  # its task is lost

    time_machine.move_to(T0 + timedelta(seconds=20), tick=False)
    assert services.sweep_certificates() == 0
    time_machine.move_to(T0 + timedelta(seconds=31), tick=False)
    assert services.sweep_certificates() == 1

    assert lost_tasks == [certificate.pk, certificate.pk]


def test_the_sweep_gives_up_after_the_last_attempt(certified, learner, complete, lost_tasks):
    certificate = complete(learner, certified)
    Certificate.objects.filter(pk=certificate.pk).update(
        status=Certificate.Status.FAILED, render_attempts=services.MAX_RENDER_ATTEMPTS
    )

    assert services.sweep_certificates() == 0
    assert lost_tasks == [certificate.pk]  # only the first, lost enqueue


def test_a_killed_task_leaves_it_pending_and_the_sweep_finishes_it(
    certified, learner, complete, lost_tasks
):
    certificate = complete(learner, certified)
    assert lost_tasks == [certificate.pk]
    assert certificate.status == Certificate.Status.PENDING

    assert services.sweep_certificates() == 0, "a fresh pending certificate is left alone"

    Certificate.objects.filter(pk=certificate.pk).update(
        issued_at=timezone.now() - timedelta(minutes=6)
    )
    lost_tasks.lost = False  # the queue works again
    assert services.sweep_certificates() == 1

    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.READY
    assert certificate.render_attempts == 1
    assert Certificate.objects.count() == 1


def test_the_sweep_and_a_redelivered_task_together_still_make_one_pdf(
    certified, learner, complete, lost_tasks, render_calls
):
    certificate = complete(learner, certified)
    Certificate.objects.filter(pk=certificate.pk).update(
        issued_at=timezone.now() - timedelta(minutes=6)
    )
    lost_tasks.lost = False

    services.sweep_certificates()
    services.render_certificate(certificate.pk)  # the original task, redelivered late
    services.render_certificate(certificate.pk)

    assert render_calls == [certificate.code]
    assert Certificate.objects.get().status == Certificate.Status.READY


def test_the_periodic_sweep_is_scheduled_once():
    from django_q.models import Schedule

    from wagtail_learning.certificates.schedules import SWEEP_NAME, ensure_schedules

    ensure_schedules()
    ensure_schedules()

    schedule = Schedule.objects.get(name=SWEEP_NAME)
    assert schedule.func == "wagtail_learning.certificates.tasks.sweep_certificates_task"
    assert schedule.repeats == -1


# --- What is stored when issued ----------------------------------------------------------


def test_renaming_the_learner_or_the_course_does_not_change_an_issued_certificate(
    certified, learner, complete
):
    certificate = complete(learner, certified)
    before = pdf_bytes(certificate)

    learner.first_name, learner.last_name = "Anna", "Bergström"
    learner.save()
    certified.course.title = "Nytt kursnamn"
    certified.course.save_revision().publish()

    services.render_certificate(certificate.pk)
    certificate.refresh_from_db()
    assert certificate.learner_name == "Åsa Öberg-Lindqvist"
    assert certificate.title == "Jämlik styrning i praktiken"
    assert pdf_bytes(certificate) == before

    # Even a fresh render (after a failure) prints what was stored at issue.
    Certificate.objects.filter(pk=certificate.pk).update(status=Certificate.Status.FAILED)
    services.render_certificate(certificate.pk)
    text = pdf_text(pdf_bytes(Certificate.objects.get(pk=certificate.pk)))
    assert "Åsa Öberg-Lindqvist" in text
    assert "Jämlik styrning i praktiken" in text
    assert "Bergström" not in text
    assert "Nytt kursnamn" not in text


def test_the_design_revision_at_issue_is_the_one_rendered(certified, learner, complete):
    certificate = complete(learner, certified)

    certified.design.heading = "Diplom"
    certified.design.save()
    certified.design.save_revision()
    Certificate.objects.filter(pk=certificate.pk).update(status=Certificate.Status.FAILED)
    services.render_certificate(certificate.pk)

    text = pdf_text(pdf_bytes(Certificate.objects.get(pk=certificate.pk)))
    assert text.startswith("Intyg")
    assert "Diplom" not in text


def test_expiry_comes_from_the_design_validity(learner, certified, complete):
    certified.design.validity_months = 24
    certified.design.save()
    certified.design.save_revision()

    certificate = complete(learner, certified)

    assert timezone.localtime(certificate.expires_at).date().isoformat() == "2028-11-22"
    assert "22 november 2028" in pdf_text(pdf_bytes(certificate))


# --- Email -------------------------------------------------------------------------------


def test_one_email_when_ready_with_the_download_link(certified, learner, complete, mailoutbox):
    certificate = complete(learner, certified)

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [learner.email]
    assert "Jämlik styrning i praktiken" in message.subject
    assert f"http://testserver/certificates/{certificate.code}/pdf/" in message.body
    assert f"http://testserver/certificates/verify/{certificate.code}/" in message.body
    certificate.refresh_from_db()
    assert certificate.emailed_at is not None

    services.render_certificate(certificate.pk)
    services.render_certificate(certificate.pk)
    assert len(mailoutbox) == 1


def test_no_email_while_pending_or_failed(
    certified, learner, complete, lost_tasks, mailoutbox, monkeypatch
):
    certificate = complete(learner, certified)
    assert certificate.status == Certificate.Status.PENDING
    assert mailoutbox == []

    def broken(self, context):
        raise RuntimeError("no fonts")

    monkeypatch.setattr(WeasyPrintRenderer, "render", broken)
    with pytest.raises(RuntimeError):
        services.render_certificate(certificate.pk)
    assert Certificate.objects.get(pk=certificate.pk).status == Certificate.Status.FAILED
    assert mailoutbox == []


def test_a_task_killed_after_commit_still_emails_when_redelivered(
    certified, learner, complete, mailoutbox, monkeypatch
):
    """The render committed, then the worker died before the email; the broker redelivers."""
    monkeypatch.setattr(services, "_email_learner", lambda certificate: None)
    certificate = complete(learner, certified)
    assert mailoutbox == []
    monkeypatch.undo()

    services.render_certificate(certificate.pk)
    services.render_certificate(certificate.pk)

    assert len(mailoutbox) == 1


# --- Re-issue ----------------------------------------------------------------------------


def test_a_new_completion_issues_a_second_certificate_and_keeps_the_first(
    certified, learner, complete, django_capture_on_commit_callbacks
):
    """Recertification needs a new completion cycle; the engine keeps one Completion per
    learner and page, so a new cycle means the old row is gone (lms support, not built yet).
    What the certificates app must do: issue anew and leave the first certificate alone."""
    first = complete(learner, certified)
    first_pdf = pdf_bytes(first)
    first.completion.delete()
    renewed = Completion.objects.create(
        user=learner,
        page=certified.course,
        kind=Completion.Kind.COURSE,
        completed_at=COMPLETED_AT.replace(year=2028),
    )

    with django_capture_on_commit_callbacks(execute=True):
        fire_completion_hooks(user=learner, page=certified.course, completion=renewed)

    assert Certificate.objects.filter(user=learner).count() == 2
    second = Certificate.objects.get(completion=renewed)
    assert second.code != first.code
    assert second.status == Certificate.Status.READY
    assert "22 november 2028" in pdf_text(pdf_bytes(second))
    first.refresh_from_db()
    assert first.completion is None
    assert first.status == Certificate.Status.READY
    assert pdf_bytes(first) == first_pdf


def test_deleting_the_design_leaves_issued_certificates_readable_and_renderable(
    certified, learner, complete, client
):
    certificate = complete(learner, certified)

    certified.design.delete()  # its revisions are deleted with it
    certificate.refresh_from_db()
    assert certificate.design is None and certificate.design_revision is None

    client.force_login(learner)
    page = client.get(f"/certificates/{certificate.code}/")
    assert page.status_code == 200
    assert "Åsa Öberg-Lindqvist" in page.content.decode()
    Certificate.objects.filter(pk=certificate.pk).update(status=Certificate.Status.FAILED)
    services.render_certificate(certificate.pk)
    text = pdf_text(pdf_bytes(Certificate.objects.get(pk=certificate.pk)))
    assert "Åsa Öberg-Lindqvist" in text
    assert certificate.code in text


def test_a_failed_email_is_sent_by_the_next_sweep(
    certified, learner, complete, monkeypatch, mailoutbox
):
    from django.utils import timezone

    from wagtail_learning.certificates import services

    calls = []

    def broken_send(*args, **kwargs):
        calls.append(args)
        raise OSError("SMTP server unreachable")

    monkeypatch.setattr(services, "send_mail", broken_send)
    certificate = complete(learner, certified)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.READY
    assert certificate.emailed_at is None  # undone, so it can be tried again
    assert len(calls) == 1

    monkeypatch.undo()
    Certificate.objects.filter(pk=certificate.pk).update(
        rendered_at=timezone.now() - timedelta(minutes=10)
    )
    assert services.sweep_certificates() == 1
    certificate.refresh_from_db()
    assert certificate.emailed_at is not None
    assert len(mailoutbox) == 1


# --- A worker that dies mid-render ---------------------------------------------------------

T0 = datetime(2026, 11, 22, 15, 0, tzinfo=STOCKHOLM)
# django-q2's cluster looks at its schedules every 30 s, so a sweep due at a minute mark
# runs up to 30 s late.
SCHEDULER_TICK = timedelta(seconds=30)


def test_a_render_whose_worker_died_is_finished_by_the_sweep_within_two_minutes(
    certified, learner, complete, lost_tasks, render_calls, time_machine
):
    time_machine.move_to(T0, tick=False)
    certificate = complete(learner, certified)
    # A worker claims it and dies mid-render: the claim is all it leaves behind.
    died_at = timezone.now()
    Certificate.objects.filter(pk=certificate.pk).update(
        render_claimed_at=died_at, render_attempts=1
    )
    lost_tasks.lost = False

    # The worst case: a sweep just before the claim lapses (a live render could still be
    # renewing it), then the next one a whole interval plus the scheduler's tick later.
    last_quiet_sweep = died_at + services.RENDER_LEASE - timedelta(seconds=1)
    time_machine.move_to(last_quiet_sweep, tick=False)
    assert services.sweep_certificates() == 0
    next_sweep = last_quiet_sweep + timedelta(minutes=SWEEP_MINUTES) + SCHEDULER_TICK
    assert next_sweep - died_at < timedelta(minutes=2)
    time_machine.move_to(next_sweep, tick=False)
    assert services.sweep_certificates() == 1

    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.READY
    assert certificate.render_claimed_at is None
    assert certificate.render_attempts == 2
    assert render_calls == [certificate.code]


def test_an_existing_ten_minute_sweep_is_brought_to_every_minute():
    from django_q.models import Schedule

    from wagtail_learning.certificates.schedules import SWEEP_NAME, ensure_schedules

    ensure_schedules()
    Schedule.objects.filter(name=SWEEP_NAME).update(minutes=10)  # as deployed before

    ensure_schedules()

    assert Schedule.objects.get(name=SWEEP_NAME).minutes == SWEEP_MINUTES == 1


@pytest.mark.django_db(transaction=True)
def test_a_live_render_keeps_its_claim_however_long_it_takes(
    certified, learner, monkeypatch, time_machine
):
    time_machine.move_to(T0, tick=False)
    monkeypatch.setattr(services, "enqueue_render", lambda certificate_id: None)
    completion = Completion.objects.create(
        user=learner, page=certified.course, kind="course", completed_at=COMPLETED_AT
    )
    certificate = services.issue_certificate(
        user=learner, page=certified.course, completion=completion
    )
    monkeypatch.setattr(services, "RENDER_HEARTBEAT", timedelta(milliseconds=20))
    # The heartbeat thread and this one take turns at the database: SQLite's shared
    # in-memory test database refuses (rather than waits for) a second thread.
    database = threading.Lock()
    real_renew = services._RenderLease.renew

    def renew(lease):
        with database:
            real_renew(lease)

    monkeypatch.setattr(services._RenderLease, "renew", renew)

    def wait_until_renewed() -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with database:
                if Certificate.objects.filter(
                    pk=certificate.pk, render_claimed_at=timezone.now()
                ).exists():
                    return
            time.sleep(0.01)
        raise AssertionError("the claim was not renewed")

    calls, sweeps, others = [], [], []
    real_render = WeasyPrintRenderer.render

    def slow(self, context):
        calls.append(context["code"])
        if len(calls) > 1:  # a second render: the claim was stolen
            return real_render(self, context)
        for _beat in range(8):  # two minutes of rendering, six leases long
            time_machine.shift(timedelta(seconds=15))
            wait_until_renewed()
            with database:
                sweeps.append(services.sweep_certificates())
                others.append(services.render_certificate(certificate.pk).status)
        return real_render(self, context)

    monkeypatch.setattr(WeasyPrintRenderer, "render", slow)

    services.render_certificate(certificate.pk)

    assert calls == [certificate.code]
    assert sweeps == [0] * 8, "the sweep left the live render alone"
    assert others == [Certificate.Status.PENDING] * 8, "another worker did not take it"
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.READY
    assert certificate.render_attempts == 1


def test_a_worker_whose_claim_was_taken_over_keeps_the_other_result(
    certified, learner, complete, lost_tasks, monkeypatch
):
    certificate = complete(learner, certified)
    real = WeasyPrintRenderer.render

    def overtaken(self, context):
        # Meanwhile (heartbeats stalled past the lease) another worker claimed it.
        Certificate.objects.filter(pk=certificate.pk).update(
            render_claimed_at=timezone.now() + timedelta(seconds=1)
        )
        return real(self, context)

    monkeypatch.setattr(WeasyPrintRenderer, "render", overtaken)

    result = services.render_certificate(certificate.pk)

    assert result.status == Certificate.Status.PENDING  # the other worker's to finish
    assert not result.pdf
    folder = Path(Certificate._meta.get_field("pdf").storage.location)
    assert not list(folder.rglob(f"{certificate.code}*")), "our PDF was not left behind"


def test_a_render_that_keeps_dying_is_given_up_after_the_last_attempt(
    certified, learner, complete, lost_tasks, time_machine
):
    time_machine.move_to(T0, tick=False)
    certificate = complete(learner, certified)
    Certificate.objects.filter(pk=certificate.pk).update(
        render_claimed_at=timezone.now(), render_attempts=services.MAX_RENDER_ATTEMPTS
    )
    time_machine.shift(services.RENDER_LEASE + timedelta(seconds=1))

    assert services.sweep_certificates() == 0

    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.FAILED
    assert certificate.render_claimed_at is None
    assert str(services.MAX_RENDER_ATTEMPTS) in certificate.last_error
    assert lost_tasks == [certificate.pk]  # only the first, lost enqueue


def test_a_certificate_waiting_in_a_long_queue_is_not_queued_again_every_minute(
    certified, learner, complete, lost_tasks, time_machine
):
    time_machine.move_to(T0, tick=False)
    certificate = complete(learner, certified)
    # Behind a backlog: issued long ago, its task put on the queue a minute ago.
    Certificate.objects.filter(pk=certificate.pk).update(
        issued_at=T0 - timedelta(minutes=30), render_enqueued_at=T0 - timedelta(minutes=1)
    )

    for minute in range(4):  # four sweeps while it waits its turn
        time_machine.move_to(T0 + timedelta(minutes=minute), tick=False)
        assert services.sweep_certificates() == 0
    time_machine.move_to(T0 + timedelta(seconds=300), tick=False)
    assert services.sweep_certificates() == 1  # its task may have been lost after all

    assert lost_tasks == [certificate.pk, certificate.pk]


def test_a_render_whose_worker_died_is_queued_again_once(
    certified, learner, complete, lost_tasks, time_machine
):
    time_machine.move_to(T0, tick=False)
    certificate = complete(learner, certified)
    Certificate.objects.filter(pk=certificate.pk).update(
        render_claimed_at=T0, render_enqueued_at=T0 - timedelta(seconds=1)
    )
    time_machine.move_to(T0 + services.RENDER_LEASE + timedelta(seconds=1), tick=False)

    assert services.sweep_certificates() == 1  # lost again (the queue is still down)
    Certificate.objects.filter(pk=certificate.pk).update(render_enqueued_at=timezone.now())
    time_machine.shift(timedelta(minutes=1))
    assert services.sweep_certificates() == 0, "already queued again"
    assert lost_tasks == [certificate.pk, certificate.pk]
