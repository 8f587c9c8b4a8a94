"""The engine behind HR's reports: assignments (audiences, due dates, recurrence) and the
compliance figures, checked against the hand-counted municipality in conftest.py."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from tests.factories import (
    SuperuserFactory,
    assign_course,
    course_completed,
    org_unit,
    staff_member,
    step_progress,
)
from tests.hr.conftest import NOW, at, cells, course_with_module, row_named
from wagtail_learning.compliance import api as compliance
from wagtail_learning.compliance.assignments import due_date_for
from wagtail_learning.compliance.models import Assignment
from wagtail_learning.compliance.policy import audience_profiles
from wagtail_learning.compliance.reports import (
    get_compliance_history,
    get_compliance_matrix,
    get_unit_people,
)
from wagtail_learning.lms import api as lms
from wagtail_learning.lms.errors import AccessDenied
from wagtail_learning.lms.models import Completion, Enrolment
from wagtail_learning.org.models import LearnerProfile

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 1)


def end_of(day: date) -> datetime:
    """Due dates fall at 23:59 local time on the day."""
    return timezone.make_aware(datetime.combine(day, time(23, 59)))


def due(user, course):
    return Enrolment.objects.get(user=user, course_id=course.pk).due_at


# --- Assignments ----------------------------------------------------------------------------


@pytest.fixture
def unit():
    kommun = org_unit("Kommun")
    return org_unit("Enhet", kommun)


@pytest.fixture
def course():
    return course_with_module("Dataskydd")[0]


def test_due_n_days_after_assignment(unit, course):
    early = staff_member(unit, hire_date=date(2010, 1, 1))
    assign_course(course, unit, today=TODAY, due_days=30)
    assert due(early, course) == end_of(date(2026, 3, 31))


def test_due_after_hire_counts_from_the_hire_date_never_from_before_the_assignment(unit, course):
    veteran = staff_member(unit, hire_date=date(2010, 1, 1))
    recent = staff_member(unit, hire_date=date(2026, 2, 20))
    starting_later = staff_member(unit, hire_date=date(2026, 4, 15))  # hired in the future
    no_date = staff_member(unit, hire_date=None)

    assign_course(course, unit, today=TODAY, due_mode=Assignment.DueMode.AFTER_HIRE, due_days=14)

    # Someone hired long ago is not overdue on day one: the days count from the assignment.
    assert due(veteran, course) == end_of(date(2026, 3, 15))
    assert due(recent, course) == end_of(date(2026, 3, 15))  # 20 Feb + 14 < 1 Mar + 14
    assert due(starting_later, course) == end_of(date(2026, 4, 29))
    assert due(no_date, course) == end_of(date(2026, 3, 15))


def test_due_on_a_fixed_date(unit, course):
    person = staff_member(unit)
    assign_course(
        course,
        unit,
        today=TODAY,
        due_mode=Assignment.DueMode.FIXED,
        due_date=date(2026, 6, 30),
        due_days=None,
    )
    assert due(person, course) == end_of(date(2026, 6, 30))


def test_the_clock_gives_today_when_no_date_is_passed(unit, course, time_machine):
    time_machine.move_to(timezone.make_aware(datetime(2026, 5, 4, 9, 0)), tick=False)
    person = staff_member(unit)
    assign_course(course, unit, due_days=10)
    assert due(person, course) == end_of(date(2026, 5, 14))


def test_hired_after_takes_only_those_hired_after_the_date(unit, course):
    on_the_day = staff_member(unit, hire_date=date(2025, 1, 1))
    day_after = staff_member(unit, hire_date=date(2025, 1, 2))
    unknown = staff_member(unit, hire_date=None)

    assign_course(course, unit, today=TODAY, hired_after=date(2025, 1, 1))

    enrolled = set(Enrolment.objects.values_list("user_id", flat=True))
    assert enrolled == {day_after.pk}
    assert on_the_day.pk not in enrolled and unknown.pk not in enrolled


@pytest.mark.parametrize(
    ("audience", "expected"),
    [
        (Assignment.Audience.MANAGERS, {"chef"}),
        (Assignment.Audience.STAFF, {"personal"}),
        (Assignment.Audience.ALL, {"chef", "personal"}),
    ],
)
def test_managers_only_staff_only_or_all(unit, course, audience, expected):
    staff_member(unit, username="chef", is_manager=True)
    staff_member(unit, username="personal")
    assign_course(course, unit, today=TODAY, audience=audience)
    assert set(Enrolment.objects.values_list("user__username", flat=True)) == expected


def test_leavers_and_external_participants_are_not_assigned(unit, course):
    staff_member(unit, username="stays")
    staff_member(unit, username="leaves-later", leave_date=date(2026, 6, 30))
    staff_member(unit, username="left", leave_date=date(2026, 2, 28))
    staff_member(unit, username="leaves-today", leave_date=TODAY)
    staff_member(unit, username="consultant", external=True)

    assign_course(course, unit, today=TODAY)

    assert set(Enrolment.objects.values_list("user__username", flat=True)) == {
        "stays",
        "leaves-later",
    }


def test_the_audience_is_the_whole_subtree_and_each_person_once(course):
    kommun = org_unit("Kommun")
    upper = org_unit("Förvaltning", kommun)
    lower = org_unit("Enhet", upper)
    other = org_unit("Annan förvaltning", kommun)
    upper.refresh_from_db()
    lower.refresh_from_db()
    in_lower = staff_member(lower, also_in=[upper])  # two places, both covered
    outside = staff_member(other)
    assignment = Assignment.objects.create(course=course, unit=upper, due_days=30)

    assert list(audience_profiles([assignment], today=TODAY).values_list("user_id", flat=True)) == [
        in_lower.pk
    ]
    assert compliance.apply_assignment(assignment, today=TODAY) == 1
    assert not Enrolment.objects.filter(user=outside).exists()


def test_applying_again_changes_nothing(unit, course):
    people = [staff_member(unit) for _ in range(3)]
    assignment = assign_course(course, unit, today=TODAY, due_days=30)
    before = list(Enrolment.objects.order_by("pk").values_list("pk", "user_id", "due_at"))

    assert compliance.apply_assignment(assignment, today=TODAY + timedelta(days=5)) == 0
    assert compliance.apply_assignment(assignment, today=TODAY + timedelta(days=5)) == 0

    after = list(Enrolment.objects.order_by("pk").values_list("pk", "user_id", "due_at"))
    assert after == before
    assert len(after) == len(people)


def test_an_inactive_assignment_enrols_nobody(unit, course):
    staff_member(unit)
    assert assign_course(course, unit, today=TODAY, active=False) is not None
    assert not Enrolment.objects.exists()


def test_a_self_enrolment_is_taken_over_with_a_due_date(unit, course):
    person = staff_member(unit)
    lms.enrol_learner(person, course=course, source=Enrolment.Source.ADMIN)
    assignment = assign_course(course, unit, today=TODAY, due_days=30)

    enrolment = Enrolment.objects.get(user=person)
    assert enrolment.assignment == assignment
    assert enrolment.source == Enrolment.Source.ASSIGNMENT
    assert enrolment.due_at == end_of(date(2026, 3, 31))


def test_new_people_get_the_enrolment_with_their_own_due_date(unit, course):
    assign_course(course, unit, today=TODAY, due_days=30)
    newcomer = staff_member(unit, hire_date=date(2026, 4, 1))
    moved_elsewhere = staff_member(org_unit("Annan kommun"))

    enrolled = compliance.sync_assignments_for_users(
        [newcomer.pk, moved_elsewhere.pk], today=date(2026, 4, 1)
    )

    assert enrolled == 1
    assert due(newcomer, course) == end_of(date(2026, 5, 1))
    assert not Enrolment.objects.filter(user=moved_elsewhere).exists()
    assert compliance.sync_assignments_for_users([newcomer.pk], today=date(2026, 4, 2)) == 0


def test_due_date_for_after_hire_with_a_future_hire_date():
    assignment = Assignment(due_mode=Assignment.DueMode.AFTER_HIRE, due_days=30)
    profile = LearnerProfile(hire_date=date(2026, 9, 1))
    assert due_date_for(assignment, profile, start=TODAY) == end_of(date(2026, 10, 1))


# --- Recurrence -------------------------------------------------------------------------


@pytest.fixture
def recurring(unit, course):
    person = staff_member(unit)
    assignment = assign_course(
        course, unit, today=date(2025, 3, 1), due_days=30, recurrence_months=12
    )
    course_completed(person, course, when=at(2025, 3, 20))
    return person, assignment


def test_a_recurring_assignment_starts_cycle_two_after_m_months_and_not_before(recurring, course):
    person, _assignment = recurring

    assert compliance.renew_recurring_assignments(today=date(2026, 3, 19)) == 0
    assert Enrolment.objects.get(user=person).cycle == 1

    assert compliance.renew_recurring_assignments(today=date(2026, 3, 20)) == 1
    enrolment = Enrolment.objects.get(user=person)
    assert enrolment.cycle == 2
    assert enrolment.status == Enrolment.Status.ACTIVE
    assert enrolment.completed_at is None
    assert enrolment.due_at == end_of(date(2026, 4, 19))  # 30 days from the new cycle
    # The completion of cycle 1 stays as history.
    assert Completion.objects.filter(user=person, cycle=1).exists()

    # Run again (the job is daily, and may run twice): nothing more happens.
    assert compliance.renew_recurring_assignments(today=date(2026, 3, 20)) == 0
    assert compliance.renew_recurring_assignments(today=date(2026, 3, 21)) == 0
    assert Enrolment.objects.get(user=person).cycle == 2


def test_the_renewal_run_by_two_workers_at_once_starts_one_new_cycle(recurring, monkeypatch):
    """Two workers run the daily renewal at the same moment (the task queued twice): both
    read the completed enrolment before either writes. The second finds it renewed once
    it gets the row, and starts no third cycle."""
    from wagtail_learning.compliance import assignments

    person, _assignment = recurring
    original = assignments.start_new_cycle
    results = []

    def other_worker_first(enrolment, **kwargs):
        monkeypatch.setattr(assignments, "start_new_cycle", original)
        results.append(compliance.renew_recurring_assignments(today=date(2026, 3, 20)))
        return original(enrolment, **kwargs)

    monkeypatch.setattr(assignments, "start_new_cycle", other_worker_first)
    results.append(compliance.renew_recurring_assignments(today=date(2026, 3, 20)))

    assert results == [1, 0]  # the other worker renewed; this one found it done
    enrolment = Enrolment.objects.get(user=person)
    assert (enrolment.cycle, enrolment.status) == (2, Enrolment.Status.ACTIVE)


def test_a_course_completed_in_cycle_two_is_renewed_again_a_period_later(recurring, course):
    person, _assignment = recurring
    compliance.renew_recurring_assignments(today=date(2026, 3, 20))
    course_completed(person, course, when=at(2026, 4, 2))

    assert compliance.renew_recurring_assignments(today=date(2027, 4, 1)) == 0
    assert compliance.renew_recurring_assignments(today=date(2027, 4, 2)) == 1
    assert Enrolment.objects.get(user=person).cycle == 3


def test_a_one_off_assignment_is_never_renewed(unit, course):
    person = staff_member(unit)
    assign_course(course, unit, today=date(2020, 1, 1))
    course_completed(person, course, when=at(2020, 1, 10))
    assert compliance.renew_recurring_assignments(today=date(2026, 3, 1)) == 0


def test_a_leaver_is_not_recertified(recurring, course):
    person, _assignment = recurring
    LearnerProfile.objects.filter(user=person).update(leave_date=date(2026, 1, 31))

    assert compliance.renew_recurring_assignments(today=date(2026, 3, 20)) == 0
    assert Enrolment.objects.get(user=person).cycle == 1


# --- The matrix against the hand count (see conftest.py) -----------------------------------


def test_the_municipality_matrix_matches_the_hand_count(world, hr_a):
    matrix = get_compliance_matrix(user=hr_a, parent=world.units.kommun, now=NOW)
    c1, c2 = world.c1, world.c2

    # Columns sorted by title; C1's target is 60 %, C2's 50 % with a 12-month recurrence.
    assert [(c.title, c.target, c.recurrence_months) for c in matrix.courses] == [
        ("Brandskydd", 50, 12),
        ("Likabehandling", 60, None),
    ]
    assert [(r.label, r.direct) for r in matrix.rows] == [
        ("Förvaltning 1", False),
        ("Förvaltning 2", False),
        ("Kommun A", True),  # Olivia, placed directly in the municipality
    ]
    f1 = row_named(matrix, "Förvaltning 1")
    f2 = row_named(matrix, "Förvaltning 2")
    direct = row_named(matrix, "Kommun A", direct=True)

    # (audience, compliant, overdue, in progress)
    # C1, Förvaltning 1: Anna (in 1a and 1b, once), Bo, Cilla, David, Fredrik, Greta,
    # Hassan = 7; Eva has left and Ida is external. Compliant: Anna, Bo, Fredrik. Overdue:
    # David, Greta (Greta has progress, but overdue wins). In progress: Cilla.
    assert cells(f1, c1) == (7, 3, 2, 1)
    # C1, Förvaltning 2: Fredrik (also in 1b), Johan, Karin, Leo, Maja, Nils (placed in the
    # administration itself) = 6. Compliant: Fredrik, Johan, Maja (2024, C1 never expires),
    # Nils. In progress: Karin.
    assert cells(f2, c1) == (6, 4, 0, 1)
    assert cells(direct, c1) == (1, 0, 0, 0)  # Olivia, not started
    # The total counts Fredrik once although he is in both rows: 7 + 6 + 1 - 1 = 13.
    # Compliant 3 + 4 - 1 (Fredrik) = 6.
    assert cells(matrix.total, c1) == (13, 6, 2, 2)

    # C2 is assigned to Förvaltning 1 only: the same 7 people. Compliant: Anna (Oct 2025,
    # valid 12 months). Bo's Feb 2025 completion has expired (cycle 2, not started; his
    # cycle-1 steps do not count as progress). Overdue: David. In progress: Fredrik.
    assert cells(f1, c2) == (7, 1, 1, 1)
    # Fredrik's place in Enhet 2a is outside the assignment: nobody in Förvaltning 2.
    assert cells(f2, c2) == (0, 0, 0, 0)
    assert cells(direct, c2) == (0, 0, 0, 0)
    assert cells(matrix.total, c2) == (7, 1, 1, 1)

    # Shares against the target.
    assert round(f1.cells[c1.pk].share, 1) == 42.9 and not f1.cells[c1.pk].meets_target
    assert round(f2.cells[c1.pk].share, 1) == 66.7 and f2.cells[c1.pk].meets_target
    assert round(matrix.total.cells[c1.pk].share, 1) == 46.2
    assert not matrix.total.cells[c1.pk].meets_target
    assert f2.cells[c2.pk].share is None and not f2.cells[c2.pk].meets_target
    # Not started is what is left: C1 total 13 - 6 - 2 - 2 = 3 (Hassan, Leo, Olivia).
    assert matrix.total.cells[c1.pk].remaining == 3


def test_an_administrations_matrix_matches_the_hand_count(world, hr_a):
    matrix = get_compliance_matrix(user=hr_a, parent=world.units.f1, now=NOW)
    e1a = row_named(matrix, "Enhet 1a")
    e1b = row_named(matrix, "Enhet 1b")

    assert [r.label for r in matrix.rows] == ["Enhet 1a", "Enhet 1b"]  # nobody directly in F1
    # Anna is in both units: counted in each row, once in the total (4 + 4 - 1 = 7).
    # C1, 1a: Anna, Bo (compliant), David (overdue), Cilla (in progress); Eva has left.
    assert cells(e1a, world.c1) == (4, 2, 1, 1)
    # C1, 1b: Anna, Fredrik (compliant), Greta (overdue), Hassan; Ida is external.
    assert cells(e1b, world.c1) == (4, 2, 1, 0)
    assert cells(matrix.total, world.c1) == (7, 3, 2, 1)
    # C2, 1a: Anna (compliant), David (overdue), Bo (expired), Cilla.
    assert cells(e1a, world.c2) == (4, 1, 1, 0)
    # C2, 1b: Anna (compliant), Fredrik (in progress), Greta, Hassan.
    assert cells(e1b, world.c2) == (4, 1, 0, 1)
    assert cells(matrix.total, world.c2) == (7, 1, 1, 1)


def test_a_superuser_sees_every_municipality_as_a_row(world):
    matrix = get_compliance_matrix(user=SuperuserFactory(), now=NOW)

    assert [r.label for r in matrix.rows] == ["Kommun A", "Kommun B"]
    kommun_a, kommun_b = matrix.rows
    assert cells(kommun_a, world.c1) == (13, 6, 2, 2)
    # Kommun B: Britt (compliant) and Bengt (not started, due 31 March).
    assert cells(kommun_b, world.c1) == (2, 1, 0, 0)
    assert cells(matrix.total, world.c1) == (15, 7, 2, 2)
    assert cells(kommun_b, world.c2) == (0, 0, 0, 0)


@pytest.mark.parametrize(
    ("filters", "f1", "f2", "total"),
    [
        # Managers: Anna, Fredrik (F1 and F2), Johan, Olivia; all but Olivia compliant.
        ({"audience": "managers"}, (2, 2, 0, 0), (2, 2, 0, 0), (4, 3, 0, 0)),
        # Staff: Bo, Cilla, David, Greta, Hassan | Karin, Leo, Maja, Nils.
        ({"audience": "staff"}, (5, 1, 2, 1), (4, 2, 0, 1), (9, 3, 2, 2)),
        # Hired on or after 1 Jan 2025: Cilla (June) and Hassan (September), both in F1.
        ({"hired_from": date(2025, 1, 1)}, (2, 0, 0, 1), (0, 0, 0, 0), (2, 0, 0, 1)),
        # Hired on or before 31 Dec 2015: Anna only (May 2015).
        ({"hired_to": date(2015, 12, 31)}, (1, 1, 0, 0), (0, 0, 0, 0), (1, 1, 0, 0)),
    ],
)
def test_filters_narrow_the_matrix(world, hr_a, filters, f1, f2, total):
    matrix = get_compliance_matrix(user=hr_a, parent=world.units.kommun, now=NOW, **filters)
    assert cells(row_named(matrix, "Förvaltning 1"), world.c1) == f1
    assert cells(row_named(matrix, "Förvaltning 2"), world.c1) == f2
    assert cells(matrix.total, world.c1) == total


def test_the_course_filter_keeps_one_column(world, hr_a):
    matrix = get_compliance_matrix(
        user=hr_a, parent=world.units.kommun, course_ids=[world.c2.pk], now=NOW
    )
    assert [c.course_id for c in matrix.courses] == [world.c2.pk]


def test_a_managers_only_assignment_counts_managers_only(world, hr_a):
    course, _module = course_with_module("Chefsutbildning")
    assign_course(
        course,
        world.units.kommun,
        today=date(2026, 3, 1),
        audience=Assignment.Audience.MANAGERS,
    )
    matrix = get_compliance_matrix(user=hr_a, parent=world.units.kommun, now=NOW)
    # Anna and Fredrik | Fredrik and Johan | Olivia: 4 managers, none started; the managers
    # due 31 March are not overdue yet.
    assert cells(row_named(matrix, "Förvaltning 1"), course) == (2, 0, 0, 0)
    assert cells(row_named(matrix, "Förvaltning 2"), course) == (2, 0, 0, 0)
    assert cells(matrix.total, course) == (4, 0, 0, 0)


def test_an_expired_completion_stops_counting_the_day_it_expires(world, hr_a):
    anna_expires = at(2026, 10, 1)
    before = get_compliance_matrix(
        user=hr_a, parent=world.units.f1, now=anna_expires - timedelta(minutes=1)
    )
    after = get_compliance_matrix(user=hr_a, parent=world.units.f1, now=anna_expires)
    assert before.total.cells[world.c2.pk].compliant == 1
    assert after.total.cells[world.c2.pk].compliant == 0


def test_a_unit_outside_the_scope_is_refused(world, hr_a):
    with pytest.raises(AccessDenied):
        get_compliance_matrix(user=hr_a, parent=world.units.b1, now=NOW)
    with pytest.raises(AccessDenied):
        get_unit_people(user=hr_a, unit=world.units.kommun_b, course_id=world.c1.pk, now=NOW)
    with pytest.raises(AccessDenied):
        get_compliance_history(user=hr_a, unit=world.units.kommun_b, course_id=world.c1.pk, now=NOW)


# --- People and their statuses -------------------------------------------------------------


def statuses(people):
    return {p.name.split()[0]: p.status for p in people}


def test_people_of_an_administration_with_their_statuses(world, hr_a):
    people = get_unit_people(user=hr_a, unit=world.units.f1, course_id=world.c2.pk, now=NOW)
    by_name = {p.name: p for p in people}

    # Sorted by surname; Anna once, though she is in two units.
    assert [p.name for p in people] == [
        "Anna Ahl",
        "Bo Berg",
        "Cilla Carlsson",
        "David Dahl",
        "Fredrik Forsberg",
        "Greta Gustafsson",
        "Hassan Holm",
    ]
    assert statuses(people) == {
        "Anna": "compliant",
        "Bo": "expired",
        "Cilla": "not_started",
        "David": "overdue",
        "Fredrik": "in_progress",
        "Greta": "not_started",
        "Hassan": "not_started",
    }
    anna = by_name["Anna Ahl"]
    assert (anna.completed_at, anna.expires_at, anna.percent) == (
        at(2025, 10, 1),
        at(2026, 10, 1),
        100,
    )
    assert anna.is_manager and anna.unit == "Enhet 1a"
    bo = by_name["Bo Berg"]
    assert (bo.completed_at, bo.expires_at) == (at(2025, 2, 1), at(2026, 2, 1))
    assert by_name["David Dahl"].due_at == at(2026, 3, 10, 23)
    assert by_name["Fredrik Forsberg"].percent == 50  # one of two steps


def test_people_statuses_for_a_course_that_never_expires(world, hr_a):
    people = get_unit_people(user=hr_a, unit=world.units.e2a, course_id=world.c1.pk, now=NOW)
    assert statuses(people) == {
        "Fredrik": "compliant",
        "Johan": "compliant",
        "Karin": "in_progress",
        "Leo": "not_started",
        "Maja": "compliant",
    }
    maja = next(p for p in people if p.name.startswith("Maja"))
    assert maja.expires_at is None and maja.completed_at == at(2024, 5, 1)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"status": "overdue"}, ["David"]),
        ({"status": "expired"}, ["Bo"]),
        ({"status": "compliant"}, ["Anna"]),
        ({"status": "in_progress"}, ["Fredrik"]),
        ({"status": "not_started"}, ["Cilla", "Greta", "Hassan"]),
        ({"audience": "managers"}, ["Anna", "Fredrik"]),
        ({"audience": "staff"}, ["Bo", "Cilla", "David", "Greta", "Hassan"]),
        ({"hired_from": date(2025, 1, 1)}, ["Cilla", "Hassan"]),
        ({"hired_to": date(2015, 12, 31)}, ["Anna"]),
        ({"status": "not_started", "hired_from": date(2025, 7, 1)}, ["Hassan"]),
    ],
)
def test_people_filters(world, hr_a, kwargs, expected):
    people = get_unit_people(
        user=hr_a, unit=world.units.f1, course_id=world.c2.pk, now=NOW, **kwargs
    )
    assert [p.name.split()[0] for p in people] == expected


def test_people_counts_agree_with_every_cell_of_the_matrix(world, hr_a):
    """The drill-down shows the same people the cell counts: what the matrix leaves as the
    rest is 'not started' or 'expired' in the list."""
    for parent in (world.units.kommun, world.units.f1, world.units.f2):
        matrix = get_compliance_matrix(user=hr_a, parent=parent, now=NOW)
        for row in [*matrix.rows, matrix.total]:
            unit = row.unit if not row.direct else None
            if unit is None:
                continue
            for column in matrix.courses:
                people = get_unit_people(user=hr_a, unit=unit, course_id=column.course_id, now=NOW)
                assert_agree(row.cells[column.course_id], people, f"{row.label}/{column.title}")


def assert_agree(cell, people, where):
    found = [p.status for p in people]
    assert len(people) == cell.audience, where
    assert found.count("compliant") == cell.compliant, where
    assert found.count("overdue") == cell.overdue, where
    assert found.count("in_progress") == cell.in_progress, where
    assert found.count("not_started") + found.count("expired") == cell.remaining, where


@pytest.fixture
def single(unit, course):
    """One person, one course with two steps, assigned on 1 March 2026 (due 31 March)."""
    person = staff_member(unit, first_name="Sam", last_name="Solo")
    assign_course(course, unit, today=TODAY, due_days=30, recurrence_months=12)
    return person


def agree_for(single, unit, course, now):
    admin = SuperuserFactory()
    matrix = get_compliance_matrix(user=admin, parent=unit.get_parent(), now=now)
    people = get_unit_people(user=admin, unit=unit, course_id=course.pk, now=now)
    assert_agree(matrix.rows[0].cells[course.pk], people, "Enhet")
    return people[0]


def test_a_step_started_but_not_finished_is_in_progress_in_both(single, unit, course):
    module = course.specific.get_lms_modules()[0]
    step_progress(single, module, index=0)  # half-way through a lecture, say
    person = agree_for(single, unit, course, NOW)
    assert (person.status, person.percent) == ("in_progress", 0)


def test_recertification_in_progress_is_in_progress_in_both(single, unit, course):
    module = course.specific.get_lms_modules()[0]
    course_completed(single, course, when=at(2025, 3, 1))
    Enrolment.objects.filter(user=single).update(
        status=Enrolment.Status.COMPLETED, completed_at=at(2025, 3, 1)
    )
    compliance.renew_recurring_assignments(today=date(2026, 3, 1))
    step_progress(single, module, index=0, cycle=2, completed_at=at(2026, 3, 5))
    person = agree_for(single, unit, course, NOW)
    assert (person.status, person.percent) == ("in_progress", 50)


def test_an_expired_completion_past_its_old_due_date_is_expired_not_overdue(single, unit, course):
    # Completed on time in cycle 1 (due 31 March 2026); a year later, before the daily
    # renewal has started cycle 2, the old due date is long past.
    course_completed(single, course, when=at(2026, 3, 20))
    person = agree_for(single, unit, course, at(2027, 3, 25))
    assert person.status == "expired"


def test_compliance_over_time(world, hr_a):
    points = get_compliance_history(
        user=hr_a, unit=world.units.kommun, course_id=world.c1.pk, months=3, now=NOW
    )
    assert [when for when, _share in points][-1] == NOW
    assert len(points) == 3
    shares = [None if share is None else round(share, 1) for _when, share in points]
    # Today's audience of 13: end of January only Maja (1/13); end of February still Maja
    # (Eva and Ida do not count); now 6/13.
    assert shares == [7.7, 7.7, 46.2]
