"""Receivers at the edge, connected in apps.ready(): each one call into the services."""

from .schedules import ensure_schedules
from .services import offer_evaluations


def create_schedules(sender, **kwargs):
    ensure_schedules()


def offer_on_completion(*, user, page, completion):
    """lms COURSE_COMPLETED / MODULE_COMPLETED: offer the page's evaluations, once per
    completion cycle."""
    offer_evaluations(user=user, page_id=page.pk, cycle=completion.cycle)


def offer_on_attendance(*, user, session):
    """events SESSION_ATTENDED: offer the event's evaluations (once, whichever session)."""
    offer_evaluations(user=user, page_id=session.page_id, cycle=1)
