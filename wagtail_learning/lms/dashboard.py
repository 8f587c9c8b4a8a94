"""The learner's own overview: my courses with progress, what is due, where to continue."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, OuterRef
from wagtail.models import Page

from .audience import admits, is_external_expression
from .models import Enrolment
from .protocols import LearningCourse, LearningModule
from .state import CourseProgress, get_courses_progress

__all__ = ["ContinueItem", "Dashboard", "get_learner_dashboard"]


@dataclass(frozen=True)
class ContinueItem:
    module: LearningModule
    step_id: str
    step_title: str
    kind: str
    position: float
    watched_percent: int
    course: LearningCourse | None = None
    # False when the learner has not begun anything yet: the dashboard says "start here",
    # not "continue where you left off".
    started: bool = True

    @property
    def module_title(self) -> str:
        """The module's title when it says more than the step's (a module often bears the
        title of its one lecture): shown once, not twice."""
        title = self.module.title
        return "" if title.strip().casefold() == self.step_title.strip().casefold() else title

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
    """Every active or completed enrolment with its progress, and the next unfinished step;
    not those in courses that are not for the learner (lms.audience), which refuse them.

    Queries: a fixed number however many courses (enrolments, courses, their modules with
    prerequisites and steps, completions, step progress)."""
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
        .annotate(learner_external=is_external_expression(OuterRef("user_id")))
    )
    courses = Page.objects.filter(pk__in=[e.course_id for e in enrolments]).live().specific()
    by_id = {
        c.pk: c
        for c in courses
        if admits(c.lms_audience, external=any(e.learner_external for e in enrolments))
    }
    progress = get_courses_progress(
        user=user, enrolled=[(by_id[e.course_id], e) for e in enrolments if e.course_id in by_id]
    )
    return Dashboard(progress, _continue_item(progress))


def _continue_item(progress: list[CourseProgress]) -> ContinueItem | None:
    """Where the learner was last active: in the course of the most recent step activity
    (any step, finished or not), that step when unfinished, else the module's next
    unfinished required step, else the course's. Without any activity, the first open
    step of the first unfinished course. Computed from the states already loaded."""
    candidates = []  # (course, position in the course, module state, step), reading order
    latest = None  # (updated_at, course, position in the course, module state)
    for course in progress:
        if course.completed_at:
            continue
        order = 0
        for state in course.modules:
            for step in state.steps:
                if step.updated_at is not None and (latest is None or step.updated_at > latest[0]):
                    latest = (step.updated_at, course, order, state)
                open_module = not state.locked and not state.completed_at
                if open_module and not step.completed and step.spec.required:
                    candidates.append((course, order, state, step))
                order += 1
    if not candidates:
        return None
    chosen = candidates[0]
    if latest is not None:
        _, course, at, module = latest
        in_course = [c for c in candidates if c[0] is course]
        if in_course:
            # The module worked in first (from that step on, then its earlier steps),
            # then the course's later modules, then its earlier ones.
            chosen = min(in_course, key=lambda c: (c[2] is not module, c[1] < at, c[1]))
        else:
            # Nothing open left in that course (the rest is locked): the most recently
            # touched open step elsewhere, else the first open one.
            touched = [c for c in candidates if c[3].updated_at is not None]
            if touched:
                chosen = max(touched, key=lambda c: c[3].updated_at)
    course, _, state, step = chosen
    return ContinueItem(
        state.module,
        step.spec.step_id,
        step.spec.title,
        step.spec.kind,
        step.position,
        step.watched_percent,
        course.course,
        started=latest is not None,
    )
