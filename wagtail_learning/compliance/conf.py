"""Compliance's settings that take more than reading (`defaults.value` reads the rest)."""

from wagtail_learning.defaults import value


def min_group_size() -> int:
    """Figures about another organisation's people are shown only for groups of at least
    this many people (LMS_MIN_GROUP_SIZE, default 5; 1 shows every group). Decision 0034."""
    return max(int(value("LMS_MIN_GROUP_SIZE")), 1)


def forecast_pace_days() -> int:
    """HR's forecast projects completions at the pace of the last this many days
    (LMS_FORECAST_PACE_DAYS, default 30)."""
    return max(int(value("LMS_FORECAST_PACE_DAYS")), 1)
