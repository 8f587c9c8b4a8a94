"""HR's forecast: per unit and assigned course, who will lapse (a completion expires under
the renewal rules) or become overdue (an open enrolment's due date passes) in the next
30, 60 and 90 days, and whether the unit is on course to reach its target by the due date
(decision 0044, docs/hr.md).

The rule the projection follows, stated once here and in the docs:

- **the due date** of a course in the units looked at is the latest due date of the
  open (active) enrolments of its audience there that is still ahead; with none ahead,
  the forecast looks HORIZONS[-1] (90) days ahead;
- **the pace** is how many people of the unit's audience completed the course in the
  last `pace_days` days (LMS_FORECAST_PACE_DAYS, default 30), per day;
- **projected compliant** at the due date = compliant now - those whose completion lapses
  by then + pace x days left, the gain capped at the people not compliant by then;
- the unit is **on course** when projected compliant / audience >= the target (the
  matrix's target: the strictest assignment concerning the unit); otherwise it **will
  miss**, and the forecast says how many more completions it needs.

Who counts, which recurrence holds whom and when a completion is valid are policy.py's
rules, read at `now` and at `now + days`: a person "lapses within 30 days" when their
completion is valid now and not valid in 30 days, by the same condition the matrix counts
compliance with. Everything is aggregated in the database: one statement for every unit
and course, whatever the number of people.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Substr
from django.utils import timezone
from wagtail.models import Page

from wagtail_learning.lms.api import Completion, Enrolment, reading_connection
from wagtail_learning.org.api import LearnerProfile, Membership, Organisation

from .conf import forecast_pace_days
from .disclosure import Withheld, withhold_small_groups
from .policy import (
    CourseRules,
    Recurrence,
    audience_q,
    course_rules,
    expires_at,
    recurrence_for,
)
from .reports import PEOPLE_ORDER, _check_scope, _columns, _rule_for, course_audience, report_scope
from .sharing import _assignments_within, _owned, participating_roots
from .vocabulary import ForecastReason

__all__ = [
    "HORIZONS",
    "Forecast",
    "ForecastCell",
    "ForecastPerson",
    "ForecastRow",
    "forecast_people",
    "OrganisationForecast",
    "SharedCourseForecast",
    "get_forecast",
    "get_shared_course_forecast",
    "iter_forecast_people",
    "pace_days",
]

HORIZONS = (30, 60, 90)
STEPLEN = Organisation.steplen
TOTAL = ""


def pace_days() -> int:
    """The days the pace of completions is measured over (LMS_FORECAST_PACE_DAYS)."""
    return forecast_pace_days()


@dataclass
class ForecastCell:
    """One unit's forecast for one course."""

    audience: int = 0
    compliant: int = 0
    overdue: int = 0  # overdue already, today
    lapsing: dict[int, int] = field(default_factory=dict)  # by horizon (days)
    coming_due: dict[int, int] = field(default_factory=dict)  # by horizon (days)
    lapsing_by_due: int = 0  # whose completion lapses by the due date
    recent: int = 0  # completed within the pace window
    target: int = 80
    due: date | None = None  # the due date projected to
    days_left: int = 0
    pace_window: int = 30

    @property
    def share(self) -> float | None:
        return 100 * self.compliant / self.audience if self.audience else None

    @property
    def pace_per_week(self) -> float:
        return 7 * self.recent / self.pace_window

    @property
    def gained(self) -> int:
        """Completions the pace brings by the due date: whole people, capped at those not
        compliant then."""
        at_pace = math.floor(self.recent * self.days_left / self.pace_window)
        return max(min(at_pace, self.audience - (self.compliant - self.lapsing_by_due)), 0)

    @property
    def projected(self) -> int:
        return self.compliant - self.lapsing_by_due + self.gained

    @property
    def projected_share(self) -> float | None:
        return 100 * self.projected / self.audience if self.audience else None

    @property
    def needed(self) -> int:
        """Compliant people the target asks for (the share rounded up to whole people)."""
        return math.ceil(self.target * self.audience / 100)

    @property
    def on_course(self) -> bool | None:
        """None: nobody to count."""
        return self.projected >= self.needed if self.audience else None

    @property
    def shortfall(self) -> int:
        """More completions needed by the due date than the pace brings."""
        return max(self.needed - self.projected, 0)


@dataclass
class ForecastRow:
    unit: Organisation | None  # None: the total
    label: str
    cells: dict[int, ForecastCell] = field(default_factory=dict)
    direct: bool = False


@dataclass
class Forecast:
    parent: Organisation | None
    courses: list  # reports.CourseColumn
    rows: list[ForecastRow]
    total: ForecastRow
    horizons: tuple[int, ...] = HORIZONS
    pace_window: int = 30
    now: datetime | None = None


def _facts(course: Page, recurrence: Recurrence, now: datetime, *, due_end: datetime, window: int):
    """The conditions counted and listed, on rows with a `user` (Membership, profile)."""
    valid_now = recurrence.valid_q(course.pk, now)
    active = Enrolment.objects.filter(
        user=OuterRef("user"), course_id=course.pk, status=Enrolment.Status.ACTIVE
    )
    overdue = Q(Exists(active.filter(due_at__lt=now)))
    facts = {
        "compliant": valid_now,
        "overdue": ~valid_now & overdue,
        "recent": Q(
            Exists(
                Completion.objects.filter(
                    user=OuterRef("user"),
                    page_id=course.pk,
                    kind=Completion.Kind.COURSE,
                    completed_at__gt=now - timedelta(days=window),
                    completed_at__lte=now,
                )
            )
        ),
        "lapsing_by_due": valid_now & ~recurrence.valid_q(course.pk, due_end),
    }
    for days in HORIZONS:
        end = now + timedelta(days=days)
        facts[f"lapse_{days}"] = valid_now & ~recurrence.valid_q(course.pk, end)
        facts[f"due_{days}"] = ~valid_now & Q(
            Exists(active.filter(due_at__gte=now, due_at__lt=end))
        )
    return facts


def _due_dates(members_by_course: dict[int, object], now: datetime) -> dict[int, datetime]:
    """Each course's latest due date still ahead among its audience's open enrolments, in
    one query."""
    if not members_by_course:
        return {}
    condition = Q(pk__in=[])
    for course_id, members in members_by_course.items():
        condition |= Q(course_id=course_id, user__in=members.values("user"))
    found = (
        Enrolment.objects.filter(condition, status=Enrolment.Status.ACTIVE, due_at__gte=now)
        .order_by()
        .values("course_id")
        .annotate(latest=Max("due_at"))
    )
    return {row["course_id"]: row["latest"] for row in found}


def _end_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.max.time()))


def get_forecast(
    *,
    user,
    parent: Organisation | None = None,
    course_ids: list[int] | None = None,
    now: datetime | None = None,
) -> Forecast:
    """The forecast of the units under `parent` (its children, and those placed directly
    in it), or of the user's scope units: per row and assigned course, the audience,
    who is compliant and overdue now, who lapses and who comes due within each horizon,
    the due date and the projection against the target. Raises AccessDenied for a unit
    outside the user's scope. A fixed number of queries (the scope, the children, the
    assignments, the course pages, the due dates, the counts), whatever the people,
    units and courses. Reads only."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    window = pace_days()
    scope = report_scope(user, parent)
    row_units, area = scope.row_units, scope.area
    rules = course_rules(scope.scope_units)
    columns, pages = _columns({cid: rule.terms for cid, rule in rules.items()}, course_ids)
    rows = [ForecastRow(unit=u, label=u.name) for u in row_units]
    direct = ForecastRow(unit=parent, label=parent.name if parent else "", direct=True)
    total = ForecastRow(unit=parent, label="")
    forecast = Forecast(
        parent=parent, courses=columns, rows=rows, total=total, pace_window=window, now=now
    )
    if not columns:
        return forecast

    members_by_course = {
        column.course_id: course_audience(area, rules[column.course_id], today=today)
        for column in columns
    }
    latest_due = _due_dates(members_by_course, now)

    if parent is not None:
        row_of = Substr("unit__path", 1, (parent.depth + 1) * STEPLEN)
    else:
        row_of = Case(
            *(When(unit__path__startswith=u.path, then=Value(u.path)) for u in row_units),
            default=Value(TOTAL),
            output_field=CharField(),
        )
    parts, params, ctes, cte_params = [], [], [], []

    def at(moment: datetime):
        return connection.ops.adapt_datetimefield_value(moment)

    due_of: dict[int, tuple[date, int, datetime]] = {}
    for column in columns:
        rule = rules[column.course_id]
        if column.course_id in latest_due:
            due_end = latest_due[column.course_id]
            due_day = timezone.localdate(due_end)
        else:
            due_day = today + timedelta(days=HORIZONS[-1])
            due_end = _end_of_day(due_day)
        due_of[column.course_id] = (due_day, (due_day - today).days, due_end)
        # Each person's facts once, in a CTE: their last completion of the course (by
        # now), which recurrence group holds them, their open enrolment's due date. A
        # completion valid at a moment t is one in (t - months, t]; none is made after
        # now, so it is valid at t exactly when the last one is after t - months (the
        # policy's valid_q, read as one comparison per moment instead of an EXISTS each).
        course = pages[column.course_id]
        groups = rule.recurrence(today=today).groups
        ends = {"now": now, **{f"d{d}": now + timedelta(days=d) for d in HORIZONS}}
        ends["due"] = due_end
        if len(groups) == 1:
            group = Value(0, output_field=IntegerField())
        else:
            group = Case(
                *(When(covered, then=Value(k)) for k, (_m, covered) in enumerate(groups[:-1])),
                default=Value(len(groups) - 1),
                output_field=IntegerField(),
            )
        active = Enrolment.objects.filter(
            user=OuterRef("user"), course_id=course.pk, status=Enrolment.Status.ACTIVE
        )
        last = (
            Completion.objects.filter(
                user=OuterRef("user"),
                page_id=course.pk,
                kind=Completion.Kind.COURSE,
                completed_at__lte=now,
            )
            .values("user")
            .annotate(last=Max("completed_at"))
            .values("last")
        )
        inner = (
            members_by_course[column.course_id]
            .order_by()
            .annotate(
                row=row_of,
                last=Subquery(last),
                group=group,
                due=Subquery(active.values("due_at")[:1]),
            )
            .values_list("user_id", "row", "last", "group", "due")
        )
        sql, inner_params = inner.query.sql_with_params()
        i = len(ctes)
        ctes.append(f"f{i}(u, r, l, g, due) AS ({sql})")
        cte_params.extend(inner_params)

        def valid(moment, groups=groups):
            """(SQL that is 1 when the row's completion is valid at `moment`, else 0)."""
            cases, values = [], []
            for k, (months, _covered) in enumerate(groups):
                if months is None:
                    cases.append((k, "l IS NOT NULL", []))
                else:
                    cases.append((k, "l > %s", [at(moment - relativedelta(months=months))]))
            if len(cases) == 1:
                _k, condition, values = cases[0]
                return f"(CASE WHEN {condition} THEN 1 ELSE 0 END)", values
            sql = (
                "(CASE g "
                + " ".join(
                    f"WHEN {k} THEN (CASE WHEN {condition} THEN 1 ELSE 0 END)"
                    for k, condition, _v in cases
                )
                + " ELSE 0 END)"
            )
            return sql, [v for _k, _c, vs in cases for v in vs]

        v = {name: valid(moment) for name, moment in ends.items()}

        def both(first, second, extra="", extra_params=()):
            return (
                f"{first[0]} = {first[1]} AND {second[0]} = {second[1]}{extra}",
                [*first[2], *second[2], *extra_params],
            )

        now_valid = (v["now"][0], 1, v["now"][1])
        now_invalid = (v["now"][0], 0, v["now"][1])
        figures = [
            ("compliant", f"{v['now'][0]} = 1", v["now"][1]),
            ("overdue", f"{v['now'][0]} = 0 AND due < %s", [*v["now"][1], at(now)]),
            ("recent", "l > %s", [at(now - timedelta(days=window))]),
            ("lapsing_by_due", *both(now_valid, (v["due"][0], 0, v["due"][1]))),
            *(
                (f"lapse_{d}", *both(now_valid, (v[f"d{d}"][0], 0, v[f"d{d}"][1])))
                for d in HORIZONS
            ),
            *(
                (
                    f"due_{d}",
                    f"{now_invalid[0]} = 0 AND due >= %s AND due < %s",
                    [*now_invalid[2], at(now), at(ends[f"d{d}"])],
                )
                for d in HORIZONS
            ),
        ]
        counts = ", ".join(
            f"COUNT(DISTINCT CASE WHEN {condition} THEN u END) AS {name}"
            for name, condition, _params in figures
        )
        count_params = [param for _name, _condition, values in figures for param in values]
        # Only this module's own SQL, integers and column names are formatted in.
        for row_sql, grouping in (("r", " GROUP BY r"), ("%s", "")):
            parts.append(
                f"SELECT {row_sql} AS row, {int(column.course_id)} AS course, "  # noqa: S608
                f"COUNT(DISTINCT u) AS audience, {counts} FROM f{i}{grouping}"
            )
            params.extend([*([TOTAL] if row_sql == "%s" else []), *count_params])
    # On the replica inside a report view (decision 0049), as the ORM's reads are.
    with reading_connection(Membership).cursor() as cursor:
        sql = "WITH " + ", ".join(ctes) + " " + " UNION ALL ".join(parts)
        cursor.execute(sql, [*cte_params, *params])
        names = [column[0] for column in cursor.description]
        results = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]

    targets = {column.course_id: column.target for column in columns}
    by_path = {row.unit.path: row for row in rows}
    for values in results:
        course_id = int(values["course"])
        due_day, days_left, _end = due_of[course_id]
        cell = ForecastCell(
            audience=values["audience"],
            compliant=values["compliant"],
            overdue=values["overdue"],
            lapsing={days: values[f"lapse_{days}"] for days in HORIZONS},
            coming_due={days: values[f"due_{days}"] for days in HORIZONS},
            lapsing_by_due=values["lapsing_by_due"],
            recent=values["recent"],
            target=targets[course_id],
            due=due_day,
            days_left=days_left,
            pace_window=window,
        )
        path = values["row"]
        if path == TOTAL:
            # The total part counts everyone; a Case row of TOTAL (nobody's unit) is
            # impossible, as every member is inside one of the scope units.
            if not total.cells.get(course_id):
                total.cells[course_id] = cell
        elif parent is not None and path == parent.path:
            direct.cells[course_id] = cell
        elif path in by_path:
            by_path[path].cells[course_id] = cell
    for column in columns:
        due_day, days_left, _end = due_of[column.course_id]
        empty = {
            "target": column.target,
            "due": due_day,
            "days_left": days_left,
            "pace_window": window,
            "lapsing": dict.fromkeys(HORIZONS, 0),
            "coming_due": dict.fromkeys(HORIZONS, 0),
        }
        for row in [total, *rows, direct]:
            row.cells.setdefault(column.course_id, ForecastCell(**empty))
    if parent is not None and any(cell.audience for cell in direct.cells.values()):
        rows.append(direct)
    return forecast


# --- Who -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ForecastPerson:
    user_id: int
    name: str
    employee_number: str
    unit: str
    job_title: str
    is_manager: bool
    reason: ForecastReason
    on: date  # the day the completion lapses, or the due date


def _forecast_people(*, user, unit: Organisation, course_id: int, days: int, now):
    """The profiles listed (queryset with the row's figures) and the row maker."""
    if days not in HORIZONS:
        raise ValueError(days)
    now = now or timezone.now()
    today = timezone.localdate(now)
    _check_scope(user, unit)
    rule: CourseRules = _rule_for(unit, course_id)
    recurrence = rule.recurrence(today=today)
    course = Page.objects.only("pk", "path").get(pk=course_id)
    facts = _facts(course, recurrence, now, due_end=now, window=pace_days())
    lapses, comes_due = facts[f"lapse_{days}"], facts[f"due_{days}"]
    members = course_audience(Q(unit__path__startswith=unit.path), rule, today=today)
    active_due = Enrolment.objects.filter(
        user=OuterRef("user"), course_id=course_id, status=Enrolment.Status.ACTIVE
    ).values("due_at")[:1]
    last_completion = (
        Completion.objects.filter(
            user=OuterRef("user"), page_id=course_id, kind=Completion.Kind.COURSE
        )
        .values("user")
        .annotate(last=Max("completed_at"))
        .values("last")
    )
    listed = (
        LearnerProfile.objects.filter(user__in=members.values("user"))
        .filter(lapses | comes_due)
        .select_related("user", "unit")
        .annotate(
            reason=Case(
                When(lapses, then=Value(ForecastReason.LAPSES.value)),
                default=Value(ForecastReason.COMES_DUE.value),
                output_field=CharField(),
            ),
            due_at=Subquery(active_due),
            completed_at=Subquery(last_completion),
            recurrence_months=recurrence.months(),
        )
        .order_by(*PEOPLE_ORDER)
    )

    def person(profile) -> ForecastPerson:
        reason = ForecastReason(profile.reason)
        if reason == ForecastReason.LAPSES:
            when = expires_at(profile.completed_at, profile.recurrence_months)
        else:
            when = profile.due_at
        return ForecastPerson(
            user_id=profile.user_id,
            name=profile.user.get_full_name() or profile.user.get_username(),
            employee_number=profile.employee_number or "",
            unit=profile.unit.name if profile.unit else "",
            job_title=profile.job_title,
            is_manager=profile.is_manager,
            reason=reason,
            on=timezone.localdate(when) if when else today,
        )

    return listed, person


def forecast_people(
    *, user, unit: Organisation, course_id: int, days: int = 30, now: datetime | None = None
):
    """Who in the unit (and below) lapses or comes due for the course within `days` (one
    of HORIZONS): a lazy queryset of profiles (for a page of them) and the function that
    turns one into a ForecastPerson. Raises AccessDenied outside the user's scope,
    ValueError for a horizon not offered. Reads only."""
    return _forecast_people(user=user, unit=unit, course_id=course_id, days=days, now=now)


def iter_forecast_people(
    *, user, unit: Organisation, course_id: int, days: int = 30, now: datetime | None = None
) -> Iterator[ForecastPerson]:
    """forecast_people for exports, read in chunks as consumed (memory stays flat)."""
    listed, person = _forecast_people(user=user, unit=unit, course_id=course_id, days=days, now=now)

    def rows() -> Iterator[ForecastPerson]:
        for profile in listed.iterator(chunk_size=2000):
            yield person(profile)

    return rows()


# --- A shared course: the owner's view of the other organisations ----------------------------


@dataclass
class OrganisationForecast:
    """One participating organisation's forecast for a shared course: counts, no names."""

    organisation: Organisation | None  # None: the total
    is_owner: bool = False
    audience: int | Withheld = 0
    lapse_30: int | Withheld = 0
    lapse_60: int | Withheld = 0
    lapse_90: int | Withheld = 0
    due_30: int | Withheld = 0
    due_60: int | Withheld = 0
    due_90: int | Withheld = 0
    withheld: Withheld | None = None

    FIGURES = ("audience", *(f"lapse_{d}" for d in HORIZONS), *(f"due_{d}" for d in HORIZONS))


@dataclass
class SharedCourseForecast:
    rows: list[OrganisationForecast]
    total: OrganisationForecast

    @property
    def withheld(self) -> Withheld | None:
        return next((row.withheld for row in [*self.rows, self.total] if row.withheld), None)


def get_shared_course_forecast(
    *, user, course_id: int, now: datetime | None = None
) -> SharedCourseForecast:
    """For the owner's coordinators of a shared course: per participating organisation,
    its audience and how many lapse or come due within 30, 60 and 90 days, without names;
    another organisation's figures withheld for groups under k, and what would give them
    back (decision 0034, as the owner's other figures). Raises AccessDenied for anyone
    else. A fixed number of queries (a few more when a group is withheld). Reads only."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    sharing, own = _owned(user, course_id)
    roots = participating_roots(sharing)
    assignments = _assignments_within(course_id, roots)
    rows = {root.path: OrganisationForecast(root, is_owner=root == sharing.owner) for root in roots}
    total = OrganisationForecast(None)
    if assignments:
        course = Page(pk=course_id, path=sharing.course.path)
        facts = _facts(course, recurrence_for(assignments, today=today), now, due_end=now, window=1)
        counts = {
            "audience": Count("user", distinct=True),
            **{
                name: Count("user", distinct=True, filter=facts[name])
                for name in OrganisationForecast.FIGURES[1:]
            },
        }
        members = Membership.objects.filter(audience_q(assignments, today=today))
        grouped = (
            members.annotate(org=Substr("unit__path", 1, STEPLEN))
            .values("org")
            .annotate(**counts)
            .order_by()
        )
        for values in grouped:
            row = rows.get(values.pop("org"))
            if row is not None:
                for name, count in values.items():
                    setattr(row, name, count)
        for name, count in members.aggregate(**counts).items():
            setattr(total, name, count)

        def total_of(shown: list[OrganisationForecast]) -> OrganisationForecast:
            area = Q(pk__in=[])
            for row in shown:
                area |= Q(unit__path__startswith=row.organisation.path)
            return OrganisationForecast(None, **members.filter(area).aggregate(**counts))

        withhold_small_groups(
            list(rows.values()),
            total,
            own=own,
            size="audience",
            figures=OrganisationForecast.FIGURES,
            total_of=total_of,
        )
    return SharedCourseForecast(rows=list(rows.values()), total=total)
