"""The learner's own overview: my courses with progress, what is due, where to continue."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F
from wagtail.models import Page

from .models import Completion, Enrollment, StepProgress
from .protocols import LearningModule
from .state import CourseProgress, get_course_progress

__all__ = ["ContinueItem", "Dashboard", "get_learner_dashboard"]


@dataclass(frozen=True)
class ContinueItem:
    module: LearningModule
    step_id: str
    step_title: str
    kind: str
    position: float
    watched_percent: int

    @property
    def url(self) -> str:
        return self.module.get_lms_step_url(self.step_id)


@dataclass(frozen=True)
class Dashboard:
    courses: list[CourseProgress]
    continue_item: ContinueItem | None

    @property
    def due(self) -> list[CourseProgress]:
        """Unfinished courses with a due date, soonest first."""
        items = [
            c for c in self.courses if c.enrollment and c.enrollment.due_at and not c.completed_at
        ]
        return sorted(items, key=lambda c: c.enrollment.due_at)


def get_learner_dashboard(user) -> Dashboard:
    """Every active or completed enrolment with its progress, and the next unfinished step.

    Queries: a fixed few plus one per enrolled course (its module list)."""
    enrollments = list(
        Enrollment.objects.filter(user=user)
        .exclude(status=Enrollment.Status.WITHDRAWN)
        # Unfinished first, then soonest due, undated last: explicit, since SQLite and
        # PostgreSQL sort NULLs at opposite ends.
        .order_by(
            F("completed_at").asc(nulls_first=True),
            F("due_at").asc(nulls_last=True),
            "-enrolled_at",
        )
    )
    courses = Page.objects.filter(pk__in=[e.course_id for e in enrollments]).live().specific()
    by_id = {c.pk: c for c in courses}
    progress = [
        get_course_progress(user=user, course=by_id[e.course_id])
        for e in enrollments
        if e.course_id in by_id
    ]
    return Dashboard(progress, _continue_item(user, progress))


def _continue_item(user, progress: list[CourseProgress]) -> ContinueItem | None:
    """The most recently touched unfinished step, else the first open step of an unfinished
    course."""
    modules = {m.module.pk: m for c in progress if not c.completed_at for m in c.modules}
    if not modules:
        return None
    recent = (
        StepProgress.objects.filter(user=user, module_id__in=modules, completed_at__isnull=True)
        .order_by("-updated_at")
        .first()
    )
    if recent is not None and not modules[recent.module_id].locked:
        state = modules[recent.module_id]
        step = next((s for s in state.steps if s.spec.step_id == recent.step_id), None)
        if step is not None:
            return ContinueItem(
                state.module,
                step.spec.step_id,
                step.spec.title,
                step.spec.kind,
                recent.position_seconds,
                step.watched_percent,
            )
    done_modules = set(
        Completion.objects.filter(user=user, page_id__in=modules).values_list("page_id", flat=True)
    )
    for course in progress:
        if course.completed_at:
            continue
        for state in course.modules:
            if state.locked or state.module.pk in done_modules:
                continue
            step = next((s for s in state.steps if not s.completed), None)
            if step is not None:
                return ContinueItem(
                    state.module,
                    step.spec.step_id,
                    step.spec.title,
                    step.spec.kind,
                    step.position,
                    step.watched_percent,
                )
    return None
