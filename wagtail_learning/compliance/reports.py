"""Compliance reports for HR: shares of an audience that is compliant (completed and not
expired) per unit and assigned course, people's statuses, and compliance over time.

Everything is aggregated in the database over the organisation tree (treebeard paths):
the matrix is one statement (grouped_counts) whatever the courses, people or units.
A person in several units is counted once per row and once in the total.

The rules (who is in the audience, which terms win, when a completion expires, which
status a person has) are compliance/policy.py's; the matrix counts with the same status
conditions the people list classifies with, so a cell and its drill-down agree.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.db.models import Count, IntegerField, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from wagtail.models import Page

from wagtail_learning.lms.api import (
    AccessDenied,
    Completion,
    Enrolment,
    StepProgress,
    reading_connection,
)
from wagtail_learning.org.api import (
    LearnerProfile,
    Membership,
    Organisation,
    can_see_unit,
    get_scope_units,
)

from .policy import (
    COUNTED,
    CourseRules,
    Terms,
    audience_q,
    course_rules,
    expires_at,
    role_q,
    status_rules,
)
from .vocabulary import AudienceFilter, ComplianceStatus

__all__ = [
    "CourseColumn",
    "Cell",
    "Matrix",
    "MatrixRow",
    "get_compliance_history",
    "get_compliance_matrix",
    "PageOutOfRange",
    "PeoplePage",
    "get_unit_people",
    "get_unit_people_page",
    "iter_unit_people",
]

STEPLEN = Organisation.steplen


@dataclass(frozen=True)
class CourseColumn:
    course_id: int
    title: str
    target: int  # percent
    recurrence_months: int | None


@dataclass
class Cell:
    audience: int = 0
    compliant: int = 0
    overdue: int = 0
    in_progress: int = 0
    target: int = 80

    @property
    def share(self) -> float | None:
        return 100 * self.compliant / self.audience if self.audience else None

    @property
    def meets_target(self) -> bool:
        return self.share is not None and self.share >= self.target

    @property
    def not_due(self) -> int:
        """Not compliant but not overdue either: still within their due date (or with no
        due date yet). With `overdue`, what tells "behind" from "not due yet"."""
        return max(self.audience - self.compliant - self.overdue, 0)

    @property
    def remaining(self) -> int:
        """Neither compliant, overdue nor in progress: not started, or expired (the people
        list tells the two apart)."""
        return max(self.audience - self.compliant - self.overdue - self.in_progress, 0)


@dataclass
class MatrixRow:
    unit: Organisation | None  # None: the total
    label: str
    cells: dict[int, Cell] = field(default_factory=dict)
    direct: bool = False  # people placed directly in the parent unit, not in a child


@dataclass
class Matrix:
    parent: Organisation | None
    courses: list[CourseColumn]
    rows: list[MatrixRow]
    total: MatrixRow


# --- The report's own filters ------------------------------------------------------------


def _filter_q(audience: str, hired_from=None, hired_to=None) -> Q:
    """The reports' filters, on Membership: managers/staff (the rule an assignment's
    audience uses) and a hire-date range that includes both ends. Not an assignment's
    "hired after", which excludes its date."""
    condition = role_q(audience)
    if hired_from:
        condition &= Q(user__learner_profile__hire_date__gte=hired_from)
    if hired_to:
        condition &= Q(user__learner_profile__hire_date__lte=hired_to)
    return condition


def _columns(terms: dict[int, Terms], course_ids=None) -> tuple[list[CourseColumn], dict]:
    """The matrix's columns, by title, and their course pages (pk, title, path: what the
    status rules need), in one query."""
    if course_ids:
        terms = {cid: t for cid, t in terms.items() if cid in set(course_ids)}
    pages = Page.objects.filter(pk__in=terms).only("pk", "title", "path", "depth").in_bulk()
    columns = [
        CourseColumn(
            course_id=cid,
            title=pages[cid].title,
            target=t.target,
            recurrence_months=t.recurrence_months,
        )
        for cid, t in terms.items()
        if cid in pages
    ]
    return sorted(columns, key=lambda column: column.title), pages


# The row key of a part that counts everyone of its course (no grouping); never a path.
TOTAL = ""


@dataclass(frozen=True)
class CourseCount:
    """One course's share of grouped_counts: the memberships counted (a Membership
    queryset with every filter), their status (StatusRules.case()), and the groupings
    wanted, each a depth (the row is the member's unit's ancestor at that depth: its path)
    or None (the row TOTAL: everyone once). `deeper_only` leaves out people placed above
    the grouping depth (else they group under their own, shorter path)."""

    course_id: int
    members: object
    status: object
    groupings: tuple[int | None, ...]
    deeper_only: bool = False


COUNTED_STATUSES = tuple(status.value for status in COUNTED)  # the Cell's fields too


def grouped_counts(courses: list[CourseCount]) -> list[dict]:
    """Every course's audience, compliant, overdue and in progress per grouping, in ONE
    statement however many courses and groupings: each course's members with their status
    as a CTE (the ORM compiles it from the policy's rules, so a cell counts exactly what its
    drill-down lists), each person's status evaluated once, then a GROUP BY per grouping
    over it, all the groupings as one UNION ALL. Rows: {"row", "course", "audience",
    "compliant", "overdue", "in_progress"}; a person is counted once per row however many
    of their memberships fall in it."""
    if not courses:
        return []
    ctes, selects, params = [], [], []
    for i, course in enumerate(courses):
        inner = (
            course.members.order_by()
            .annotate(status=course.status)
            .values_list("user_id", "unit__path", "unit__depth", "status")
        )
        sql, inner_params = inner.query.sql_with_params()
        ctes.append(f"c{i}(u, p, d, s) AS ({sql})")
        params.extend(inner_params)
    outer_params = []
    for i, course in enumerate(courses):
        counts = ", ".join(
            f"COUNT(DISTINCT CASE WHEN s = %s THEN u END) AS {name}" for name in COUNTED_STATUSES
        )
        for depth in course.groupings:
            if depth is None:
                row, where, group = "%s", "", ""
                row_params = [TOTAL]
            else:
                row, group = f"SUBSTR(p, 1, {int(depth) * STEPLEN})", " GROUP BY 1"
                where = f" WHERE d >= {int(depth)}" if course.deeper_only else ""
                row_params = []
            # Only integers and this module's own SQL are formatted in; values are params.
            selects.append(
                f"SELECT {row} AS row, {int(course.course_id)} AS course, "  # noqa: S608
                f"COUNT(DISTINCT u) AS audience, {counts} FROM c{i}{where}{group}"
            )
            outer_params.extend([*row_params, *COUNTED_STATUSES])
    sql = "WITH " + ", ".join(ctes) + " " + " UNION ALL ".join(selects)
    # On the replica inside a report view (decision 0049), as the ORM's reads are.
    with reading_connection(courses[0].members.model).cursor() as cursor:
        cursor.execute(sql, [*params, *outer_params])
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


# --- The matrix ---------------------------------------------------------------------------


def _check_scope(user, unit: Organisation | None) -> None:
    if unit is not None and not can_see_unit(user, unit):
        raise AccessDenied("This unit is outside your organisation.")


@dataclass(frozen=True)
class ReportScope:
    """What a unit report (the matrix, the forecast) looks at: its rows (the children of
    `parent`, or the reader's scope units), the units whose people count, and those
    people's memberships as a condition (`area`)."""

    parent: Organisation | None
    row_units: list[Organisation]
    scope_units: list[Organisation]
    area: Q


def report_scope(user, parent: Organisation | None) -> ReportScope:
    """The scope of a unit report under `parent` (None: the reader's scope units). Raises
    AccessDenied for a unit outside the reader's scope. One query (the children or the
    scope units)."""
    _check_scope(user, parent)
    if parent is not None:
        row_units = list(parent.get_children())
        scope_units = [parent]
    else:
        row_units = list(get_scope_units(user))
        scope_units = row_units
    area = Q(pk__in=[])
    for unit in scope_units:
        area |= Q(unit__path__startswith=unit.path)
    return ReportScope(parent, row_units, scope_units, area)


def course_audience(area: Q, rule: CourseRules, *, today, extra: Q | None = None):
    """The memberships in `area` a course's assignments concern (`rule`), on `today`, with
    the reports' people filters (`extra`): who every report of the course counts."""
    return Membership.objects.filter(
        area, audience_q(rule.concerning, today=today), *([extra] if extra else [])
    )


def get_compliance_matrix(
    *,
    user,
    parent: Organisation | None = None,
    course_ids: list[int] | None = None,
    audience: str = AudienceFilter.ALL,
    hired_from=None,
    hired_to=None,
    now: datetime | None = None,
) -> Matrix:
    """Units (the children of `parent`, or the user's scope units) x assigned courses: the
    audience, how many are compliant, overdue, in progress and expired, against the target.
    `hired_from` and `hired_to` include their dates. Raises AccessDenied for a unit outside
    the user's scope. Reads only."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    scope = report_scope(user, parent)
    row_units, scope_units, area = scope.row_units, scope.scope_units, scope.area
    rules = course_rules(scope_units)
    columns, courses = _columns({cid: rule.terms for cid, rule in rules.items()}, course_ids)
    extra = _filter_q(audience, hired_from, hired_to)

    rows = [MatrixRow(unit=u, label=u.name) for u in row_units]
    direct = MatrixRow(unit=parent, label=parent.name if parent else "", direct=True)
    total = MatrixRow(unit=parent, label="")
    by_path = {row.unit.path: row for row in rows}
    # Under a parent, its children's depth even when it has none: that part also counts
    # the people placed in the parent itself.
    depths = [parent.depth + 1] if parent is not None else sorted({u.depth for u in row_units})

    # One statement for the whole matrix: per course, the total and the rows grouped by
    # the unit at the rows' depth. Under a parent the rows are its children, and people
    # placed in the parent itself group under the parent's own path: the "directly in"
    # row comes from the same part, not a third one.
    counted = []
    targets = {column.course_id: column.target for column in columns}
    for column in columns:
        rule = rules[column.course_id]
        members = course_audience(area, rule, today=today, extra=extra)
        statuses = status_rules(
            course=courses[column.course_id], recurrence=rule.recurrence(today=today), now=now
        )
        counted.append(
            CourseCount(
                course_id=column.course_id,
                members=members,
                status=statuses.case(),
                groupings=(None, *depths),
                deeper_only=parent is None,
            )
        )
    for values in grouped_counts(counted):
        path, course_id = values.pop("row"), values.pop("course")
        cell = Cell(**values, target=targets[course_id])
        if path == TOTAL:
            total.cells[course_id] = cell
        elif parent is not None and path == parent.path:
            direct.cells[course_id] = cell
        elif path in by_path:
            by_path[path].cells[course_id] = cell
    for column in columns:
        for row in [total, *rows, *([direct] if parent is not None else [])]:
            row.cells.setdefault(column.course_id, Cell(target=column.target))
    if parent is not None and any(cell.audience for cell in direct.cells.values()):
        rows.append(direct)
    return Matrix(parent=parent, courses=columns, rows=rows, total=total)


# --- People in a unit ---------------------------------------------------------------------


def _rule_for(unit: Organisation, course_id: int) -> CourseRules:
    """The course's assignments as the unit's reports read them; none: nobody counts."""
    rule = course_rules([unit], course_id=course_id).get(course_id)
    return rule or CourseRules(course_id=course_id, assignments=(), concerning=())


@dataclass(frozen=True)
class PersonStatus:
    user_id: int
    name: str
    employee_number: str
    unit: str
    job_title: str
    is_manager: bool
    status: ComplianceStatus
    percent: int
    due_at: datetime | None
    completed_at: datetime | None
    expires_at: datetime | None


def get_unit_people(**filters) -> list[PersonStatus]:
    """The audience of a course in a unit (and below) with each person's status: not
    started, in progress (with %), completed (date), overdue (since), expired. Filters by
    status, managers/staff and hire date (both ends included) happen in the database.
    Takes the arguments of `iter_unit_people`, whose list it is. Raises AccessDenied for a
    unit outside the user's scope. Reads only."""
    return list(iter_unit_people(**filters))


def _unit_people(
    *,
    user,
    unit: Organisation,
    course_id: int,
    status: str | None,
    audience: str,
    hired_from,
    hired_to,
    now: datetime | None,
):
    """The people list: the queryset of the profiles listed (every filter, no row
    figures), the function that gives a queryset of them their row figures in the list's
    order, and the one that turns such a row into a PersonStatus. Checks the scope
    (AccessDenied)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    _check_scope(user, unit)
    course = Page.objects.get(pk=course_id).specific
    rule = _rule_for(unit, course_id)
    recurrence = rule.recurrence(today=today)
    statuses = status_rules(course=course, recurrence=recurrence, now=now)
    members = course_audience(
        Q(unit__path__startswith=unit.path),
        rule,
        today=today,
        extra=_filter_q(audience, hired_from, hired_to),
    )
    modules = list(course.get_lms_modules()) if hasattr(course, "get_lms_modules") else []
    required = [
        (m.pk, spec.step_id)
        for m in modules
        if m.required_for_course
        for spec in m.get_lms_steps()
        if spec.required
    ]
    required_q = Q(pk__in=[])
    for module_id, step_id in required:
        required_q |= Q(module_id=module_id, step_id=step_id)
    enrolment = Enrolment.objects.filter(user=OuterRef("user_id"), course_id=course_id)
    # Max, not order_by("-completed_at")[:1]: the ORDER BY leads SQLite to walk the
    # (page, completed_at) index through every completion of the course, for each person.
    last_completion = (
        Completion.objects.filter(user=OuterRef("user_id"), page_id=course_id)
        .values("user")
        .annotate(last=Max("completed_at"))
        .values("last")
    )
    done_steps = (
        StepProgress.objects.filter(
            required_q,
            user=OuterRef("user_id"),
            cycle=OuterRef("cycle"),
            completed_at__isnull=False,
        )
        .values("user")
        .annotate(n=Count("pk"))
        .values("n")
    )
    listed = LearnerProfile.objects.filter(user__in=members.values("user"))
    if status in ComplianceStatus.values:
        # The status the list shows, as a filter only (alias: not selected).
        listed = listed.alias(listed_status=statuses.case()).filter(listed_status=status)
    total = len(required) or 1

    def annotated(profiles):
        """What each listed person's row shows: enrolment, last completion, steps done,
        status and recurrence. Subqueries per row: apply to the rows shown, not to all."""
        return (
            profiles.select_related("user", "unit")
            .annotate(
                due_at=Subquery(enrolment.values("due_at")[:1]),
                cycle=Coalesce(Subquery(enrolment.values("cycle")[:1]), Value(1)),
                completed_at=Subquery(last_completion),
            )
            .annotate(
                steps_done=Coalesce(Subquery(done_steps, output_field=IntegerField()), Value(0)),
                status=statuses.case(),
                recurrence_months=recurrence.months(),
            )
            .order_by(*PEOPLE_ORDER)
        )

    def person(profile) -> PersonStatus:
        completed = profile.completed_at
        return PersonStatus(
            user_id=profile.user_id,
            name=profile.user.get_full_name() or profile.user.get_username(),
            employee_number=profile.employee_number or "",
            unit=profile.unit.name if profile.unit else "",
            job_title=profile.job_title,
            is_manager=profile.is_manager,
            status=ComplianceStatus(profile.status),
            percent=100
            if profile.status == ComplianceStatus.COMPLIANT
            else int(100 * profile.steps_done / total),
            due_at=profile.due_at,
            completed_at=completed,
            expires_at=expires_at(completed, profile.recurrence_months),
        )

    return listed, annotated, person


# Surname, first name; the pk keeps pages stable between equal names.
PEOPLE_ORDER = ("user__last_name", "user__first_name", "pk")


def iter_unit_people(
    *,
    user,
    unit: Organisation,
    course_id: int,
    status: str | None = None,
    audience: str = AudienceFilter.ALL,
    hired_from=None,
    hired_to=None,
    now: datetime | None = None,
) -> Iterator[PersonStatus]:
    """get_unit_people for exports: the scope is checked now (AccessDenied), the people are
    read in chunks as the result is consumed, so memory stays flat however many there are."""
    listed, annotated, person = _unit_people(
        user=user,
        unit=unit,
        course_id=course_id,
        status=status,
        audience=audience,
        hired_from=hired_from,
        hired_to=hired_to,
        now=now,
    )

    def rows() -> Iterator[PersonStatus]:
        for profile in annotated(listed).iterator(chunk_size=2000):
            yield person(profile)

    return rows()


@dataclass(frozen=True)
class PeoplePage:
    """One page of a unit's people: the people on it, the page's number (from 1), how many
    pages and people there are in all."""

    people: list[PersonStatus]
    number: int
    num_pages: int
    count: int
    per_page: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.count else 0

    @property
    def end_index(self) -> int:
        return min(self.number * self.per_page, self.count)


class PageOutOfRange(ValueError):
    """A page number beyond the last page (or below 1)."""


def get_unit_people_page(
    *,
    user,
    unit: Organisation,
    course_id: int,
    page: int = 1,
    per_page: int = 100,
    status: str | None = None,
    audience: str = AudienceFilter.ALL,
    hired_from=None,
    hired_to=None,
    now: datetime | None = None,
) -> PeoplePage:
    """One page of get_unit_people (same order, same filters), in two queries: the count
    and the page. Raises AccessDenied for a unit outside the user's scope, PageOutOfRange
    for a page that does not exist (page 1 of nobody exists). Reads only."""
    listed, annotated, person = _unit_people(
        user=user,
        unit=unit,
        course_id=course_id,
        status=status,
        audience=audience,
        hired_from=hired_from,
        hired_to=hired_to,
        now=now,
    )
    count = listed.count()
    num_pages = max(1, -(-count // per_page))
    if page < 1 or page > num_pages:
        raise PageOutOfRange(page)
    start = (page - 1) * per_page
    # The page's people are picked by name in a subquery, and only they get their row's
    # subqueries: with OFFSET the database computes the select list of every row it skips
    # (the last page of a municipality of 12 000 paid for all of them). Still one query.
    shown = listed.order_by(*PEOPLE_ORDER).values("pk")[start : start + per_page]
    people = [person(profile) for profile in annotated(LearnerProfile.objects.filter(pk__in=shown))]
    return PeoplePage(
        people=people, number=page, num_pages=num_pages, count=count, per_page=per_page
    )


# --- Over time ----------------------------------------------------------------------------


def get_compliance_history(
    *,
    user,
    unit: Organisation,
    course_id: int,
    months: int = 12,
    now: datetime | None = None,
) -> list[tuple[datetime, float | None]]:
    """The compliant share of today's audience at the end of each of the last `months`
    months (the last point is `now`), in one query. Reads only."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    _check_scope(user, unit)
    rule = _rule_for(unit, course_id)
    recurrence = rule.recurrence(today=today)
    members = Membership.objects.filter(
        Q(unit__path__startswith=unit.path), audience_q(rule.concerning, today=today)
    )
    month_end = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    ends = [
        month_end - relativedelta(months=i) - timedelta(microseconds=1)
        for i in range(months - 2, -1, -1)
    ]
    ends.append(now)
    # One pass over the audience with a filtered count per month, not a query per month.
    figures = members.aggregate(
        audience=Count("user", distinct=True),
        **{
            f"at_{i}": Count(
                "user",
                distinct=True,
                filter=recurrence.valid_q(course_id, end),
            )
            for i, end in enumerate(ends)
        },
    )
    audience = figures["audience"]
    return [
        (end, 100 * figures[f"at_{i}"] / audience if audience else None)
        for i, end in enumerate(ends)
    ]
