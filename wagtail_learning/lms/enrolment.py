"""Enrolling learners in courses."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .audience import Audience, admits, is_external, refusal_message
from .errors import EnrolmentNotAllowed
from .models import Enrolment
from .protocols import LearningCourse

__all__ = ["current_cycle", "enrol_learner", "get_enrolment", "start_new_cycle"]


def get_enrolment(*, user, course_id: int) -> Enrolment | None:
    """The learner's enrolment in the course, withdrawn ones excluded."""
    if not user.is_authenticated:
        return None
    return (
        Enrolment.objects.filter(user=user, course_id=course_id)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .first()
    )


def current_cycle(*, user, module) -> int:
    """The learner's completion cycle in the module's course (1 when not enrolled)."""
    enrolment = get_enrolment(user=user, course_id=module.get_lms_course_id())
    return enrolment.cycle if enrolment else 1


def start_new_cycle(
    enrolment: Enrolment, *, due_at: datetime | None = None, from_cycle: int | None = None
) -> Enrolment | None:
    """Recertification: the learner takes the course again. Earlier progress, attempts and
    completions stay as history; the new cycle starts empty. Atomic.

    With `from_cycle` (the cycle the caller read), the new cycle starts only if the
    enrolment is still in it: a job run twice at once, both having read the same row,
    starts one new cycle, and the second gets None."""
    with transaction.atomic():
        locked = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if from_cycle is not None and locked.cycle != from_cycle:
            return None
        locked.cycle += 1
        locked.status = Enrolment.Status.ACTIVE
        locked.completed_at = None
        locked.due_at = due_at
        locked.save(update_fields=["cycle", "status", "completed_at", "due_at"])
    return locked


def enrol_learner(
    user,
    *,
    course: LearningCourse,
    source: str = Enrolment.Source.SELF,
    due_at: datetime | None = None,
) -> tuple[Enrolment, bool]:
    """Enrol `user` in `course`; returns (enrolment, created). Idempotent and atomic.

    Refused (EnrolmentNotAllowed) for a learner the course is not for (lms.audience: an
    external participant in a staff course), whoever enrols them; self-enrolment also when
    the course is assigned-only. A withdrawn enrolment is reactivated.
    """
    audience = course.lms_audience
    if audience != Audience.EVERYONE and not admits(audience, external=is_external(user)):
        raise EnrolmentNotAllowed(refusal_message(audience))
    if source == Enrolment.Source.SELF and not course.enrolment_open:
        raise EnrolmentNotAllowed(
            _("This course is assigned by your organisation; you cannot enrol yourself.")
        )
    try:
        with transaction.atomic():
            enrolment, created = Enrolment.objects.get_or_create(
                user=user, course_id=course.pk, defaults={"source": source, "due_at": due_at}
            )
    except IntegrityError:
        enrolment, created = Enrolment.objects.get(user=user, course_id=course.pk), False
    if not created and enrolment.status == Enrolment.Status.WITHDRAWN:
        enrolment.status = Enrolment.Status.ACTIVE
        enrolment.save(update_fields=["status"])
    return enrolment, created
