"""Who may open a module's content: pages, steps, API calls and files alike."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Page

from .audience import (
    Audience,
    admits,
    external_learner_sources,
    is_external,
    is_external_expression,
    refusal_message,
)
from .errors import AccessDenied
from .models import Completion, Enrolment, StepProgress
from .protocols import LearningModule
from .snapshots import ModuleSnapshot
from .state import module_lock
from .vocabulary import LockReason

__all__ = [
    "AccessDecision",
    "check_course_audience",
    "check_module_access",
    "check_learner_access_in_one_query",
    "check_prerequisites",
    "find_progress_with_learner_access",
    "require_learner_access",
    "require_module_access",
]


@dataclass(frozen=True)
class AccessDecision:
    allowed: bool
    reason: LockReason | None = None  # why refused: a code
    message: str = ""  # the same, as a sentence for the learner
    blocking: list = field(default_factory=list)  # pages to complete or open first
    as_editor: bool = False
    cycle: int = 1  # the learner's current completion cycle in the module's course


def _can_edit(user, module) -> bool:
    permissions_for_user = getattr(module, "permissions_for_user", None)
    return bool(permissions_for_user and permissions_for_user(user).can_edit())


def _outside_audience(audience: str) -> AccessDecision:
    return AccessDecision(False, LockReason.NOT_IN_AUDIENCE, refusal_message(audience))


def check_course_audience(*, user, course) -> AccessDecision:
    """Is the course (a LearningCourse) for learners like `user`? Anyone not logged in is
    not refused here (the catalogue is public; content asks for a login on its own).
    Reads one query when the course is not for everyone, none else."""
    audience = course.lms_audience
    if audience == Audience.EVERYONE or not user.is_authenticated:
        return AccessDecision(True)
    if admits(audience, external=is_external(user)):
        return AccessDecision(True)
    return _outside_audience(audience)


def _enrolment_of(user, course_id: int, audience: str) -> Enrolment | None:
    """The learner's enrolment (withdrawn ones excluded); for a course not for everyone,
    with `learner_external`: the question of who they are rides on the same query."""
    rows = Enrolment.objects.filter(user=user, course_id=course_id).exclude(
        status=Enrolment.Status.WITHDRAWN
    )
    if audience != Audience.EVERYONE:
        rows = rows.annotate(learner_external=is_external_expression(OuterRef("user_id")))
    return rows.first()


def check_module_access(*, user, module: LearningModule) -> AccessDecision:
    """May `user` open `module`'s content? An enrolled learner may when the course is for
    learners like them (staff, external participants: lms.audience) and the module is
    unlocked; editors of the page always may. Reads only."""
    if not user.is_authenticated:
        return AccessDecision(False, LockReason.ANONYMOUS, _("Log in to open this module."))
    course_id = module.get_lms_course_id()
    audience = module.get_lms_audience()
    enrolment = _enrolment_of(user, course_id, audience)
    if enrolment is None:
        if _can_edit(user, module):
            return AccessDecision(True, as_editor=True)
        if audience != Audience.EVERYONE and not admits(audience, external=is_external(user)):
            return _outside_audience(audience)
        course = getattr(module, "get_parent", lambda: None)()
        return AccessDecision(
            False,
            LockReason.NOT_ENROLLED,
            _("Enrol in the course to open its modules."),
            blocking=[course] if course is not None else [],
        )
    if audience != Audience.EVERYONE and not admits(audience, external=enrolment.learner_external):
        # Enrolled, but the course is not (or no longer) for learners like them: an
        # enrolment keeps their history, never a way in (decision 0033).
        if _can_edit(user, module):
            return AccessDecision(True, as_editor=True, cycle=enrolment.cycle)
        return _outside_audience(audience)
    # A prerequisite completed in any cycle counts: what was learnt stays learnt.
    prerequisite_ids = [p.pk for p in module.get_lms_prerequisites()]
    completed = (
        set(
            Completion.objects.filter(user=user, page_id__in=prerequisite_ids).values_list(
                "page_id", flat=True
            )
        )
        if prerequisite_ids
        else set()
    )
    reason, message, blocking = module_lock(module, completed)
    if reason:
        if _can_edit(user, module):
            return AccessDecision(True, as_editor=True, cycle=enrolment.cycle)
        return AccessDecision(False, reason, message, blocking=blocking)
    return AccessDecision(True, cycle=enrolment.cycle)


def _with_learner_access(rows, snapshot: ModuleSnapshot):
    """Annotate `rows` (of a model with `user_id`) with what decides a learner's access to
    the snapshot's module: whether the page is still the live one the snapshot was taken
    of, whether the learner is external (a course not for everyone) and how many of the
    prerequisites they completed. Returns the rows and the names of the annotations."""
    rows = rows.annotate(
        fresh=Exists(
            Page.objects.filter(
                pk=snapshot.pk,
                live=True,
                path=snapshot.path,
                last_published_at=snapshot.last_published_at,
            )
        )
    )
    fields = ["fresh"]
    if snapshot.audience != Audience.EVERYONE:
        rows = rows.annotate(learner_external=is_external_expression(OuterRef("user_id")))
        fields.append("learner_external")
    if snapshot.prerequisite_ids:
        done = (
            Completion.objects.filter(
                user_id=OuterRef("user_id"), page_id__in=snapshot.prerequisite_ids
            )
            .values("user_id")
            .annotate(pages=Count("page_id", distinct=True))
            .values("pages")[:1]
        )
        rows = rows.annotate(prerequisites_done=Subquery(done))
        fields.append("prerequisites_done")
    return rows, fields


def _admitted(row: dict, snapshot: ModuleSnapshot) -> bool:
    """Whether the annotations of `_with_learner_access` (in `row`) let the learner in."""
    if not row["fresh"]:
        return False
    if "learner_external" in row and not admits(
        snapshot.audience, external=row["learner_external"]
    ):
        return False
    return not snapshot.prerequisite_ids or (row["prerequisites_done"] or 0) >= len(
        set(snapshot.prerequisite_ids)
    )


def _open_to(user, snapshot: ModuleSnapshot, now: datetime | None) -> bool:
    """What the snapshot alone decides: logged in, and the module open by now."""
    if not user.is_authenticated:
        return False
    now = now or timezone.now()
    return not (snapshot.available_from and snapshot.available_from > now)


def check_learner_access_in_one_query(
    *, user, snapshot: ModuleSnapshot, now: datetime | None = None
) -> AccessDecision | None:
    """The heartbeat's access check: one query answers whether the learner is enrolled
    (not withdrawn), is among those the course is for (lms.audience), has completed every
    prerequisite (in any cycle) and the module is
    still the live page the snapshot was taken of. Returns the learner's decision when
    all of that holds, else None: the caller then asks `require_learner_access` on the page,
    which knows why (and whether an editor may look). Never allows what that refuses."""
    if not _open_to(user, snapshot, now):
        return None
    rows = Enrolment.objects.filter(user=user, course_id=snapshot.course_id).exclude(
        status=Enrolment.Status.WITHDRAWN
    )
    rows, fields = _with_learner_access(rows, snapshot)
    row = next(iter(rows.values("cycle", *fields)[:1]), None)
    if row is None or not _admitted(row, snapshot):
        return None
    return AccessDecision(True, cycle=row["cycle"])


# The statement of find_progress_with_learner_access depends on the module (its snapshot),
# the step and the audience hooks, never on the learner, whose id is its one parameter that
# changes from beat to beat. Building and compiling it through the ORM was most of a beat's
# CPU (issue 26); it is compiled once per module, step and snapshot, with a placeholder for
# the learner's id, and kept in the process. The ORM still states the rules, once.
_PLACEHOLDER_USER_ID = -7_340_031  # no account has a negative id
_MAX_STATEMENTS = 4096
_statements: dict[tuple, tuple[str, tuple, tuple[int, ...], tuple[str, ...]]] = {}


def _progress_statement(snapshot: ModuleSnapshot, step_id: str):
    """(sql, params, the positions of the learner's id among them, annotation names)."""
    key = (
        connection.alias,
        snapshot.pk,
        snapshot.course_id,
        snapshot.path,
        snapshot.last_published_at,
        snapshot.audience,
        tuple(snapshot.prerequisite_ids),
        step_id,
        tuple(external_learner_sources()),
    )
    found = _statements.get(key)
    if found is None:
        cycle = (
            Enrolment.objects.filter(user_id=OuterRef("user_id"), course_id=snapshot.course_id)
            .exclude(status=Enrolment.Status.WITHDRAWN)
            .values("cycle")[:1]
        )
        rows = StepProgress.objects.filter(
            user_id=_PLACEHOLDER_USER_ID,
            module_id=snapshot.pk,
            step_id=step_id,
            cycle=Subquery(cycle),
        )
        rows, fields = _with_learner_access(rows, snapshot)
        sql, params = rows[:1].query.sql_with_params()
        user_at = tuple(i for i, value in enumerate(params) if value == _PLACEHOLDER_USER_ID)
        if len(_statements) >= _MAX_STATEMENTS:
            _statements.clear()
        found = _statements[key] = (sql, tuple(params), user_at, tuple(fields))
    return found


def find_progress_with_learner_access(
    *, user, snapshot: ModuleSnapshot, step_id: str, now: datetime | None = None
) -> tuple[AccessDecision, StepProgress] | None:
    """The heartbeat's common case in one query: the learner's progress row of the step in
    their enrolment's current cycle, read together with everything
    `check_learner_access_in_one_query` checks. Returns the decision and the row when the
    row exists and access holds; None otherwise (no row yet, a new cycle, or any reason
    the one-query check would not allow), and the caller asks the longer way.
    The statement is compiled once per module, step and snapshot (`_progress_statement`)."""
    if not _open_to(user, snapshot, now):
        return None
    sql, params, user_at, fields = _progress_statement(snapshot, step_id)
    bound = list(params)
    for index in user_at:
        bound[index] = user.pk
    progress = next(iter(StepProgress.objects.raw(sql, bound)), None)
    if progress is None or not _admitted(
        {name: getattr(progress, name) for name in fields}, snapshot
    ):
        return None
    return AccessDecision(True, cycle=progress.cycle), progress


def require_module_access(*, user, module: LearningModule) -> AccessDecision:
    """Like check_module_access, but raises AccessDenied when refused."""
    decision = check_module_access(user=user, module=module)
    if not decision.allowed:
        raise AccessDenied(decision.message, decision=decision)
    return decision


def require_learner_access(*, user, module: LearningModule) -> AccessDecision:
    """For writes: the module must be open to the user as a learner. Editors who see a
    module only by their editing rights (not enrolled, or it is still locked for them)
    may look but record nothing: no progress, completions or certificates."""
    decision = require_module_access(user=user, module=module)
    if decision.as_editor:
        raise AccessDenied(
            _("You are viewing this module as an editor; enrol to record progress."),
            decision=decision,
        )
    return decision


def _prerequisite_cycle(
    module: LearningModule, prerequisites: Iterable[LearningModule]
) -> list[LearningModule]:
    """The modules leading from `prerequisites` back to `module` through their own saved
    prerequisites, or [] when there is no such path."""
    if module.pk is None:  # nothing can require a module that is not saved yet
        return []
    stack = [(p, [p]) for p in prerequisites]
    seen: set[int] = set()
    while stack:
        current, trail = stack.pop()
        if current.pk == module.pk:
            return trail
        if current.pk in seen:
            continue
        seen.add(current.pk)
        stack.extend((nxt, [*trail, nxt]) for nxt in current.get_lms_prerequisites())
    return []


def check_prerequisites(module: LearningModule, prerequisites: Iterable[LearningModule]) -> None:
    """Refuse prerequisites that point back at `module` (itself or through a chain): they
    would lock the modules involved for every learner for ever. Reads only.

    Raises ValidationError naming the chain. Every save path of a module calls this (the
    page's `clean`, so code, revisions and publishing; the admin form for a field error).
    """
    cycle = _prerequisite_cycle(module, prerequisites)
    if cycle:
        path = " → ".join(page.title for page in cycle)
        raise ValidationError(
            _("These prerequisites would lock each other for ever: %(path)s → this module.")
            % {"path": path},
            code="prerequisite_cycle",
        )
