"""Periodic jobs of events (django-q2), created once by name on migrate."""

from django_q.models import Schedule

REMINDERS = "events: reminders before sessions"


def ensure_schedules() -> None:
    Schedule.objects.get_or_create(
        name=REMINDERS,
        defaults={
            "func": "wagtail_learning.events.tasks.send_reminders_task",
            "schedule_type": Schedule.MINUTES,
            "minutes": 15,
            "repeats": -1,
        },
    )
