"""The evaluations' settings, read in one place."""

from django.conf import settings


def min_answers() -> int:
    """k: the fewest answers a group needs before any figure or free text about it is
    shown (LMS_EVALUATION_MIN_ANSWERS, default 5)."""
    return max(1, int(getattr(settings, "LMS_EVALUATION_MIN_ANSWERS", 5)))


def reminder_days() -> int:
    """Days after the offer when the one reminder goes out (LMS_EVALUATION_REMINDER_DAYS)."""
    return int(getattr(settings, "LMS_EVALUATION_REMINDER_DAYS", 7))
