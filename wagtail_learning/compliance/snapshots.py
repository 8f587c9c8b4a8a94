"""Daily compliance snapshots: each unit's figures per assigned course, stored once a day,
so the charts over time read the past instead of recomputing it on every view.

`write_compliance_snapshots` is the daily job (compliance/schedules.py) and the back-fill
(`manage.py backfill_compliance_snapshots`). It counts every unit of the tree for every
course assigned on, above or inside it with the matrix's own rules (compliance/policy.py:
the audience, each person's recurrence, the first status that holds), in ONE statement:
per course a CTE of each person's status, grouped once per depth of the tree by the unit
at that depth, all run as one UNION ALL (compliance.reports.grouped_counts). A unit's
figures are the same wherever the tree is looked at from (an assignment reaches a person
only through a unit in its own subtree), so a unit's snapshot of a day is what the matrix
under that unit showed as its total, unfiltered, that day.

`get_compliance_charts` reads them for the dashboard: one query for every course's past
points (the last snapshot of each month), behind the wall; today comes from the matrix.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from wagtail.models import Page

from wagtail_learning.org.api import Membership, Organisation, scope_queryset

from .models import Assignment, ComplianceSnapshot
from .policy import audience_q, recurrence_for, status_rules, winning_terms
from .reports import CourseCount, grouped_counts

__all__ = [
    "ChartPoint",
    "end_of_day",
    "get_compliance_charts",
    "write_compliance_snapshots",
]

FIGURES = ("audience", "compliant", "overdue", "in_progress")


def end_of_day(day: date) -> datetime:
    """The last moment of `day` in TIME_ZONE: what a back-filled day is evaluated at."""
    start = timezone.make_aware(datetime.combine(day + timedelta(days=1), datetime.min.time()))
    return start - timedelta(microseconds=1)


def _concerns(path: str, unit: Organisation) -> bool:
    return unit.path.startswith(path) or path.startswith(unit.path)


def write_compliance_snapshots(
    *, now: datetime | None = None, backfill: bool = False
) -> dict[str, int]:
    """Store every unit's figures per assigned course as of `now` (default: now), dated
    `now`'s day. Idempotent: the day's earlier rows are replaced. With `backfill`, a day
    reconstructed later: rows the schedule measured on that day are kept, not replaced.
    Two queries to read (assignments with their units, the units), one statement to count,
    one upsert; never a query per unit, person or course."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    # Today's assignments, for a back-filled day too: what was assigned when is not kept.
    assignments = list(Assignment.objects.filter(active=True).select_related("unit"))
    by_course: dict[int, list[Assignment]] = {}
    for assignment in assignments:
        by_course.setdefault(assignment.course_id, []).append(assignment)
    courses = Page.objects.filter(pk__in=by_course).only("pk", "path", "depth").in_bulk()
    units = list(Organisation.objects.order_by("path"))
    depths = sorted({unit.depth for unit in units})

    per_course = []
    for course_id, course_assignments in by_course.items():
        if course_id not in courses:
            continue
        statuses = status_rules(
            course=courses[course_id],
            recurrence=recurrence_for(course_assignments, today=today),
            now=now,
        )
        per_course.append(
            CourseCount(
                course_id=course_id,
                members=Membership.objects.filter(audience_q(course_assignments, today=today)),
                status=statuses.case(),
                groupings=tuple(depths),
                deeper_only=True,
            )
        )
    counted: dict[tuple[str, int], dict] = {}
    for values in grouped_counts(per_course):
        counted[values.pop("row"), values.pop("course")] = values

    snapshots = []
    for course_id, course_assignments in by_course.items():
        if course_id not in courses:
            continue
        for unit in units:
            concerning = [a for a in course_assignments if _concerns(a.unit.path, unit)]
            if not concerning:
                continue
            values = counted.get((unit.path, course_id), {})
            snapshots.append(
                ComplianceSnapshot(
                    unit=unit,
                    course_id=course_id,
                    date=today,
                    target=winning_terms(concerning).target,
                    backfilled=backfill,
                    evaluated_at=now,
                    **{name: values.get(name, 0) for name in FIGURES},
                )
            )
    with transaction.atomic():
        if backfill:
            ComplianceSnapshot.objects.bulk_create(
                snapshots, ignore_conflicts=True, batch_size=2000
            )
        else:
            # The day is replaced as a whole: a unit or course no longer concerned loses
            # its row of the day too.
            ComplianceSnapshot.objects.filter(date=today).delete()
            ComplianceSnapshot.objects.bulk_create(snapshots, batch_size=2000)
    return {"units": len({s.unit_id for s in snapshots}), "snapshots": len(snapshots)}


# --- Reading them ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartPoint:
    when: datetime
    share: float | None  # None: no figure (nobody in the audience, or no snapshot)


def _month_ends(now: datetime, months: int) -> list[datetime]:
    """The last moments of the `months - 1` months before `now`'s, oldest first."""
    first = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return [
        first - relativedelta(months=i) - timedelta(microseconds=1)
        for i in range(months - 2, -1, -1)
    ]


def get_compliance_charts(
    *,
    user,
    unit: Organisation,
    today: dict[int, tuple[int, int]],
    months: int = 12,
    now: datetime | None = None,
) -> dict[int, list[tuple[datetime, float | None]]]:
    """The compliant share of `unit`'s audience per course over the last `months` months:
    for each past month the last stored snapshot dated in it (that day's audience, as
    measured then), and `today`'s figures ({course id: (audience, compliant)}, computed
    live by the caller, the matrix) as the last point. Only snapshots the wall lets `user`
    see: one query for every course."""
    now = now or timezone.now()
    ends = _month_ends(now, months)
    first_day = timezone.localdate(ends[0]).replace(day=1) if ends else timezone.localdate(now)
    stored = (
        scope_queryset(user, ComplianceSnapshot.objects.all())
        .filter(
            Q(unit=unit),
            course_id__in=list(today),
            date__gte=first_day,
            date__lt=timezone.localdate(now),
        )
        .order_by("date")
        .values_list("course_id", "date", "audience", "compliant")
    )
    # The last of each month wins: rows come oldest first.
    by_month: dict[tuple[int, int, int], float | None] = {}
    for course_id, day, audience, compliant in stored:
        by_month[course_id, day.year, day.month] = 100 * compliant / audience if audience else None
    charts = {}
    for course_id, (audience, compliant) in today.items():
        points = [(end, by_month.get((course_id, end.year, end.month))) for end in ends]
        points.append((now, 100 * compliant / audience if audience else None))
        charts[course_id] = points
    return charts
