"""A barrier report's contact details leave with the retention period once it is closed,
and with the reporter when they are anonymised; what the barrier was stays."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.factories import org_unit, staff_member
from wagtail_learning.accessibility.api import (
    BarrierReport,
    ReportStatus,
    purge_report_contacts,
    update_report,
)
from wagtail_learning.compliance import api as compliance

pytestmark = pytest.mark.django_db


def report(**fields) -> BarrierReport:
    fields.setdefault("description", "Tabellen går inte att läsa med skärmläsare.")
    fields.setdefault("contact_name", "Sara Nilsson")
    fields.setdefault("contact_email", "sara@example.se")
    return BarrierReport.objects.create(**fields)


def test_contact_details_of_reports_closed_longer_than_the_retention_period_are_emptied(settings):
    settings.LMS_BARRIER_REPORT_RETENTION_DAYS = 30
    now = timezone.now()
    old = update_report(report(), status=ReportStatus.FIXED, note="Rättat.")
    BarrierReport.objects.filter(pk=old.pk).update(closed_at=now - timedelta(days=31))
    recent = update_report(report(), status=ReportStatus.REJECTED, note="Inte vår tjänst.")
    open_ = report(created_at=now - timedelta(days=400))

    assert purge_report_contacts(now) == 1
    assert purge_report_contacts(now) == 0  # idempotent

    old.refresh_from_db()
    assert (old.contact_name, old.contact_email) == ("", "")
    assert old.description and old.note == "Rättat."
    for kept in (recent, open_):
        kept.refresh_from_db()
        assert kept.contact_email == "sara@example.se"


def test_a_report_cannot_be_closed_without_a_date_nor_open_with_one():
    with pytest.raises(IntegrityError), transaction.atomic():
        report(status=ReportStatus.FIXED)
    with pytest.raises(IntegrityError), transaction.atomic():
        report(status=ReportStatus.NEW, closed_at=timezone.now())


def test_anonymising_a_leaver_forgets_them_in_the_reports_they_sent():
    unit = org_unit("Botkyrka kommun")
    leaver = staff_member(
        unit, username="kim.berg", first_name="Kim", last_name="Berg", email="kim@botkyrka.se",
        leave_date=timezone.localdate() - timedelta(days=400),
    )  # fmt: skip
    theirs = report(
        contact_name="Kim Berg", contact_email="KIM@botkyrka.se",
        description="Jag, Kim Berg, kan inte se undertexterna.",
    )  # fmt: skip
    someone_elses = report()

    assert compliance.anonymise_leavers(now=timezone.now(), after_days=365) == 1

    theirs.refresh_from_db()
    assert (theirs.contact_name, theirs.contact_email) == ("", "")
    assert "Kim" not in theirs.description
    assert "kan inte se undertexterna" in theirs.description
    someone_elses.refresh_from_db()
    assert someone_elses.contact_email == "sara@example.se"
    assert leaver.pk


def test_the_retention_counts_from_the_first_closing_not_from_a_change_of_verdict(settings):
    """Fixed, then rejected: still closed since the first time; the contact details leave
    a retention period after that, and the purge asked about a later day sees that day."""
    settings.LMS_BARRIER_REPORT_RETENTION_DAYS = 30
    closed = update_report(report(), status=ReportStatus.FIXED, note="Rättat.")
    first = closed.closed_at
    BarrierReport.objects.filter(pk=closed.pk).update(closed_at=first - timedelta(days=20))
    closed.refresh_from_db()

    again = update_report(closed, status=ReportStatus.REJECTED, note="Inte vår tjänst.")

    assert again.closed_at == first - timedelta(days=20)
    assert purge_report_contacts(first) == 0  # closed 20 days ago
    assert purge_report_contacts(first + timedelta(days=11)) == 1  # 31 days ago


def test_a_report_in_progress_has_no_closing_date():
    handled = update_report(report(), status=ReportStatus.IN_PROGRESS, note="Vi tittar på det.")

    handled.refresh_from_db()
    assert handled.status == ReportStatus.IN_PROGRESS and handled.closed_at is None
