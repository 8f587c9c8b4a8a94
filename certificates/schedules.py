"""Periodic jobs of the certificates app, registered with django-q2's scheduler."""

from django_q.models import Schedule

SWEEP_NAME = "certificates: re-enqueue lost or failed renders"


def ensure_schedules() -> None:
    """Create the periodic sweep once (schedule names are unique in django-q2)."""
    Schedule.objects.get_or_create(
        name=SWEEP_NAME,
        defaults={
            "func": "certificates.tasks.sweep_certificates_task",
            "schedule_type": Schedule.MINUTES,
            "minutes": 10,
            "repeats": -1,
        },
    )
