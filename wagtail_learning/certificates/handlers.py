"""Receivers at the edge: other apps' hooks and signals, connected in apps.ready()."""

from django.db import transaction
from django.urls import reverse

from wagtail_learning.compliance.api import RecordSection

from .models import Certificate
from .rendering import verification_url
from .schedules import ensure_schedules
from .services import back_issue_certificates, issue_certificate


def create_schedules(sender, **kwargs):
    ensure_schedules()


def issue_on_completion(*, user, page, completion):
    """lms COURSE_COMPLETED / MODULE_COMPLETED."""
    issue_certificate(user=user, page=page, completion=completion)


def back_issue_on_publish(sender, instance, **kwargs):
    """wagtail page_published: a course or module published (with a design attached, or
    the default applying) issues the certificates its completions are missing."""
    if hasattr(instance, "certificate_design"):
        transaction.on_commit(lambda: back_issue_certificates(page=instance))


def certificates_in_training_record(*, user):
    """compliance TRAINING_RECORD: the learner's certificates, for their record."""
    return {
        "certificates": [
            {
                "code": c.code,
                "title": c.title,
                "kind": c.kind,
                "kind_label": c.get_kind_display(),
                "status": c.validity,
                "status_label": c.get_validity_display(),
                "completed": c.completed_at,
                "issued": c.issued_at,
                "expires": c.expires_at,
                "verify_url": verification_url(c.code),
                "download_url": reverse("certificates:download", args=[c.code])
                if c.is_ready
                else "",
            }
            for c in Certificate.objects.filter(user=user).order_by("issued_at", "pk")
        ]
    }


def certificates_record_section():
    """compliance RECORD_SECTIONS: the certificates on the learner's own record page."""
    return RecordSection(template="certificates/record_section.html", order=100)


def purge_certificates(*, before):
    """compliance PURGE_CERTIFICATES: delete certificates issued before `before` (the
    retention purge); their PDFs go once the deletion is committed (lms.delete_files_with,
    connected in apps.ready)."""
    _total, deleted = Certificate.objects.filter(issued_at__lt=before).delete()
    return deleted.get(Certificate._meta.label, 0)
