"""The evaluations' settings that take more than reading (`defaults.value` reads the
rest)."""

from wagtail_learning.defaults import value


def min_answers() -> int:
    """k: the fewest answers a group needs before any figure or free text about it is
    shown (LMS_EVALUATION_MIN_ANSWERS, default 5)."""
    return max(1, int(value("LMS_EVALUATION_MIN_ANSWERS")))

