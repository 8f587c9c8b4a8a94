"""Enrolling learners in courses."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .errors import EnrolmentNotAllowed
from .models import Enrollment
from .protocols import LearningCourse

__all__ = ["current_cycle", "enrol_learner", "get_enrollment", "start_new_cycle"]


def get_enrollment(*, user, course_id: int) -> Enrollment | None:
    """The learner's enrolment in the course, withdrawn ones excluded."""
    if not user.is_authenticated:
        return None
    return (
        Enrollment.objects.filter(user=user, course_id=course_id)
        .exclude(status=Enrollment.Status.WITHDRAWN)
        .first()
    )


def current_cycle(*, user, module) -> int:
    """The learner's completion cycle in the module's course (1 when not enrolled)."""
    enrollment = get_enrollment(user=user, course_id=module.get_lms_course_id())
    return enrollment.cycle if enrollment else 1


def start_new_cycle(enrollment: Enrollment, *, due_at: datetime | None = None) -> Enrollment:
    """Recertification: the learner takes the course again. Earlier progress, attempts and
    completions stay as history; the new cycle starts empty. Atomic."""
    with transaction.atomic():
        locked = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        locked.cycle += 1
        locked.status = Enrollment.Status.ACTIVE
        locked.completed_at = None
        locked.due_at = due_at
        locked.save(update_fields=["cycle", "status", "completed_at", "due_at"])
    return locked


def enrol_learner(
    user,
    *,
    course: LearningCourse,
    source: str = Enrollment.Source.SELF,
    due_at: datetime | None = None,
) -> tuple[Enrollment, bool]:
    """Enrol `user` in `course`; returns (enrollment, created). Idempotent and atomic.

    Self-enrolment is refused (EnrolmentNotAllowed) when the course is assigned-only.
    A withdrawn enrolment is reactivated.
    """
    if source == Enrollment.Source.SELF and not course.enrolment_open:
        raise EnrolmentNotAllowed(
            _("This course is assigned by your organisation; you cannot enrol yourself.")
        )
    try:
        with transaction.atomic():
            enrollment, created = Enrollment.objects.get_or_create(
                user=user, course_id=course.pk, defaults={"source": source, "due_at": due_at}
            )
    except IntegrityError:
        enrollment, created = Enrollment.objects.get(user=user, course_id=course.pk), False
    if not created and enrollment.status == Enrollment.Status.WITHDRAWN:
        enrollment.status = Enrollment.Status.ACTIVE
        enrollment.save(update_fields=["status"])
    return enrollment, created
