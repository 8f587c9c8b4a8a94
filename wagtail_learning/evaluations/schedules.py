"""Periodic jobs of evaluations (django-q2), created once by name on migrate."""

from django_q.models import Schedule

REMINDERS = "evaluations: one reminder to answer"


def ensure_schedules() -> None:
    Schedule.objects.get_or_create(
        name=REMINDERS,
        defaults={
            "func": "wagtail_learning.evaluations.tasks.send_reminders_task",
            "schedule_type": Schedule.DAILY,
            "repeats": -1,
        },
    )
