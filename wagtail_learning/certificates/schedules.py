"""Periodic jobs of the certificates app, registered with django-q2's scheduler."""

from django_q.models import Schedule

SWEEP_NAME = "certificates: re-enqueue lost or failed renders"
SWEEP_MINUTES = 1


def ensure_schedules() -> None:
    """Create the periodic sweep, or bring an existing one to the current interval
    (schedule names are unique in django-q2)."""
    Schedule.objects.update_or_create(
        name=SWEEP_NAME,
        defaults={
            "func": "wagtail_learning.certificates.tasks.sweep_certificates_task",
            "schedule_type": Schedule.MINUTES,
            # Every minute: with RENDER_LEASE, a render whose worker died is taken over
            # within two minutes (see certificates.services).
            "minutes": SWEEP_MINUTES,
            "repeats": -1,
        },
    )
