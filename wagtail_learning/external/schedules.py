"""Periodic jobs of the external app, registered with django-q2's scheduler."""

from django_q.models import Schedule

RECOGNITION_NAME = "external: evaluate recognitions (expiry of certificates)"


def ensure_schedules() -> None:
    """Daily: certificates expire without any event, so recognitions are evaluated again."""
    Schedule.objects.get_or_create(
        name=RECOGNITION_NAME,
        defaults={
            "func": "wagtail_learning.external.tasks.evaluate_recognitions_task",
            "schedule_type": Schedule.DAILY,
            "repeats": -1,
        },
    )
