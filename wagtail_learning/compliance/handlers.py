"""Receivers at the edge, connected in ready(): each a one-line call into compliance."""

from wagtail import hooks

from wagtail_learning.lms.api import EXTERNAL_LEARNERS
from wagtail_learning.org.api import PEOPLE_CHANGED, LearnerProfile

from .assignments import sync_assignments_for_users
from .schedules import ensure_schedules


def create_schedules(sender, **kwargs):
    ensure_schedules()


def enrol_changed_people(*, user_ids, today):
    sync_assignments_for_users(user_ids, today=today)


def external_learners():
    """Who the engine counts as external participants (lms.audience): people whose
    profile says so. A queryset of user ids, folded into the engine's own queries."""
    return LearnerProfile.objects.filter(kind=LearnerProfile.Kind.EXTERNAL).values("user_id")


def connect() -> None:
    hooks.register(PEOPLE_CHANGED, enrol_changed_people)
    hooks.register(EXTERNAL_LEARNERS, external_learners)
