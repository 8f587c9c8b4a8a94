"""Periodic jobs of the accessibility app, registered with django-q2's scheduler."""

from django_q.models import Schedule

PURGE_NAME = "accessibility: forget reporters' contact details after the retention period"


def ensure_schedules() -> None:
    Schedule.objects.get_or_create(
        name=PURGE_NAME,
        defaults={
            "func": "wagtail_learning.accessibility.tasks.purge_report_contacts_task",
            "schedule_type": Schedule.DAILY,
            "repeats": -1,
        },
    )
