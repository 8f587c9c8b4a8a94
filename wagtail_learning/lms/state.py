"""Where a learner stands: module states (locked, available, in progress, completed) and
course progress, computed from stored completions in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import IntegerField, Q, Value
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .enrolment import current_cycle
from .models import Completion, Enrolment, StepProgress
from .protocols import LearningCourse, LearningModule, StepSpec
from .vocabulary import LockReason, ModuleStatus

__all__ = [
    "CourseProgress",
    "ModuleState",
    "StepState",
    "get_course_progress",
    "get_courses_progress",
    "get_module_progress",
    "module_lock",
    "prefetch_course_modules",
]


@dataclass
class StepState:
    spec: StepSpec
    completed_at: datetime | None = None
    watched_share: float = 0.0
    position: float = 0.0
    best_score: float | None = None
    answer: str = ""
    started: bool = False
    updated_at: datetime | None = None

    @property
    def completed(self) -> bool:
        return self.completed_at is not None

    @property
    def watched_percent(self) -> int:
        return int(self.watched_share * 100)


@dataclass
class ModuleState:
    module: LearningModule
    state: ModuleStatus
    reason: LockReason | None = None  # why it is locked: a code
    message: str = ""  # the same, as a sentence for the learner
    blocking: list = field(default_factory=list)
    completed_at: datetime | None = None
    steps: list[StepState] = field(default_factory=list)

    @property
    def required_total(self) -> int:
        return sum(1 for s in self.steps if s.spec.required)

    @property
    def required_done(self) -> int:
        return sum(1 for s in self.steps if s.spec.required and s.completed)

    @property
    def percent(self) -> int:
        if self.completed_at:
            return 100
        return int(100 * self.required_done / self.required_total) if self.required_total else 0

    @property
    def locked(self) -> bool:
        return self.state == ModuleStatus.LOCKED


@dataclass
class CourseProgress:
    course: LearningCourse
    enrolment: Enrolment | None
    modules: list[ModuleState]
    completed_at: datetime | None = None

    @property
    def required_total(self) -> int:
        return sum(m.required_total for m in self.modules if m.module.required_for_course)

    @property
    def required_done(self) -> int:
        return sum(
            m.required_total if m.completed_at else m.required_done
            for m in self.modules
            if m.module.required_for_course
        )

    @property
    def percent(self) -> int:
        if self.completed_at:
            return 100
        total = self.required_total
        return int(100 * self.required_done / total) if total else 0

    @property
    def overdue(self) -> bool:
        due = self.enrolment.due_at if self.enrolment else None
        return bool(due and not self.completed_at and due < timezone.now())

    def state_of(self, module_id: int) -> ModuleState | None:
        return next((m for m in self.modules if m.module.pk == module_id), None)

    def next_module_after(self, module_id: int) -> ModuleState | None:
        """Where to go after a module: the first unfinished module after it in the
        course, else the first unfinished one before it; None when all are done. Locked
        modules count (their state says why, and what opens them)."""
        index = next((i for i, m in enumerate(self.modules) if m.module.pk == module_id), -1)
        ordered = self.modules[index + 1 :] + self.modules[: max(index, 0)]
        return next((m for m in ordered if not m.completed_at), None)


def module_lock(
    module: LearningModule, completed_ids: set[int], now: datetime | None = None
) -> tuple[LockReason | None, str, list]:
    """(None, '', []) when open, else (reason, message, what blocks it). Pure function."""
    now = now or timezone.now()
    missing = [p for p in module.get_lms_prerequisites() if p.pk not in completed_ids]
    if missing:
        names = ", ".join(p.title for p in missing)
        message = _("Complete %(modules)s first.") % {"modules": names}
        # A prerequisite still in draft cannot be taken yet: say so, or the learner hunts
        # for a module that is not there.
        drafts = [p for p in missing if not getattr(p, "live", True)]
        if drafts:
            message += " " + _(
                "%(modules)s is not published yet; this module stays locked until it is."
            ) % {"modules": ", ".join(p.title for p in drafts)}
        return LockReason.PREREQUISITES, message, missing
    if module.available_from and module.available_from > now:
        when = date_format(timezone.localtime(module.available_from), "j F Y H:i")
        return LockReason.NOT_OPEN_YET, _("Opens %(date)s.") % {"date": when}, []
    return None, "", []


def _step_states(specs: Sequence[StepSpec], rows: Iterable[StepProgress]) -> list[StepState]:
    by_step = {row.step_id: row for row in rows}
    states = []
    for spec in specs:
        row = by_step.get(spec.step_id)
        if row is None:
            states.append(StepState(spec))
            continue
        states.append(
            StepState(
                spec,
                completed_at=row.completed_at,
                watched_share=row.watched_share,
                position=row.position_seconds,
                best_score=row.best_score,
                answer=row.answer,
                started=True,
                updated_at=row.updated_at,
            )
        )
    return states


def _module_state(
    module, completed_now: dict[int, datetime], completed_ever: set[int], rows, now
) -> ModuleState:
    """`completed_now`: completions in the learner's current cycle (page -> when);
    `completed_ever`: pages completed in any cycle (prerequisites count across cycles)."""
    steps = _step_states(module.get_lms_steps(), rows)
    if module.pk in completed_now:
        return ModuleState(
            module, ModuleStatus.COMPLETED, completed_at=completed_now[module.pk], steps=steps
        )
    reason, message, blocking = module_lock(module, completed_ever, now)
    if reason:
        return ModuleState(
            module,
            ModuleStatus.LOCKED,
            reason=reason,
            message=message,
            blocking=blocking,
            steps=steps,
        )
    started = any(s.started for s in steps)
    status = ModuleStatus.IN_PROGRESS if started else ModuleStatus.AVAILABLE
    return ModuleState(module, status, steps=steps)


def _completions(user, page_ids, cycle: int) -> tuple[dict[int, datetime], set[int]]:
    completed_now: dict[int, datetime] = {}
    completed_ever: set[int] = set()
    for page_id, row_cycle, completed_at in Completion.objects.filter(
        user=user, page_id__in=page_ids
    ).values_list("page_id", "cycle", "completed_at"):
        completed_ever.add(page_id)
        if row_cycle == cycle:
            completed_now[page_id] = completed_at
    return completed_now, completed_ever


# What _step_states reads of a learner's step progress (any other field is deferred: it
# would cost a query per row), in the model's field order, as `Model.from_db` takes them.
_PROGRESS_FIELDS = tuple(
    field.attname
    for field in StepProgress._meta.concrete_fields
    if field.attname
    in {
        "id",
        "module_id",
        "cycle",
        "step_id",
        "completed_at",
        "watched_seconds",
        "duration_seconds",
        "position_seconds",
        "best_score",
        "answer",
        "updated_at",
    }
)
# A completion in the same columns: its page, cycle and time where a step's module, cycle
# and completion time are; NULL (of the step's column type) for the rest.
_FROM_COMPLETION = {"module_id": "page_id", "cycle": "cycle", "completed_at": "completed_at"}
_COMPLETION_COLUMNS = tuple(
    _FROM_COMPLETION[field.attname]
    if field.attname in _FROM_COMPLETION
    else Value(None, output_field=field.__class__())
    for field in StepProgress._meta.concrete_fields
    if field.attname in _PROGRESS_FIELDS
)
_STEP, _COMPLETION = 0, 1


def _completions_and_progress(
    user, page_ids: set[int], wanted: Q
) -> tuple[list[tuple[int, int, datetime]], list[StepProgress]]:
    """The learner's completions of these pages, (page, cycle, when), and the step progress
    rows `wanted` selects, in one query: a UNION ALL of the two tables padded to the same
    columns, the first column saying which table a row is from. The progress rows are
    model instances with the fields of `_PROGRESS_FIELDS` (as `.only()` gives them)."""
    completions = Completion.objects.filter(user=user, page_id__in=page_ids)
    if not wanted:
        return list(completions.values_list("page_id", "cycle", "completed_at")), []
    steps = StepProgress.objects.filter(wanted, user=user)
    union = steps.values_list(Value(_STEP, output_field=IntegerField()), *_PROGRESS_FIELDS).union(
        completions.values_list(
            Value(_COMPLETION, output_field=IntegerField()), *_COMPLETION_COLUMNS
        ),
        all=True,
    )
    found: list[tuple[int, int, datetime]] = []
    rows: list[StepProgress] = []
    for table, *values in union:
        if table == _COMPLETION:
            row = dict(zip(_PROGRESS_FIELDS, values, strict=True))
            found.append((row["module_id"], row["cycle"], row["completed_at"]))
        else:
            rows.append(StepProgress.from_db(union.db, _PROGRESS_FIELDS, values))
    return found, rows


def get_course_progress(
    *, user, course: LearningCourse, modules: Sequence[LearningModule] | None = None
) -> CourseProgress:
    """Every module's state and the course's progress for one learner, in two queries
    (the enrolment; the completions and step progress together) however many modules the
    course has (modules and prerequisites come from the course,
    or from `modules`: the course's live modules in order, when the caller has them)."""
    if not user.is_authenticated:
        now = timezone.now()
        listed = course.get_lms_modules() if modules is None else modules
        states = [_module_state(m, {}, set(), [], now) for m in listed]
        return CourseProgress(course, None, states)
    enrolment = (
        Enrolment.objects.filter(user=user, course_id=course.pk)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .first()
    )
    if modules is None:
        return get_courses_progress(user=user, enrolled=[(course, enrolment)])[0]
    return _courses_progress(user, [(course, enrolment, list(modules))])[0]


def listed_course_modules(courses: Sequence[LearningCourse]) -> dict[int, list[LearningModule]]:
    """The modules of those courses whose page class keeps them between requests
    (`listed_lms_modules`, a classmethod returning them by course id), by course id."""
    by_class: dict[type, list[LearningCourse]] = {}
    for course in courses:
        by_class.setdefault(type(course), []).append(course)
    listed: dict[int, list[LearningModule]] = {}
    for cls, group in by_class.items():
        kept = getattr(cls, "listed_lms_modules", None)
        if kept is not None:
            listed.update((pk, list(modules)) for pk, modules in kept(group).items())
    return listed


def prefetch_course_modules(courses: Sequence[LearningCourse]) -> None:
    """Load the modules of many courses at once when their page class offers it
    (`prefetch_lms_modules`, a classmethod): a fixed number of queries for all of them."""
    by_class: dict[type, list[LearningCourse]] = {}
    for course in courses:
        by_class.setdefault(type(course), []).append(course)
    for cls, group in by_class.items():
        prefetch = getattr(cls, "prefetch_lms_modules", None)
        if prefetch is not None:
            prefetch(group)


def get_courses_progress(
    *, user, enrolled: Sequence[tuple[LearningCourse, Enrolment | None]]
) -> list[CourseProgress]:
    """`get_course_progress` for many courses of one authenticated learner, each with its
    enrolment (or None): one query for the completions and the step progress of all of
    them, plus the modules (kept between requests where the course's class keeps them,
    else `prefetch_course_modules`), however many courses."""
    courses = [course for course, _enrolment in enrolled]
    listed = listed_course_modules(courses)
    prefetch_course_modules([course for course in courses if course.pk not in listed])
    return _courses_progress(
        user,
        [
            (
                course,
                enrolment,
                listed[course.pk] if course.pk in listed else list(course.get_lms_modules()),
            )
            for course, enrolment in enrolled
        ],
    )


def _courses_progress(
    user, enrolled: Sequence[tuple[LearningCourse, Enrolment | None, list[LearningModule]]]
) -> list[CourseProgress]:
    now = timezone.now()
    plans = []  # (course, enrolment, cycle, modules)
    page_ids: set[int] = set()
    modules_by_cycle: dict[int, list[int]] = {}
    for course, enrolment, modules in enrolled:
        cycle = enrolment.cycle if enrolment else 1
        plans.append((course, enrolment, cycle, modules))
        page_ids |= {course.pk} | {m.pk for m in modules}
        page_ids |= {p.pk for m in modules for p in m.get_lms_prerequisites()}
        modules_by_cycle.setdefault(cycle, []).extend(m.pk for m in modules)
    wanted = Q()
    for cycle, module_ids in modules_by_cycle.items():
        if module_ids:
            wanted |= Q(cycle=cycle, module_id__in=module_ids)
    completions, rows = _completions_and_progress(user, page_ids, wanted)
    completed_ever = {page_id for page_id, _cycle, _when in completions}
    rows_by_key: dict[tuple[int, int], list[StepProgress]] = {}
    for row in rows:
        rows_by_key.setdefault((row.module_id, row.cycle), []).append(row)
    result = []
    for course, enrolment, cycle, modules in plans:
        completed_now = {
            page_id: when for page_id, row_cycle, when in completions if row_cycle == cycle
        }
        states = [
            _module_state(m, completed_now, completed_ever, rows_by_key.get((m.pk, cycle), []), now)
            for m in modules
        ]
        result.append(
            CourseProgress(course, enrolment, states, completed_at=completed_now.get(course.pk))
        )
    return result


def get_module_progress(*, user, module: LearningModule, cycle: int | None = None) -> ModuleState:
    """One module's state and its steps' progress for one learner: two queries, three when
    the learner's cycle is not given (an access decision carries it)."""
    now = timezone.now()
    if not user.is_authenticated:
        return _module_state(module, {}, set(), [], now)
    if cycle is None:
        cycle = current_cycle(user=user, module=module)
    ids = {module.pk} | {p.pk for p in module.get_lms_prerequisites()}
    completed_now, completed_ever = _completions(user, ids, cycle)
    rows = StepProgress.objects.filter(user=user, module_id=module.pk, cycle=cycle)
    return _module_state(module, completed_now, completed_ever, rows, now)
