"""Receivers at the edge, connected in apps.ready(): each a one-line call into the rules."""

from django.db import transaction

from .schedules import ensure_schedules
from .services import evaluate_recognitions


def create_schedules(sender, **kwargs):
    ensure_schedules()


def certificate_changed(sender, instance, **kwargs):
    """A certificate issued, revoked or re-rendered: the recognitions of its holder's
    organisations on that course are evaluated again, once the change is committed."""
    course_id, user_id = instance.page_id, instance.user_id
    transaction.on_commit(lambda: evaluate_recognitions(course_ids=[course_id], user_ids=[user_id]))
