"""The compliance rules, each written once. Assignments call them to enrol, the reports to
count and list, reminders to leave leavers alone:

- who is present (has not left) and who an assignment covers (`audience_q`,
  `audience_profiles`);
- which assignments concern a unit, and which target and recurrence win when several
  assignments of a course overlap (`course_rules`, `winning_terms`, `Recurrence`);
- when a completion has expired (`expiry_cutoff`, `expires_at`);
- a person's status for a course (`status_rules`): one set of conditions that the matrix
  counts and the people list classifies with, so a cell and its drill-down agree by
  construction.

Everything here is a query or a pure function; nothing writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from wagtail.models import Page

from wagtail_learning.lms.api import Completion, Enrolment, StepProgress
from wagtail_learning.org.api import LearnerProfile, Membership, Organisation

from .models import Assignment
from .vocabulary import ComplianceStatus

__all__ = [
    "CourseRules",
    "Recurrence",
    "StatusRules",
    "Terms",
    "audience_profiles",
    "audience_q",
    "course_rules",
    "expires_at",
    "expiry_cutoff",
    "not_left_q",
    "overdue_q",
    "recurrence_for",
    "role_q",
    "status_rules",
    "valid_completions",
    "winning_terms",
]

STEPLEN = Organisation.steplen
PROFILE = "user__learner_profile__"  # from a Membership (or an Enrolment) to the profile


# --- Who -----------------------------------------------------------------------------------


def not_left_q(today: date, *, prefix: str = PROFILE) -> Q:
    """The person has not left: no leave date, or one still to come. Someone whose leave
    date is today has left."""
    return Q(**{f"{prefix}leave_date__isnull": True}) | Q(**{f"{prefix}leave_date__gt": today})


def role_q(audience: str, *, prefix: str = PROFILE) -> Q:
    """Managers, staff (not managers) or both: for an assignment's audience and for the
    reports' filter alike (the two share their values)."""
    if audience == Assignment.Audience.MANAGERS:
        return Q(**{f"{prefix}is_manager": True})
    if audience == Assignment.Audience.STAFF:
        return Q(**{f"{prefix}is_manager": False})
    return Q()


def audience_q(assignments: Iterable[Assignment], *, today: date) -> Q:
    """Memberships in the audience of any of these assignments: a place in a unit of the
    assignment's subtree, held by staff (not external participants) who have not left,
    matching managers/staff and, when the assignment says so, hired *after* its date (the
    date itself excluded: the field is stored with that label). A Q on Membership; no
    assignment, nobody."""
    condition = Q(pk__in=[])
    for assignment in assignments:
        part = Q(unit__path__startswith=assignment.unit.path) & role_q(assignment.audience)
        if assignment.hired_after:
            part &= Q(**{f"{PROFILE}hire_date__gt": assignment.hired_after})
        condition |= part
    return condition & Q(**{f"{PROFILE}kind": LearnerProfile.Kind.STAFF}) & not_left_q(today)


def audience_profiles(assignments: Iterable[Assignment], *, today: date) -> QuerySet:
    """The learner profiles `audience_q` covers: one row per person, however many of their
    units are covered."""
    members = Membership.objects.filter(audience_q(assignments, today=today))
    return LearnerProfile.objects.filter(user__in=members.values("user"))


# --- Which assignments, and which terms win -------------------------------------------------


@dataclass(frozen=True)
class Terms:
    """What the reports hold a course's audience to."""

    target: int  # percent
    recurrence_months: int | None  # None: a completion never expires


def winning_terms(assignments: Iterable[Assignment]) -> Terms:
    """When assignments of one course overlap, the strictest wins: the highest target and
    the shortest recurrence (an assignment without one never shortens it)."""
    assignments = list(assignments)
    return Terms(
        target=max((a.target_share for a in assignments), default=80),
        recurrence_months=min(
            (a.recurrence_months for a in assignments if a.recurrence_months), default=None
        ),
    )


@dataclass(frozen=True)
class Recurrence:
    """Which recurrence each person is held to for one course: the shortest among the
    assignments that cover them, through any of their units, wherever those units are (so
    a unit's figures do not depend on where in the tree they are looked at from).

    `groups` are (months, who is covered by an assignment repeating that often), the
    shortest first and "never" last; a person belongs to the first group covering them.
    When every assignment of the course repeats alike there is one group and no condition.
    """

    groups: tuple[tuple[int | None, Q], ...]

    def valid_q(self, course_id: int, now: datetime) -> Q:
        """People (rows with a `user`) whose completion is valid at `now` under their own
        recurrence. Rows are people in an audience, so whoever no earlier group covers
        belongs to the last."""
        *earlier_groups, (last_months, _covered) = self.groups
        condition = Q(Exists(valid_completions(course_id, last_months, now)))
        for months, covered in reversed(earlier_groups):
            valid = Q(Exists(valid_completions(course_id, months, now)))
            condition = (covered & valid) | (~covered & condition)
        return condition

    def months(self):
        """Each row's recurrence in months (None: never), for its "valid until" date."""
        *earlier_groups, (last_months, _covered) = self.groups
        if not earlier_groups:
            return Value(last_months, output_field=IntegerField())
        return Case(
            *(When(covered, then=Value(months)) for months, covered in earlier_groups),
            default=Value(last_months),
            output_field=IntegerField(),
        )


def recurrence_for(assignments: Iterable[Assignment], *, today: date) -> Recurrence:
    """The Recurrence of one course from all its active assignments."""
    by_months: dict[int | None, list[Assignment]] = {}
    for assignment in assignments:
        by_months.setdefault(assignment.recurrence_months or None, []).append(assignment)
    if len(by_months) <= 1:
        return Recurrence(((next(iter(by_months), None), Q()),))
    order = sorted(by_months, key=lambda months: (months is None, months or 0))
    return Recurrence(
        tuple(
            (
                months,
                Q(
                    Exists(
                        Membership.objects.filter(
                            audience_q(by_months[months], today=today), user=OuterRef("user")
                        )
                    )
                ),
            )
            for months in order
        )
    )


@dataclass(frozen=True)
class CourseRules:
    """One course's active assignments as the reports of some units read them."""

    course_id: int
    assignments: tuple[Assignment, ...]  # all of them: who is held to which recurrence
    concerning: tuple[Assignment, ...]  # those on, above or inside the units: the audience

    @property
    def terms(self) -> Terms:
        """The course's column: the highest target and shortest recurrence of the
        assignments concerning the units."""
        return winning_terms(self.concerning)

    def recurrence(self, *, today: date) -> Recurrence:
        return recurrence_for(self.assignments, today=today)


def _concerns(assignment: Assignment, units: list[Organisation]) -> bool:
    path = assignment.unit.path
    return any(unit.path.startswith(path) or path.startswith(unit.path) for unit in units)


def course_rules(
    units: Iterable[Organisation], *, course_id: int | None = None
) -> dict[int, CourseRules]:
    """The courses assigned on, above or inside these units (or the one asked for), with
    their active assignments. One query."""
    units = list(units)
    if not units:
        return {}
    found = Assignment.objects.filter(active=True).select_related("unit")
    if course_id is not None:
        found = found.filter(course_id=course_id)
    else:
        concerning = Q()
        for unit in units:
            ancestors = [unit.path[:i] for i in range(STEPLEN, len(unit.path) + 1, STEPLEN)]
            concerning |= Q(unit__path__in=ancestors) | Q(unit__path__startswith=unit.path)
        found = found.filter(
            course_id__in=Assignment.objects.filter(concerning, active=True).values("course_id")
        )
    by_course: dict[int, list[Assignment]] = {}
    for assignment in found.order_by("pk"):
        by_course.setdefault(assignment.course_id, []).append(assignment)
    rules = {
        cid: CourseRules(
            course_id=cid,
            assignments=tuple(items),
            concerning=tuple(a for a in items if _concerns(a, units)),
        )
        for cid, items in by_course.items()
    }
    return {cid: rule for cid, rule in rules.items() if rule.concerning}


# --- Expiry --------------------------------------------------------------------------------


def expiry_cutoff(recurrence_months: int | None, now: datetime) -> datetime | None:
    """A completion at or before this moment has expired by `now`; None: never expires."""
    return now - relativedelta(months=recurrence_months) if recurrence_months else None


def expires_at(completed_at: datetime | None, recurrence_months: int | None) -> datetime | None:
    """The date shown as "valid until" for a completion."""
    if completed_at is None or not recurrence_months:
        return None
    return completed_at + relativedelta(months=recurrence_months)


def valid_completions(course_id: int, recurrence_months: int | None, now: datetime) -> QuerySet:
    """The completions of the course by the outer row's `user` that are valid at `now`
    (done by then and not expired), for Exists: one lookup per person through the
    (user, page, cycle) unique index, not every completion of the course on the platform."""
    completions = Completion.objects.filter(
        user=OuterRef("user"), page_id=course_id, kind=Completion.Kind.COURSE, completed_at__lte=now
    )
    cutoff = expiry_cutoff(recurrence_months, now)
    if cutoff is not None:
        completions = completions.filter(completed_at__gt=cutoff)
    return completions


def overdue_q(now: datetime, *, prefix: str = "") -> Q:
    """An enrolment (through `prefix`) that is active and past its due date."""
    return Q(**{f"{prefix}status": Enrolment.Status.ACTIVE, f"{prefix}due_at__lt": now})


# --- A person's status ----------------------------------------------------------------------


# The statuses the matrix counts; the rest are "not started or expired".
COUNTED = (ComplianceStatus.COMPLIANT, ComplianceStatus.OVERDUE, ComplianceStatus.IN_PROGRESS)


@dataclass(frozen=True)
class StatusRules:
    """The statuses in the order they win, each with the fact that earns it, on any
    queryset whose rows have a `user` (Membership for the matrix, LearnerProfile for the
    people list). Not started is what is left."""

    facts: tuple[tuple[ComplianceStatus, Q], ...]

    def condition(self, status: ComplianceStatus) -> Q:
        """Rows in exactly this status: its fact holds and no earlier one does."""
        condition = Q()
        for known, fact in self.facts:
            if known == status:
                return condition & fact
            condition &= ~fact
        return condition  # not started: none holds

    def case(self) -> Case:
        """Each row's status, for annotating: the first fact that holds."""
        return Case(
            *(When(fact, then=Value(status.value)) for status, fact in self.facts),
            default=Value(ComplianceStatus.NOT_STARTED.value),
            output_field=CharField(),
        )

    def counts(self) -> dict[str, Count]:
        """The audience and how many are compliant, overdue and in progress, each person
        once however many of their rows match. Expired is left with not started: the
        matrix shows neither, and telling them apart would read everyone's progress a
        second time (the matrix took half as long again)."""
        return {
            "audience": Count("user", distinct=True),
            **{
                status.value: Count("user", distinct=True, filter=self.condition(status))
                for status, _fact in self.facts
                if status in COUNTED
            },
        }


def status_rules(*, course: Page, recurrence: Recurrence, now: datetime) -> StatusRules:
    """A person's status for an assigned course at `now`; the first that holds wins:

    1. compliant: a completion of the course that has not expired (under the person's own
       recurrence, see Recurrence);
    2. overdue: the current (active) cycle is past its due date;
    3. in progress: a step of the current (active) cycle has been started;
    4. expired: a completion that has expired (and a new cycle not started);
    5. not started: none of these.
    """
    # Each fact is an EXISTS on the row's own user, looked up through the (user, course) and
    # (user, page) unique indexes. As `user IN (...)` PostgreSQL built the set of everyone on
    # the platform in that state for the course and probed it: for "in progress" a scan of
    # all step progress per course, every municipality's, for the matrix of one (issue 13,
    # decision 0029). The step's user is the outer row's user (the enrolment's, by the
    # enrolment's own condition): a reference two levels out keeps PostgreSQL from turning
    # the EXISTS back into that hashed set.
    active = Enrolment.objects.filter(
        user=OuterRef("user"), course_id=course.pk, status=Enrolment.Status.ACTIVE
    )
    started = StepProgress.objects.filter(
        user=OuterRef(OuterRef("user")),
        cycle=OuterRef("cycle"),
        module__path__startswith=course.path,
    )
    completed = Completion.objects.filter(
        user=OuterRef("user"), page_id=course.pk, kind=Completion.Kind.COURSE, completed_at__lte=now
    )
    return StatusRules(
        (
            (ComplianceStatus.COMPLIANT, recurrence.valid_q(course.pk, now)),
            (ComplianceStatus.OVERDUE, Q(Exists(active.filter(overdue_q(now))))),
            (ComplianceStatus.IN_PROGRESS, Q(Exists(active.filter(Exists(started))))),
            (ComplianceStatus.EXPIRED, Q(Exists(completed))),
        )
    )
