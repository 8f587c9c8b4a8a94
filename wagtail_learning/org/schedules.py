"""Periodic jobs of the organisation layer, registered with django-q2's scheduler."""

from django_q.models import Schedule

SWEEP_NAME = "org: re-enqueue lost staff imports, expire abandoned uploads"


def ensure_schedules() -> None:
    """Create the periodic sweep once (schedule names are unique in django-q2)."""
    Schedule.objects.get_or_create(
        name=SWEEP_NAME,
        defaults={
            "func": "wagtail_learning.org.tasks.sweep_staff_imports_task",
            "schedule_type": Schedule.MINUTES,
            "minutes": 10,
            "repeats": -1,
        },
    )
