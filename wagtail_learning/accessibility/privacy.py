"""What anonymising a person does with the barrier reports they sent (decision 0034's
hook). A report points at no account: the reporter chose to give a name and address, so
the reports sent from the person's address lose both, and their names in the text become
the neutral label. What the barrier was and how it was handled stay."""

from __future__ import annotations

from django.db.models import Q
from wagtail import hooks

from wagtail_learning.compliance.api import PERSON_ANONYMISED, redact_names

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
