"""The accessibility app's own settings, read in one place with their defaults."""

from datetime import timedelta

from wagtail_learning.accounts.api import Limit
from wagtail_learning.defaults import value


def report_retention() -> timedelta:
    """How long the contact details of a closed (fixed or rejected) barrier report are
    kept: LMS_BARRIER_REPORT_RETENTION_DAYS, a year by default."""
    return timedelta(days=int(value("LMS_BARRIER_REPORT_RETENTION_DAYS")))


def reports_per_client() -> Limit:
    """Reports one client may send per hour (LMS_BARRIER_REPORTS_PER_HOUR, 5 by default):
    the form is open to anyone, so the organisation's inbox is not a spammer's."""
    count = int(value("LMS_BARRIER_REPORTS_PER_HOUR"))
    return Limit("barrier-report", count, timedelta(hours=1))
