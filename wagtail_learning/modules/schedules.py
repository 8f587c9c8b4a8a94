"""Periodic jobs of the modules app, registered with django-q2's scheduler."""

from django_q.models import Schedule

SWEEP_NAME = "modules: remove lecture videos kept from forms never saved"


def ensure_schedules() -> None:
    Schedule.objects.update_or_create(
        name=SWEEP_NAME,
        defaults={
            "func": "wagtail_learning.modules.uploads.sweep_pending_uploads",
            "schedule_type": Schedule.HOURLY,
            "repeats": -1,
        },
    )
