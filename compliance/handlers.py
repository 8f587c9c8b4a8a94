"""Receivers at the edge, connected in ready(): each a one-line call into compliance."""

from wagtail import hooks

from org.api import PEOPLE_CHANGED

from .assignments import sync_assignments_for_users
from .schedules import ensure_schedules


def create_schedules(sender, **kwargs):
    ensure_schedules()


def enrol_changed_people(*, user_ids, today):
    sync_assignments_for_users(user_ids, today=today)


def connect() -> None:
    hooks.register(PEOPLE_CHANGED, enrol_changed_people)
