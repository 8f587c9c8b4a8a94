"""The periodic send (django-q2): retries after backoff, and what a lost task left behind."""

from django_q.models import Schedule

SEND = "xapi: send statements to the LRSs"


def ensure_schedules() -> None:
    Schedule.objects.get_or_create(
        name=SEND,
        defaults={
            "func": "wagtail_learning.xapi.tasks.send_statements_task",
            "schedule_type": Schedule.MINUTES,
            "minutes": 1,
            "repeats": -1,
        },
    )
