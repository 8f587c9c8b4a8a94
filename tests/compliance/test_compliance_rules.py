"""Who an HR report counts and against which rule (lms/reports.py), in a small town of two
units where each test adds the few people it needs.

The audience of a report is read from the assignments' rules on the report's day, not from
the enrolments they created: staff-only leaves managers out, "hired after" a date leaves
out those hired on it or before, someone whose last day is today is no longer counted.
Where several assignments cover one course, the highest target and the shortest
recurrence apply to the whole column. A person placed in two units counts once.
"""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from dateutil.relativedelta import relativedelta

from tests.factories import (
    CoursePageFactory,
    ModulePageFactory,
    assign_course,
    course_completed,
    hr_user,
    org_unit,
    reading_step,
    staff_member,
    step_progress,
)
from tests.hr.conftest import NOW, at, cells, course_with_module, row_named
from wagtail_learning.compliance.models import Assignment
from wagtail_learning.compliance.reports import (
    get_compliance_history,
    get_compliance_matrix,
    get_unit_people,
)
from wagtail_learning.lms.models import Enrolment

pytestmark = pytest.mark.django_db

TODAY = NOW.date()  # 16 March 2026
ASSIGNED_ON = date(2026, 3, 1)  # due 31 March: nobody is overdue unless a test says so


@pytest.fixture
def town():
    kommun = org_unit("Kommun X")
    a = org_unit("Enhet A", kommun)
    b = org_unit("Enhet B", kommun)
    for unit in (kommun, a, b):
        unit.refresh_from_db()
    return SimpleNamespace(kommun=kommun, a=a, b=b)


@pytest.fixture
def hr(town):
    return hr_user(town.kommun, username="hr-x")


@pytest.fixture
def course():
    return course_with_module("Arbetsmiljö")[0]


def person(unit, name, **kwargs):
    kwargs.setdefault("hire_date", date(2018, 1, 1))
    return staff_member(unit, first_name=name, last_name="Test", username=name.lower(), **kwargs)


def total(hr, town, course, now=NOW):
    matrix = get_compliance_matrix(user=hr, parent=town.kommun, now=now)
    return cells(matrix.total, course)


def names(hr, unit, course, now=NOW):
    return sorted(
        p.name.split()[0] for p in get_unit_people(user=hr, unit=unit, course_id=course.pk, now=now)
    )


# --- The audience ------------------------------------------------------------------------------


def test_a_staff_only_assignment_leaves_managers_out_of_the_figures(town, hr, course):
    chef = person(town.a, "Chef", is_manager=True)
    person(town.a, "Medarbetare")
    course_completed(chef, course, when=at(2026, 3, 5))  # done, but not in this audience
    assign_course(course, town.kommun, today=ASSIGNED_ON, audience=Assignment.Audience.STAFF)

    assert total(hr, town, course) == (1, 0, 0, 0)
    assert names(hr, town.kommun, course) == ["Medarbetare"]


def test_a_staff_only_and_a_managers_only_assignment_together_count_everyone(town, hr, course):
    person(town.a, "Chef", is_manager=True)
    person(town.b, "Medarbetare")
    assign_course(course, town.a, today=ASSIGNED_ON, audience=Assignment.Audience.MANAGERS)
    assign_course(course, town.b, today=ASSIGNED_ON, audience=Assignment.Audience.STAFF)

    assert total(hr, town, course) == (2, 0, 0, 0)
    assert names(hr, town.kommun, course) == ["Chef", "Medarbetare"]


def test_hired_after_a_date_leaves_out_those_hired_on_it_or_before(town, hr, course):
    person(town.a, "Före", hire_date=date(2024, 12, 31))
    person(town.a, "Samma", hire_date=date(2025, 1, 1))
    person(town.a, "Efter", hire_date=date(2025, 1, 2))
    person(town.a, "Okänd", hire_date=None)
    assign_course(course, town.kommun, today=ASSIGNED_ON, hired_after=date(2025, 1, 1))

    assert total(hr, town, course) == (1, 0, 0, 0)
    assert names(hr, town.kommun, course) == ["Efter"]


def test_someone_whose_last_day_is_today_is_no_longer_counted(town, hr, course):
    person(town.a, "Stannar")
    person(town.a, "Idag", leave_date=TODAY)
    person(town.a, "Imorgon", leave_date=TODAY + timedelta(days=1))
    assign_course(course, town.kommun, today=ASSIGNED_ON)

    yesterday = NOW - timedelta(days=1)
    assert total(hr, town, course, now=yesterday) == (3, 0, 0, 0)
    assert total(hr, town, course) == (2, 0, 0, 0)
    assert names(hr, town.kommun, course) == ["Imorgon", "Stannar"]


# --- Several assignments of one course ----------------------------------------------------------


@pytest.fixture
def overlapping(town, course):
    """The course assigned three times: to the town (target 60 %, every 36 months), to
    Enhet A (90 %, every 12 months) and to Enhet B (70 %, once)."""
    anna = person(town.a, "Anna")
    bo = person(town.b, "Bo")
    course_completed(anna, course, when=at(2024, 9, 16))  # 18 months ago
    course_completed(bo, course, when=at(2025, 9, 16))  # 6 months ago
    assign_course(course, town.kommun, today=ASSIGNED_ON, target_share=60, recurrence_months=36)
    assign_course(course, town.a, today=ASSIGNED_ON, target_share=90, recurrence_months=12)
    assign_course(course, town.b, today=ASSIGNED_ON, target_share=70)
    return SimpleNamespace(anna=anna, bo=bo)


def test_overlapping_assignments_the_highest_target_and_the_shortest_recurrence_win(
    town, hr, course, overlapping
):
    matrix = get_compliance_matrix(user=hr, parent=town.kommun, now=NOW)

    [column] = matrix.courses
    assert (column.target, column.recurrence_months) == (90, 12)
    # Anna's completion is 18 months old: expired under the 12-month rule. Bo's is valid.
    assert cells(matrix.total, course) == (2, 1, 0, 0)
    assert matrix.total.cells[course.pk].target == 90
    assert not matrix.total.cells[course.pk].meets_target  # 50 % < 90 %
    assert cells(row_named(matrix, "Enhet B"), course) == (1, 1, 0, 0)


def test_the_people_list_judges_each_person_by_the_assignments_that_cover_them(
    town, hr, course, overlapping
):
    people = {
        p.name.split()[0]: p
        for p in get_unit_people(user=hr, unit=town.kommun, course_id=course.pk, now=NOW)
    }

    assert people["Anna"].status == "expired"
    assert people["Bo"].status == "compliant"
    # Bo is covered by the town's (every 36 months) and Enhet B's (once): 36 months, not
    # Enhet A's 12 (decision 0012: each person by the assignments that cover them).
    assert people["Bo"].expires_at == at(2025, 9, 16) + relativedelta(months=36)


def test_compliance_over_time_applies_the_shortest_recurrence_too(town, hr, course, overlapping):
    points = get_compliance_history(
        user=hr, unit=town.kommun, course_id=course.pk, months=2, now=NOW
    )

    # Now only Bo is compliant of the two: Anna's completion expired in September 2025.
    assert points[-1][1] == 50


# --- Each person once --------------------------------------------------------------------------


def test_a_person_in_two_units_is_counted_once_overdue_and_once_in_progress(town, hr, course):
    module = course.get_lms_modules()[0]
    late = person(town.a, "Sen", also_in=[town.b])
    busy = person(town.a, "Igång", also_in=[town.b])
    assign_course(course, town.kommun, today=ASSIGNED_ON)
    Enrolment.objects.filter(user=late).update(due_at=at(2026, 3, 10))
    step_progress(busy, module, index=0, completed_at=at(2026, 3, 12))

    matrix = get_compliance_matrix(user=hr, parent=town.kommun, now=NOW)

    assert cells(row_named(matrix, "Enhet A"), course) == (2, 0, 1, 1)
    assert cells(row_named(matrix, "Enhet B"), course) == (2, 0, 1, 1)
    assert cells(matrix.total, course) == (2, 0, 1, 1)
    assert [
        p.status for p in get_unit_people(user=hr, unit=town.kommun, course_id=course.pk, now=NOW)
    ] == [
        "in_progress",
        "overdue",
    ]


# --- Filters, targets and scopes -----------------------------------------------------------------


def test_a_share_exactly_at_the_target_meets_it(town, hr, course):
    for name in ("Anna", "Bo"):
        course_completed(person(town.a, name), course, when=at(2026, 3, 5))
    for name in ("Cilla", "David"):
        person(town.a, name)
    assign_course(course, town.kommun, today=ASSIGNED_ON, target_share=50)

    cell = get_compliance_matrix(user=hr, parent=town.kommun, now=NOW).total.cells[course.pk]

    assert (cell.share, cell.target) == (50, 50)
    assert cell.meets_target


@pytest.fixture
def hires(town, course):
    """Managers and staff hired in 2019 and in 2025, all in Enhet A."""
    person(town.a, "Chef2019", is_manager=True, hire_date=date(2019, 6, 1))
    person(town.a, "Chef2025", is_manager=True, hire_date=date(2025, 6, 1))
    person(town.a, "Personal2019", hire_date=date(2019, 6, 1))
    person(town.a, "Personal2025", hire_date=date(2025, 6, 1))
    assign_course(course, town.kommun, today=ASSIGNED_ON)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"audience": "staff", "hired_from": date(2025, 1, 1)}, ["Personal2025"]),
        ({"audience": "managers", "hired_to": date(2020, 1, 1)}, ["Chef2019"]),
        (
            {"hired_from": date(2019, 1, 1), "hired_to": date(2019, 12, 31)},
            ["Chef2019", "Personal2019"],
        ),
    ],
)
def test_report_filters_together_narrow_to_who_matches_them_all(
    town, hr, course, hires, filters, expected
):
    matrix = get_compliance_matrix(user=hr, parent=town.kommun, now=NOW, **filters)
    people = get_unit_people(user=hr, unit=town.kommun, course_id=course.pk, now=NOW, **filters)

    assert matrix.total.cells[course.pk].audience == len(expected)
    assert sorted(p.name.split()[0] for p in people) == expected


def test_hr_with_scopes_at_two_depths_gets_a_row_for_each_with_its_own_people(town, course):
    a1 = org_unit("Enhet A1", town.a)
    person(a1, "Anna")
    person(town.a, "Bo")  # in A, above A1: outside this HR's scope
    person(town.b, "Cilla")
    person(town.b, "David")
    assign_course(course, town.kommun, today=ASSIGNED_ON)
    scoped = hr_user(a1, town.b, username="hr-two-depths")

    matrix = get_compliance_matrix(user=scoped, now=NOW)

    assert [row.label for row in matrix.rows] == ["Enhet A1", "Enhet B"]
    assert [cells(row, course) for row in matrix.rows] == [(1, 0, 0, 0), (2, 0, 0, 0)]
    assert cells(matrix.total, course) == (3, 0, 0, 0)


# --- The people list ----------------------------------------------------------------------------


@pytest.fixture
def three_steps():
    course = CoursePageFactory(title="Upphandling")
    module = ModulePageFactory(
        parent=course, steps=[reading_step("Ett"), reading_step("Två"), reading_step("Tre")]
    )
    return course, module


def test_the_people_list_shows_employee_numbers_and_the_share_of_steps_done(town, hr, three_steps):
    course, module = three_steps
    numbered = person(town.a, "Anna", employee_number="A-1001")
    person(town.a, "Bo")
    assign_course(course, town.kommun, today=ASSIGNED_ON)
    for index in (0, 1):
        step_progress(numbered, module, index=index, completed_at=at(2026, 3, 10))

    people = get_unit_people(user=hr, unit=town.kommun, course_id=course.pk, now=NOW)

    assert [(p.name, p.employee_number, p.status, p.percent) for p in people] == [
        ("Anna Test", "A-1001", "in_progress", 66),  # two of three steps
        ("Bo Test", "", "not_started", 0),
    ]


def test_someone_whose_enrolment_was_removed_keeps_the_steps_they_did(town, hr, three_steps):
    course, module = three_steps
    anna = person(town.a, "Anna")
    assign_course(course, town.kommun, today=ASSIGNED_ON)
    for index in (0, 1):
        step_progress(anna, module, index=index, completed_at=at(2026, 3, 10))
    Enrolment.objects.filter(user=anna).delete()  # an administrator removed it

    [row] = get_unit_people(user=hr, unit=town.kommun, course_id=course.pk, now=NOW)

    assert (row.status, row.percent) == ("not_started", 66)


def test_a_course_without_required_steps_lists_its_audience_at_0_percent(town, hr):
    course = CoursePageFactory(title="Frivillig läsning")
    ModulePageFactory(parent=course, steps=[reading_step(required=False)])
    person(town.a, "Anna")
    assign_course(course, town.kommun, today=ASSIGNED_ON)

    [row] = get_unit_people(user=hr, unit=town.kommun, course_id=course.pk, now=NOW)

    assert (row.status, row.percent) == ("not_started", 0)


# --- Over time -----------------------------------------------------------------------------------


def test_a_completion_at_midnight_on_the_first_counts_for_the_new_month(town, hr, course):
    anna = person(town.a, "Anna")
    assign_course(course, town.kommun, today=date(2026, 2, 1))
    course_completed(anna, course, when=at(2026, 3, 1, hour=0))  # 00:00:00.000000 local

    points = get_compliance_history(
        user=hr, unit=town.kommun, course_id=course.pk, months=2, now=NOW
    )

    end_of_february, now = points
    assert end_of_february[0] == at(2026, 3, 1, hour=0) - timedelta(microseconds=1)
    assert (end_of_february[1], now[1]) == (0, 100)
