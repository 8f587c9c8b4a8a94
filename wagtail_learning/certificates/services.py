"""Issuing, rendering, revoking and verifying certificates.

Issuing is idempotent: one certificate per completion (learner, target, completion cycle),
however often the completion hook fires or the render task runs (django-q2 delivers at
least once). The web request never renders a PDF; a task does.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import DatabaseError, IntegrityError, connections, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from wagtail_learning.defaults import value
from wagtail_learning.lms.api import Completion, public_url

from .codes import new_code, normalise_code
from .contents import step_kinds
from .models import Certificate, CertificateDesign
from .rendering import render_certificate_pdf

logger = logging.getLogger(__name__)

MAX_RENDER_ATTEMPTS = 5
# A worker's claim on a render lasts RENDER_LEASE past its last heartbeat; while the PDF is
# being rendered the worker renews it every RENDER_HEARTBEAT. A worker that dies stops
# renewing, its claim lapses within RENDER_LEASE, and the sweep (every minute) hands the
# certificate to another worker: the worst case is RENDER_LEASE + the sweep interval +
# django-q2's 30 s scheduler tick, under two minutes. A live render, however slow, keeps its
# claim, so it is never rendered twice.
RENDER_LEASE = timedelta(seconds=20)
RENDER_HEARTBEAT = timedelta(seconds=5)

# Completions back-issued per sweep at most: a first sweep over a large history is spread
# over several runs instead of one long one.
BACK_ISSUE_BATCH = 500

__all__ = [
    "back_issue_certificates",
    "find_certificate",
    "issue_certificate",
    "issue_certificate_for_completion",
    "render_certificate",
    "rerender_certificate",
    "revoke_certificate",
    "sweep_certificates",
]


def _course_of(page, completion):
    """The course a module belongs to; None for a course."""
    if completion.kind != "module":
        return None
    parent = page.get_parent()
    return parent.specific if parent is not None else None


def _design_for(page) -> CertificateDesign | None:
    """The page's own design, else the default."""
    return getattr(page, "certificate_design", None) or CertificateDesign.get_default()


def _learner_name(user) -> str:
    return user.get_full_name().strip() or user.get_username()


def issue_certificate(*, user, page, completion) -> Certificate | None:
    """Create the certificate for a completion (pending) and enqueue its rendering.

    The design is the page's, else the default design.
    Returns None only when there is no design at all (the default was deleted).
    Idempotent: a second call for the same completion returns the existing certificate
    (the one-to-one on `completion` refuses a double).
    """
    existing = Certificate.objects.filter(completion=completion).first()
    if existing is not None:
        return existing
    design = _design_for(page)
    if design is None:
        return None
    course = _course_of(page, completion)
    hours = getattr(page, "estimated_minutes", None)
    expires_at = design.expiry_for(completion.completed_at)
    contents = step_kinds(page)
    for _attempt in range(5):  # a code collision is astronomically rare; retry anyway
        try:
            with transaction.atomic():
                certificate = Certificate.objects.create(
                    user=user,
                    page_id=page.pk,
                    completion=completion,
                    design=design,
                    design_revision=design.latest_revision,
                    code=new_code(),
                    kind=completion.kind,
                    learner_name=_learner_name(user),
                    title=page.title,
                    course_title=course.title if course is not None else "",
                    organisation=design.organisation
                    or getattr(course or page, "organiser", "")
                    or "",
                    estimated_hours=round(hours / 60, 1) if hours else None,
                    contents=contents,
                    language=design.language,
                    completed_at=completion.completed_at,
                    expires_at=expires_at,
                )
            break
        except IntegrityError:
            existing = Certificate.objects.filter(completion=completion).first()
            if existing is not None:
                return existing
    else:  # pragma: no cover
        raise RuntimeError("Could not allocate a unique certificate code.")
    transaction.on_commit(lambda: enqueue_render(certificate.pk))
    return certificate


def issue_certificate_for_completion(completion_id: int) -> Certificate | None:
    """Issue the certificate of one stored completion (the back-issue task). Idempotent:
    a completion that has its certificate keeps it; one that is gone is skipped."""
    completion = Completion.objects.select_related("user").filter(pk=completion_id).first()
    if completion is None:
        return None
    return issue_certificate(
        user=completion.user, page=completion.page.specific, completion=completion
    )


def back_issue_certificates(*, page=None, limit: int | None = None, sync: bool = False) -> int:
    """Enqueue the issuing of a certificate for every completion that has none: of `page`
    and the pages below it (a course and its modules), or of every page.

    Completions earned while no design applied get theirs once one does (a design is
    attached, the default exists). Safe to repeat: each task issues at most one
    certificate per completion (the one-to-one on `completion`), so a completion queued
    twice still gets one. Inactive accounts (people who left, anonymised) are skipped.
    `sync` issues in this process instead (the demo command).
    Returns how many completions were queued (or issued)."""
    # Active accounts only: an anonymised person's account is inactive, and a certificate
    # issued now would carry its placeholder username (decision 0014).
    missing = Completion.objects.filter(certificate__isnull=True, user__is_active=True).order_by(
        "completed_at", "pk"
    )
    if page is not None:
        missing = missing.filter(page__path__startswith=page.path)
    ids = list(missing.values_list("pk", flat=True)[:limit])
    if sync:
        for completion_id in ids:
            issue_certificate_for_completion(completion_id)
        return len(ids)
    from django_q.tasks import async_task

    for completion_id in ids:
        async_task(
            "wagtail_learning.certificates.tasks.issue_certificate_task",
            completion_id,
            task_name=f"certificate-issue-{completion_id}-{timezone.now():%Y%m%d%H%M%S%f}",
            group="certificates",
        )
    return len(ids)


def enqueue_render(certificate_id: int) -> None:
    from django_q.tasks import async_task

    Certificate.objects.filter(pk=certificate_id).update(render_enqueued_at=timezone.now())
    async_task(
        "wagtail_learning.certificates.tasks.render_certificate_task",
        certificate_id,
        task_name=f"certificate-{certificate_id}-{timezone.now():%Y%m%d%H%M%S%f}",
        group="certificates",
    )


def render_certificate(certificate_id: int, *, now=None) -> Certificate | None:
    """Render a pending (or failed) certificate to PDF and mark it ready. Idempotent: a
    ready certificate is not rendered again, and a render another worker is doing (a claim
    renewed within RENDER_LEASE) is left to it. On failure the error is stored and re-raised.

    The PDF is rendered outside any transaction: on SQLite a transaction holds the whole
    database's write lock, and every heartbeat would wait behind each render.
    The learner is emailed once the certificate is ready, also when a redelivered task finds
    it ready already (a worker killed between the save and the email)."""
    now = now or timezone.now()
    claimed = (
        Certificate.objects.filter(pk=certificate_id)
        .exclude(status=Certificate.Status.READY, pdf__gt="")
        .filter(Q(render_claimed_at__isnull=True) | Q(render_claimed_at__lt=now - RENDER_LEASE))
        .update(render_claimed_at=now, render_attempts=F("render_attempts") + 1)
    )
    certificate = Certificate.objects.filter(pk=certificate_id).first()
    if certificate is None:
        return None
    finished = claimed and _render_claimed(certificate, claimed_at=now)
    if certificate.status == Certificate.Status.FAILED and finished:
        raise RuntimeError(certificate.last_error)
    if certificate.status == Certificate.Status.READY:
        _email_learner(certificate)
    return certificate


class _RenderLease:
    """Keeps a worker's claim on a render alive while it renders: a thread renews
    `render_claimed_at` every RENDER_HEARTBEAT, as long as the claim is still the one this
    worker wrote. `claimed_at` is the value last written; read it after the block ends."""

    def __init__(self, certificate_id: int, claimed_at) -> None:
        self.certificate_id = certificate_id
        self.claimed_at = claimed_at
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"certificate-{certificate_id}-lease", daemon=True
        )

    def __enter__(self) -> _RenderLease:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            while not self._stop.wait(RENDER_HEARTBEAT.total_seconds()):
                self.renew()
        finally:
            connections.close_all()  # this thread's own connections

    def renew(self) -> None:
        now = timezone.now()
        try:
            renewed = Certificate.objects.filter(
                pk=self.certificate_id, render_claimed_at=self.claimed_at
            ).update(render_claimed_at=now)
        except DatabaseError:
            # The next beat tries again; if the claim lapses meanwhile, the final write
            # notices and keeps the other worker's result.
            logger.warning("Could not renew the claim on certificate %s", self.certificate_id)
            return
        if renewed:
            self.claimed_at = now
        else:
            self._stop.set()  # another worker took over: nothing left to keep alive


def _render_claimed(certificate: Certificate, *, claimed_at) -> bool:
    """Render under a renewed claim and store the result, but only while the claim is still
    ours. Returns whether it was (False: another worker took over; `certificate` is then
    refreshed from the database)."""
    rendered, failure = None, None
    with _RenderLease(certificate.pk, claimed_at) as lease:
        try:
            rendered = render_certificate_pdf(certificate)
        except Exception as error:
            failure = error
    ours = Certificate.objects.filter(pk=certificate.pk, render_claimed_at=lease.claimed_at)
    if rendered is None:
        last_error = f"{type(failure).__name__}: {failure}"[:2000]
        if not ours.update(
            status=Certificate.Status.FAILED, last_error=last_error, render_claimed_at=None
        ):
            certificate.refresh_from_db()
            return False
        certificate.status = Certificate.Status.FAILED
        certificate.last_error = last_error
        certificate.render_claimed_at = None
        logger.error("Certificate %s failed to render", certificate.code, exc_info=failure)
        return True
    old_name = certificate.pdf.name if certificate.pdf else ""
    certificate.pdf.save(f"{certificate.code}.pdf", ContentFile(rendered.content), save=False)
    last_error = (
        _("Left out of the PDF: %(urls)s") % {"urls": ", ".join(rendered.refused_urls[:5])}
        if rendered.refused_urls
        else ""
    )
    rendered_at = timezone.now()
    if not ours.update(
        pdf=certificate.pdf.name,
        status=Certificate.Status.READY,
        rendered_at=rendered_at,
        render_claimed_at=None,
        last_error=last_error,
    ):
        # Our claim lapsed and another worker has it: keep its result, drop ours.
        certificate.pdf.storage.delete(certificate.pdf.name)
        certificate.refresh_from_db()
        logger.warning("Certificate %s: render claim lost, result discarded", certificate.code)
        return False
    certificate.status = Certificate.Status.READY
    certificate.rendered_at = rendered_at
    certificate.render_claimed_at = None
    certificate.last_error = last_error
    if old_name and old_name != certificate.pdf.name:
        certificate.pdf.storage.delete(old_name)
    return True


def _email_learner(certificate: Certificate) -> None:
    """Tell the learner their certificate is ready, once. A failed send is undone, so the
    sweep tries again."""
    if certificate.emailed_at or not certificate.user.email:
        return
    claimed_at = timezone.now()
    updated = Certificate.objects.filter(pk=certificate.pk, emailed_at__isnull=True).update(
        emailed_at=claimed_at
    )
    if not updated:
        return  # another worker sent it
    context = {
        "certificate": certificate,
        "mine_url": public_url(reverse("certificates:mine")),
        "download_url": public_url(reverse("certificates:download", args=[certificate.code])),
        "verify_url": public_url(reverse("certificates:verify_code", args=[certificate.code])),
    }
    with translation.override(certificate.language):
        subject = _("Your certificate: %(title)s") % {"title": certificate.title}
        body = render_to_string("certificates/email/ready.txt", context)
    try:
        send_mail(subject, body, None, [certificate.user.email])
    except Exception:
        Certificate.objects.filter(pk=certificate.pk, emailed_at=claimed_at).update(emailed_at=None)
        logger.exception("Could not email certificate %s", certificate.code)
        return
    certificate.emailed_at = claimed_at


def rerender_certificate(certificate: Certificate, *, user=None) -> None:
    """Queue a failed or stuck certificate for rendering again (admin action)."""
    Certificate.objects.filter(pk=certificate.pk).exclude(status=Certificate.Status.READY).update(
        status=Certificate.Status.PENDING
    )
    # The person's id goes with the entry: the wall scopes audit entries by person.
    log(certificate, "certificates.rerender", user=user, data={"user_id": certificate.user_id})
    transaction.on_commit(lambda: enqueue_render(certificate.pk))


def revoke_certificate(certificate: Certificate, *, user, reason: str) -> Certificate:
    """Revoke a certificate, with a reason, in the audit log. Idempotent."""
    reason = (reason or "").strip()
    if not reason:
        raise ValueError(_("Give a reason for revoking the certificate."))
    if certificate.revoked_at is None:
        certificate.revoked_at = timezone.now()
        certificate.revoked_reason = reason
        certificate.revoked_by = user
        certificate.save(update_fields=["revoked_at", "revoked_reason", "revoked_by"])
        log(
            certificate,
            "certificates.revoke",
            user=user,
            data={"reason": reason, "user_id": certificate.user_id},
        )
    return certificate


def sweep_certificates(now=None) -> int:
    """Re-enqueue certificates whose task was lost (pending too long), whose worker died
    mid-render (its claim was not renewed within RENDER_LEASE), that failed and may be tried
    again, or whose email could not be sent; and queue the issuing of certificates for
    completions that have none (back_issue_certificates). Run every minute. Returns how many
    renders were queued.

    A certificate whose render has stopped MAX_RENDER_ATTEMPTS times without finishing
    (a worker killed by the task timeout each time) is marked failed instead, so it does
    not take a worker every few minutes for ever; the admin action renders it again."""
    now = now or timezone.now()
    lapsed = now - RENDER_LEASE
    grace = timedelta(seconds=value("CERTIFICATES_PENDING_GRACE_SECONDS"))
    pending = Certificate.objects.filter(status=Certificate.Status.PENDING)
    abandoned = pending.filter(render_claimed_at__lt=lapsed)
    abandoned.filter(render_attempts__gte=MAX_RENDER_ATTEMPTS).update(
        status=Certificate.Status.FAILED,
        render_claimed_at=None,
        last_error=_("The render stopped %(count)s times without finishing.")
        % {"count": MAX_RENDER_ATTEMPTS},
    )
    stuck = (
        # Not rendering, and not queued within CERTIFICATES_PENDING_GRACE_SECONDS: the task
        # was lost.
        pending.filter(issued_at__lt=now - grace)
        .exclude(render_claimed_at__gte=lapsed)
        .exclude(render_enqueued_at__gte=now - grace)
        # Claimed by a worker that stopped renewing (it died mid-render), and not queued
        # again since.
        | abandoned.filter(
            Q(render_enqueued_at__isnull=True) | Q(render_enqueued_at__lt=F("render_claimed_at"))
        )
        | Certificate.objects.filter(
            status=Certificate.Status.FAILED, render_attempts__lt=MAX_RENDER_ATTEMPTS
        )
        # Ready, but the email failed: the task sends it when it finds the PDF ready.
        | Certificate.objects.filter(
            status=Certificate.Status.READY,
            emailed_at__isnull=True,
            rendered_at__lt=now - grace,
        ).exclude(user__email="")
    )
    ids = list(stuck.values_list("pk", flat=True))
    for certificate_id in ids:
        enqueue_render(certificate_id)
    # Completions earned while no design applied, or whose issuing was lost with its task.
    # Only when a design can apply: otherwise every sweep would queue the same again.
    if CertificateDesign.get_default() is not None:
        back_issue_certificates(limit=BACK_ISSUE_BATCH)
    return len(ids)


def find_certificate(typed_code: str) -> Certificate | None:
    """The certificate with this verification code (as typed by a person), or None."""
    code = normalise_code(typed_code)
    if not code:
        return None
    return Certificate.objects.filter(code=code).first()
