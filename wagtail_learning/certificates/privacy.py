"""A certificate of a person who is anonymised keeps what it certifies (code, course,
dates, status) and loses who held it: see docs/decisions/0014-anonymised-certificates.md.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from wagtail import hooks
from wagtail.models import ModelLogEntry

from wagtail_learning.compliance.api import (
    PERSON_ANONYMISED,
    PERSONAL_DATA,
    OnAnonymise,
    anonymous_label,
    redact_names,
)

from .models import Certificate
from .services import enqueue_render


@hooks.register(PERSON_ANONYMISED)
def anonymise_certificates(*, user, former: list[str], label: str) -> None:
    """Rewrite the holder's name on each of `user`'s certificates, in their revoke reasons
    and audit-log entries, and render the PDFs again without it (the old files are deleted
    once the change is committed: lms.delete_files_with, connected in apps.ready). Runs
    inside the anonymisation's transaction."""
    content_type = ContentType.objects.get_for_model(Certificate)
    for certificate in Certificate.objects.select_for_update().filter(user=user):
        neutral = anonymous_label(certificate.language)
        certificate.learner_name = neutral
        certificate.revoked_reason = redact_names(certificate.revoked_reason, former, neutral)
        certificate.last_error = redact_names(certificate.last_error, former, neutral)
        # Back to the task path: pending, no PDF, no claim; the render task makes a new one.
        certificate.pdf = ""
        certificate.status = Certificate.Status.PENDING
        certificate.rendered_at = None
        certificate.render_claimed_at = None
        certificate.render_attempts = 0
        certificate.save(
            update_fields=[
                "learner_name",
                "revoked_reason",
                "last_error",
                "pdf",
                "status",
                "rendered_at",
                "render_claimed_at",
                "render_attempts",
            ]
        )
        for entry in ModelLogEntry.objects.filter(
            content_type=content_type, object_id=str(certificate.pk)
        ):
            entry.label = str(certificate)[:255]
            entry.data = redact_names(entry.data, former, neutral)
            entry.save(update_fields=["label", "data"])
        transaction.on_commit(lambda pk=certificate.pk: enqueue_render(pk))


@hooks.register(PERSONAL_DATA)
def personal_data() -> dict[str, OnAnonymise]:
    return {
        "certificates.certificate.user": OnAnonymise(
            "the record stays and its holder's name becomes the label "
            "(anonymise_certificates, on PERSON_ANONYMISED)"
        ),
        "certificates.certificate.revoked_by": OnAnonymise(
            "the person as the one who revoked; the account no longer names them"
        ),
    }
