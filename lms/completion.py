"""Completing steps, then modules, then courses: one transaction, hooks fired once."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail.models import Page

from . import hooks
from .models import Completion, Enrollment, StepProgress
from .protocols import LearningModule

__all__ = ["complete_progress"]


def _record_completion(user, page_id: int, kind: str, when: datetime) -> tuple[Completion, bool]:
    try:
        with transaction.atomic():
            return Completion.objects.get_or_create(
                user=user, page_id=page_id, defaults={"kind": kind, "completed_at": when}
            )
    except IntegrityError:
        # Another transaction completed it first; theirs is the record.
        return Completion.objects.get(user=user, page_id=page_id), False


def complete_progress(
    progress: StepProgress, *, module: LearningModule, now: datetime | None = None
) -> bool:
    """Mark a locked-for-update step row complete, then recompute the module and course.

    Must run inside the caller's transaction. `completed_at` is set once and never moves.
    Returns True when this call completed the step.
    """
    if progress.completed_at is not None:
        return False
    now = now or timezone.now()
    progress.completed_at = now
    progress.save(update_fields=["completed_at", "updated_at"])
    _recompute_module(progress.user, module, now)
    return True


def _recompute_module(user, module: LearningModule, now: datetime) -> None:
    # Serialise a learner's completions: two steps (or the last two modules) finished at
    # once in two requests would each miss the other's uncommitted row, and neither would
    # complete the module (or course). NO KEY, so inserts referring to the user never wait.
    list(
        get_user_model()
        .objects.select_for_update(no_key=True)
        .filter(pk=user.pk)
        .values_list("pk", flat=True)
    )
    required = {spec.step_id for spec in module.get_lms_steps() if spec.required}
    done = set(
        StepProgress.objects.filter(
            user=user, module_id=module.pk, completed_at__isnull=False
        ).values_list("step_id", flat=True)
    )
    if not required <= done:
        return
    completion, created = _record_completion(user, module.pk, Completion.Kind.MODULE, now)
    if not created:
        return
    hooks.announce(hooks.MODULE_COMPLETED, user=user, page=module, completion=completion)
    _recompute_course(user, module.get_lms_course_id(), now)


def _recompute_course(user, course_id: int, now: datetime) -> None:
    course = Page.objects.get(pk=course_id).specific
    required = [m.pk for m in course.get_lms_modules() if m.required_for_course]
    if not required:
        return
    done = Completion.objects.filter(user=user, page_id__in=required).count()
    if done < len(required):
        return
    completion, created = _record_completion(user, course.pk, Completion.Kind.COURSE, now)
    if not created:
        return
    Enrollment.objects.filter(user=user, course_id=course.pk).update(
        status=Enrollment.Status.COMPLETED, completed_at=completion.completed_at
    )
    hooks.announce(hooks.COURSE_COMPLETED, user=user, page=course, completion=completion)
