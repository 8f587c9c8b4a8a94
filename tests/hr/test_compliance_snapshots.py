"""The compliance matrix in one statement, and the daily snapshots the charts read
(decision 0029): exact query counts, the snapshots' figures, their writing (idempotent per
day), the charts' past from stored days and today computed live, and the wall."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import SuperuserFactory, assign_course, course_completed
from wagtail_learning.compliance.models import ComplianceSnapshot
from wagtail_learning.compliance.reports import get_compliance_matrix
from wagtail_learning.compliance.snapshots import (
    end_of_day,
    get_compliance_charts,
    write_compliance_snapshots,
)
from wagtail_learning.lms.models import Completion

from .conftest import NOW, at, course_with_module

DASHBOARD = "/admin/hr/compliance/"
# get_compliance_matrix under a parent: the scope check, the parent's children, the courses'
# assignments, the course pages, and one grouped statement for every cell. Constant in
# units, people and courses (it was 3 per course and 4 more: 10 for these 2 courses).
MATRIX_QUERIES = 5
FEB = date(2026, 2, 28)


def figures(cell) -> tuple[int, int, int, int]:
    return (cell.audience, cell.compliant, cell.overdue, cell.in_progress)


TODAY = NOW.date()


def stored(unit, course, day=TODAY) -> tuple[int, int, int, int]:
    s = ComplianceSnapshot.objects.get(unit=unit, course=course, date=day)
    return (s.audience, s.compliant, s.overdue, s.in_progress)


# --- The matrix: one statement ---------------------------------------------------------------


def test_the_matrix_takes_the_same_few_queries_for_2_courses_as_for_7(
    world, django_assert_num_queries
):
    admin = SuperuserFactory()
    with django_assert_num_queries(MATRIX_QUERIES):
        matrix = get_compliance_matrix(user=admin, parent=world.units.kommun, now=NOW)
    assert len(matrix.courses) == 2
    for i in range(5):
        course, _module = course_with_module(f"Extra {i}")
        assign_course(course, world.units.f2, today=date(2026, 3, 1), due_days=30)
        course_completed(world.people.karin, course, when=at(2026, 3, 2))
    with django_assert_num_queries(MATRIX_QUERIES):
        matrix = get_compliance_matrix(user=admin, parent=world.units.kommun, now=NOW)
    assert len(matrix.courses) == 7
    extra = next(c for c in matrix.courses if c.title == "Extra 0")
    f2 = next(row for row in matrix.rows if row.unit == world.units.f2)
    assert f2.cells[extra.course_id].compliant == 1  # Karin


# --- Writing the day's snapshots --------------------------------------------------------------


def test_a_units_snapshot_is_what_its_matrix_shows_as_the_total(world):
    write_compliance_snapshots(now=NOW)
    admin = SuperuserFactory()
    units = world.units
    for unit in (units.kommun, units.f1, units.f2, units.e1a, units.e1b, units.e2a, units.b1):
        matrix = get_compliance_matrix(user=admin, parent=unit, now=NOW)
        for column in matrix.courses:
            course = world.c1 if column.course_id == world.c1.pk else world.c2
            assert stored(unit, course) == figures(matrix.total.cells[column.course_id]), (
                unit.name,
                column.title,
            )
    # C2 is assigned to F1 only: F2 and its unit are not concerned by it, F1's units are.
    assert not ComplianceSnapshot.objects.filter(unit=units.f2, course=world.c2).exists()
    assert stored(units.e1a, world.c2) == (4, 1, 1, 0)  # Anna; David overdue
    # The target of the strictest assignment concerning the unit.
    assert ComplianceSnapshot.objects.get(unit=units.kommun, course=world.c1).target == 60


def test_writing_takes_the_same_queries_for_any_number_of_courses(world):
    # Both measured runs replace a day already written, and the process caches (content
    # types and the like) are warm whichever tests ran before in this worker.
    write_compliance_snapshots(now=NOW)
    with CaptureQueriesContext(connection) as before:
        write_compliance_snapshots(now=NOW)
    for i in range(4):
        course, _module = course_with_module(f"Extra {i}")
        assign_course(course, world.units.f2, today=date(2026, 3, 1), due_days=30)
    with CaptureQueriesContext(connection) as after:
        counts = write_compliance_snapshots(now=NOW)
    assert len(after) == len(before)
    assert counts["snapshots"] == ComplianceSnapshot.objects.filter(date=NOW.date()).count()


def test_a_second_run_the_same_day_replaces_the_day(world):
    first = write_compliance_snapshots(now=NOW)
    assert write_compliance_snapshots(now=NOW) == first
    assert ComplianceSnapshot.objects.count() == first["snapshots"]
    assert stored(world.units.e1b, world.c1) == (4, 2, 1, 0)

    course_completed(world.people.hassan, world.c1, when=at(2026, 3, 16, 11))
    write_compliance_snapshots(now=NOW + timedelta(hours=1))
    assert ComplianceSnapshot.objects.count() == first["snapshots"]
    assert stored(world.units.e1b, world.c1) == (4, 3, 1, 0)


def test_the_daily_schedule_writes_the_snapshots_through_the_queue(world, frozen):
    from django_q.models import Schedule
    from django_q.tasks import async_task

    from wagtail_learning.compliance.schedules import SNAPSHOTS, ensure_schedules

    ensure_schedules()
    async_task(Schedule.objects.get(name=SNAPSHOTS).func)  # run inline in the test settings
    assert stored(world.units.kommun, world.c1) == (13, 6, 2, 2)


def test_the_backfill_keeps_days_the_schedule_measured(world, frozen):
    write_compliance_snapshots(now=end_of_day(FEB))  # measured on the day
    measured = stored(world.units.kommun, world.c1, FEB)
    Completion.objects.filter(user=world.people.maja, page_id=world.c1.pk).delete()

    call_command("backfill_compliance_snapshots", "--from", "2026-02-27", "--to", "2026-02-28")

    assert stored(world.units.kommun, world.c1, FEB) == measured
    assert not ComplianceSnapshot.objects.get(
        unit=world.units.kommun, course=world.c1, date=FEB
    ).backfilled
    day_before = ComplianceSnapshot.objects.get(
        unit=world.units.kommun, course=world.c1, date=FEB - timedelta(days=1)
    )
    assert day_before.backfilled
    # On 27 February Eva had not left yet (her leave date is the 28th): in the audience,
    # with her completion of 1 February; Maja's is gone from the rows.
    assert (day_before.audience, day_before.compliant) == (14, 1)


# --- Reading them: the charts ----------------------------------------------------------------


def test_past_points_come_from_the_stored_days_and_today_is_live(world, hr_a, client, frozen):
    write_compliance_snapshots(now=end_of_day(FEB))
    # What was stored for February: Maja's completion (2024) in Kommun A's C1 audience.
    assert stored(world.units.kommun, world.c1, FEB)[:2] == (13, 1)
    # Old rows change afterwards: Maja's completion goes, someone's lands in February.
    Completion.objects.filter(user=world.people.maja, page_id=world.c1.pk).delete()
    course_completed(world.people.leo, world.c1, when=at(2026, 2, 10))

    matrix = get_compliance_matrix(user=SuperuserFactory(), parent=world.units.kommun, now=NOW)
    today = {cid: (c.audience, c.compliant) for cid, c in matrix.total.cells.items()}
    charts = get_compliance_charts(
        user=SuperuserFactory(), unit=world.units.kommun, today=today, now=NOW
    )
    points = charts[world.c1.pk]
    assert len(points) == 12
    by_month = {(when.year, when.month): share for when, share in points}
    assert by_month[2026, 2] == pytest.approx(100 / 13)  # stored, not recomputed
    assert by_month[2026, 1] is None  # no stored day in January
    # Today: Anna, Bo, Fredrik, Johan, Nils and now Leo; Maja's completion is gone.
    assert points[-1] == (NOW, pytest.approx(100 * 6 / 13))

    # The dashboard draws the same points.
    client.force_login(hr_a)
    response = client.get(DASHBOARD)
    chart = next(c for c in response.context["charts"] if c["course"].course_id == world.c1.pk)
    assert chart["points"][-2][1] == pytest.approx(100 / 13)
    assert chart["points"][-1][1] == pytest.approx(100 * 6 / 13)


def test_a_coordinator_never_reads_another_organisations_snapshots(world, hr_b):
    write_compliance_snapshots(now=end_of_day(FEB))
    today = {world.c1.pk: (13, 6)}
    charts = get_compliance_charts(user=hr_b, unit=world.units.kommun, today=today, now=NOW)
    assert [share for _when, share in charts[world.c1.pk][:-1]] == [None] * 11
    from wagtail_learning.org.api import scope_queryset

    seen = scope_queryset(hr_b, ComplianceSnapshot.objects.all())
    assert set(seen.values_list("unit", flat=True)) == {
        world.units.kommun_b.pk,
        world.units.b1.pk,
    }


def test_the_dashboard_of_a_unit_adds_one_query_for_every_chart(
    world, hr_a, client, frozen, django_assert_num_queries
):
    """The charts over time are one query on the stored snapshots, whatever the courses."""
    client.force_login(hr_a)
    write_compliance_snapshots(now=end_of_day(FEB))
    url = f"{DASHBOARD}?unit={world.units.f1.pk}"
    assert client.get(url).status_code == 200  # warm caches
    with CaptureQueriesContext(connection) as two_courses:
        client.get(url)
    for i in range(3):
        course, _module = course_with_module(f"Extra {i}")
        assign_course(course, world.units.f1, today=date(2026, 3, 1), due_days=30)
    write_compliance_snapshots(now=end_of_day(FEB))
    with django_assert_num_queries(len(two_courses)):
        response = client.get(url)
    assert len(response.context["charts"]) == 5
