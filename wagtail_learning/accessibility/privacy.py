"""The barrier reports a person sent, in their own record, and what anonymising them does
with those reports (decision 0034's hook). A report points at no account: the reporter
chose to give a name and address, so a person's reports are those sent from their address
(as the form offers a signed-in person). Anonymised, the reports lose both, and their names
in the text become the neutral label. What the barrier was and how it was handled stay."""

from __future__ import annotations

from django.db.models import Q
from wagtail import hooks

from wagtail_learning.compliance.api import (
    PERSON_ANONYMISED,
    RECORD_SECTIONS,
    TRAINING_RECORD,
    RecordSection,
    redact_names,
)

from .models import BarrierReport


@hooks.register(PERSON_ANONYMISED)
def forget_reporter(*, user, former: list[str], label: str) -> None:
    """Runs inside the anonymisation's transaction; `former` holds the person's names,
    address and username as they were."""
    addresses = {value.strip() for value in former if value and "@" in value}
    if not addresses:
        return
    same_address = Q()
    for address in addresses:
        same_address |= Q(contact_email__iexact=address)
    for report in BarrierReport.objects.select_for_update().filter(same_address):
        report.contact_name = ""
        report.contact_email = ""
        report.description = redact_names(report.description, former, label)
        report.note = redact_names(report.note, former, label)
        report.save(update_fields=["contact_name", "contact_email", "description", "note"])


def reports_of(user):
    """The reports sent from `user`'s address (none without one)."""
    email = (user.email or "").strip()
    if not email:
        return BarrierReport.objects.none()
    return BarrierReport.objects.filter(contact_email__iexact=email)


@hooks.register(TRAINING_RECORD)
def training_record(*, user) -> dict:
    return {
        "barrier_reports": [
            {
                "reported": report.created_at,
                "page": report.page_url,
                "description": report.description,
                "status": report.get_status_display(),
                "closed": report.closed_at,
            }
            for report in reports_of(user).order_by("created_at", "pk")
        ]
    }


@hooks.register(RECORD_SECTIONS)
def record_section() -> RecordSection:
    # What the person wrote is their own words: HR's view of the record leaves it out.
    return RecordSection(
        template="accessibility/record_section.html",
        own_words={"barrier_reports": ("description",)},
        order=260,
    )
