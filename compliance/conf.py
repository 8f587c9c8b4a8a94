"""Compliance's own settings, read in one place with their defaults."""

from django.conf import settings


def reminder_days_before() -> int:
    """Learners are reminded this many days before a course is due (and when overdue)."""
    return int(getattr(settings, "LMS_REMINDER_DAYS_BEFORE", 7))
