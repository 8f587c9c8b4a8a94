"""The learner's own overview: my courses with progress, what is due, where to continue."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F
from wagtail.models import Page

from .models import Enrolment
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
            c for c in self.courses if c.enrolment and c.enrolment.due_at and not c.completed_at
        ]
        return sorted(items, key=lambda c: c.enrolment.due_at)


def get_learner_dashboard(user) -> Dashboard:
    """Every active or completed enrolment with its progress, and the next unfinished step.

    Queries: a fixed few plus one per enrolled course (its module list)."""
    enrolments = list(
        Enrolment.objects.filter(user=user)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        # Unfinished first, then soonest due, undated last: explicit, since SQLite and
        # PostgreSQL sort NULLs at opposite ends.
        .order_by(
            F("completed_at").asc(nulls_first=True),
            F("due_at").asc(nulls_last=True),
            "-enrolled_at",
        )
    )
    courses = Page.objects.filter(pk__in=[e.course_id for e in enrolments]).live().specific()
    by_id = {c.pk: c for c in courses}
    progress = [
        get_course_progress(user=user, course=by_id[e.course_id])
        for e in enrolments
        if e.course_id in by_id
    ]
    return Dashboard(progress, _continue_item(progress))


def _continue_item(progress: list[CourseProgress]) -> ContinueItem | None:
    """The most recently touched unfinished step of a module still to do, else the first
    open step of an unfinished course. Computed from the states already loaded."""
    candidates = [
        (state, step)
        for course in progress
        if not course.completed_at
        for state in course.modules
        if not state.locked and not state.completed_at
        for step in state.steps
        if not step.completed and step.spec.required
    ]
    if not candidates:
        return None
    touched = [(state, step) for state, step in candidates if step.updated_at is not None]
    state, step = max(touched, key=lambda pair: pair[1].updated_at) if touched else candidates[0]
    return ContinueItem(
        state.module,
        step.spec.step_id,
        step.spec.title,
        step.spec.kind,
        step.position,
        step.watched_percent,
    )
