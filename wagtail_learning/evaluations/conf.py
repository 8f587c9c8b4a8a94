"""The evaluations' settings, read in one place."""

from wagtail_learning.defaults import value


def min_answers() -> int:
    """k: the fewest answers a group needs before any figure or free text about it is
    shown (LMS_EVALUATION_MIN_ANSWERS, default 5)."""
    return max(1, int(value("LMS_EVALUATION_MIN_ANSWERS")))


def reminder_days() -> int:
    """Days after the offer when the one reminder goes out (LMS_EVALUATION_REMINDER_DAYS)."""
    return int(value("LMS_EVALUATION_REMINDER_DAYS"))
