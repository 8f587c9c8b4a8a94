"""The accessibility app's rules: receiving a barrier report (stored, acknowledged, passed
to the organisation's contact), handling it, and letting go of the reporter's contact
details when they are no longer needed."""

from __future__ import annotations

from datetime import datetime

from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from wagtail_learning.lms.api import public_url

from .conf import report_retention
from .models import AccessibilityStatement, BarrierReport
from .vocabulary import ReportStatus

__all__ = [
    "get_statement",
    "purge_report_contacts",
    "report_barrier",
    "update_report",
]


def get_statement() -> AccessibilityStatement:
    """The statement (an empty one, created on first use, when nobody wrote it)."""
    return AccessibilityStatement.load()


def report_barrier(
    *,
    site,
    description: str,
    page_url: str = "",
    contact_name: str = "",
    contact_email: str = "",
) -> BarrierReport:
    """Store a report of a barrier met on `page_url` (a path on the site). Once it is
    committed, the reporter gets a receipt (when they gave an address) and the statement's
    contact a copy to act on (when one is set; the report is listed in the admin either
    way)."""
    with transaction.atomic():
        report = BarrierReport.objects.create(
            site=site,
            page_url=page_url,
            description=description,
            contact_name=contact_name,
            contact_email=contact_email.strip().lower(),
        )
    statement = get_statement()
    transaction.on_commit(lambda: _send_report_mails(report, statement))
    return report


def _send_report_mails(report: BarrierReport, statement: AccessibilityStatement) -> None:
    contact = statement.contact_email
    organisation = statement.organisation_name
    context = {
        "report": report,
        "organisation": organisation,
        "response_time": statement.response_time,
        "page": public_url(report.page_url) if report.page_url.startswith("/") else "",
        "statement_url": public_url(reverse("accessibility:statement")),
        "admin_url": public_url(reverse("accessibility_barrierreport:edit", args=[report.pk])),
    }
    # The platform speaks Swedish first (wagtail_learning.middleware.SwedishFirstLocaleMiddleware).
    with translation.override("sv"):
        if report.contact_email:
            EmailMessage(
                _("We have received your report of an accessibility barrier"),
                render_to_string("accessibility/email/receipt.txt", context),
                None,
                [report.contact_email],
                reply_to=[contact] if contact else None,
            ).send()
        if contact:
            EmailMessage(
                _("An accessibility barrier was reported"),
                render_to_string("accessibility/email/report.txt", context),
                None,
                [contact],
                reply_to=[report.contact_email] if report.contact_email else None,
            ).send()


def update_report(report: BarrierReport, *, status: str, note: str) -> BarrierReport:
    """Set the handling of `report`. Closing it (fixed or rejected) records when, which
    starts the time its contact details are kept; reopening it clears that."""
    closed = status in ReportStatus.closed()
    if closed and report.closed_at is None:
        report.closed_at = timezone.now()
    elif not closed:
        report.closed_at = None
    report.status = status
    report.note = note
    report.save(update_fields=["status", "note", "closed_at"])
    return report


def purge_report_contacts(now: datetime | None = None) -> int:
    """Empty the reporter's name and address on reports closed longer ago than the
    retention period (LMS_BARRIER_REPORT_RETENTION_DAYS). The report itself stays: what
    the barrier was and how it was handled. Idempotent; returns how many reports changed."""
    before = (now or timezone.now()) - report_retention()
    with transaction.atomic():
        return (
            BarrierReport.objects.filter(status__in=ReportStatus.closed(), closed_at__lt=before)
            .exclude(contact_name="", contact_email="")
            .update(contact_name="", contact_email="")
        )
