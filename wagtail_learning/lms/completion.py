"""Completing steps, then modules, then courses: one transaction, hooks fired once."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail.models import Page

from . import hooks
from .models import Completion, Enrolment, StepProgress
from .protocols import LearningModule

__all__ = ["complete_progress", "recompute_completions", "schedule_recompute"]


def _record_completion(
    user, page_id: int, kind: str, cycle: int, when: datetime
) -> tuple[Completion, bool]:
    try:
        with transaction.atomic():
            return Completion.objects.get_or_create(
                user=user,
                page_id=page_id,
                cycle=cycle,
                defaults={"kind": kind, "completed_at": when},
            )
    except IntegrityError:
        # Another transaction completed it first; theirs is the record.
        return Completion.objects.get(user=user, page_id=page_id, cycle=cycle), False


def _lock_learner(user) -> None:
    # Serialise a learner's completions: two steps (or the last two modules) finished at
    # once in two requests would each miss the other's uncommitted row, and neither would
    # complete the module (or course). NO KEY, so inserts referring to the user never wait.
    list(
        get_user_model()
        .objects.select_for_update(no_key=True)
        .filter(pk=user.pk)
        .values_list("pk", flat=True)
    )


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
    _recompute_module(progress.user, module, progress.cycle, now)
    return True


def _recompute_module(user, module: LearningModule, cycle: int, now: datetime) -> int:
    """Record the module's (and then the course's) completion if its rules are met.
    Returns how many completions this recorded."""
    _lock_learner(user)
    required = {spec.step_id for spec in module.get_lms_steps() if spec.required}
    done = set(
        StepProgress.objects.filter(
            user=user, module_id=module.pk, cycle=cycle, completed_at__isnull=False
        ).values_list("step_id", flat=True)
    )
    if not required <= done:
        return 0
    completion, created = _record_completion(user, module.pk, Completion.Kind.MODULE, cycle, now)
    if not created:
        return 0
    hooks.announce(hooks.MODULE_COMPLETED, user=user, page=module, completion=completion)
    return 1 + _recompute_course(user, module.get_lms_course_id(), cycle, now)


def _recompute_course(user, course_id: int, cycle: int, now: datetime, course=None) -> int:
    course = course or Page.objects.get(pk=course_id).specific
    required = [m.pk for m in course.get_lms_modules() if m.required_for_course]
    if not required:
        return 0
    done = Completion.objects.filter(user=user, page_id__in=required, cycle=cycle).count()
    if done < len(required):
        return 0
    completion, created = _record_completion(user, course.pk, Completion.Kind.COURSE, cycle, now)
    if not created:
        return 0
    Enrolment.objects.filter(user=user, course_id=course.pk, cycle=cycle).update(
        status=Enrolment.Status.COMPLETED, completed_at=completion.completed_at
    )
    hooks.announce(hooks.COURSE_COMPLETED, user=user, page=course, completion=completion)
    return 1


def recompute_completions(page, *, now: datetime | None = None) -> int:
    """After an editor publishes (or unpublishes) a module or course: complete it for the
    learners who now meet its rules (a step they missed was removed or made optional, a
    module was made optional). Earned completions are never taken back. Returns how many
    completions were recorded. Each learner is recomputed in a transaction of their own.
    """
    now = now or timezone.now()
    recorded = 0
    if hasattr(page, "get_lms_steps"):  # a module: learners with progress but no completion
        done = set(Completion.objects.filter(page_id=page.pk).values_list("user_id", "cycle"))
        pending = [
            (user_id, cycle)
            for user_id, cycle in StepProgress.objects.filter(module_id=page.pk)
            .values_list("user_id", "cycle")
            .distinct()
            if (user_id, cycle) not in done
        ]
        users = get_user_model().objects.in_bulk({user_id for user_id, _cycle in pending})
        for user_id, cycle in pending:
            with transaction.atomic():
                recorded += _recompute_module(users[user_id], page, cycle, now)
        course = Page.objects.get(pk=page.get_lms_course_id()).specific
    else:
        course = page
    # The course: learners still working on it may now meet its rules.
    for enrolment in Enrolment.objects.filter(
        course_id=course.pk, status=Enrolment.Status.ACTIVE
    ).select_related("user"):
        with transaction.atomic():
            _lock_learner(enrolment.user)
            recorded += _recompute_course(enrolment.user, course.pk, enrolment.cycle, now, course)
    return recorded


def schedule_recompute(page) -> None:
    """Queue recompute_completions for a module or course an editor just (un)published,
    when anyone is working on its course (a brand-new course needs no task)."""
    from django_q.tasks import async_task

    course_id = page.get_lms_course_id() if hasattr(page, "get_lms_course_id") else page.pk
    if not Enrolment.objects.filter(course_id=course_id, status=Enrolment.Status.ACTIVE).exists():
        return
    page_id = page.pk
    transaction.on_commit(
        lambda: async_task(
            "wagtail_learning.lms.tasks.recompute_completions_task", page_id, group="lms"
        )
    )
