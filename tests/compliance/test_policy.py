"""The compliance rules of compliance/policy.py on small, hand-counted organisations: who an
assignment covers, which terms win when assignments overlap, and that the matrix, the
people list and the history, which all read these rules, agree."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

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
from tests.hr.conftest import course_with_module
from wagtail_learning.compliance import api as compliance
from wagtail_learning.compliance.models import Assignment
from wagtail_learning.compliance.policy import (
    Terms,
    audience_profiles,
    course_rules,
    expires_at,
    expiry_cutoff,
    winning_terms,
)
from wagtail_learning.compliance.reports import (
    get_compliance_history,
    get_compliance_matrix,
    get_unit_people,
)
from wagtail_learning.compliance.vocabulary import ComplianceStatus
from wagtail_learning.lms.models import Enrolment

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime(2026, 3, 16, 12, 0))
TODAY = NOW.date()
ASSIGNED_ON = date(2026, 3, 1)  # due 30 days later: 31 March, not overdue yet


def at(year: int, month: int, day: int) -> datetime:
    return timezone.make_aware(datetime(year, month, day, 12, 0))


def names(profiles) -> set[str]:
    return {p.user.first_name for p in profiles.select_related("user")}


def person(unit, first_name: str, **kwargs):
    kwargs.setdefault("hire_date", date(2018, 1, 1))
    return staff_member(unit, first_name=first_name, last_name="Test", **kwargs)


@pytest.fixture
def unit():
    kommun = org_unit("Kommun")
    enhet = org_unit("Enhet", kommun)
    kommun.refresh_from_db()
    return enhet


@pytest.fixture
def course():
    return course_with_module("Dataskydd")[0]


def assignment(course, unit, **fields) -> Assignment:
    """An assignment, not applied: the rules are read, nobody is enrolled."""
    fields.setdefault("due_days", 30)
    return Assignment.objects.create(course=course, unit=unit, **fields)


def matrix_cell(unit, course, **filters):
    """The cell of `unit` (a row of its parent's matrix) for `course`."""
    matrix = get_compliance_matrix(
        user=SuperuserFactory(), parent=unit.get_parent(), now=NOW, **filters
    )
    row = next(r for r in matrix.rows if r.unit == unit and not r.direct)
    return row.cells[course.pk]


# --- Who an assignment covers -----------------------------------------------------------------


def test_staff_only_excludes_managers_and_managers_only_excludes_staff(unit, course):
    person(unit, "Anna", is_manager=True)
    person(unit, "Bo")
    person(unit, "Cilla")

    staff = assignment(course, unit, audience=Assignment.Audience.STAFF)
    managers = assignment(course, unit, audience=Assignment.Audience.MANAGERS)
    everyone = assignment(course, unit, audience=Assignment.Audience.ALL)

    assert names(audience_profiles([staff], today=TODAY)) == {"Bo", "Cilla"}
    assert names(audience_profiles([managers], today=TODAY)) == {"Anna"}
    assert names(audience_profiles([everyone], today=TODAY)) == {"Anna", "Bo", "Cilla"}
    # Two assignments together cover whom either covers.
    assert names(audience_profiles([staff, managers], today=TODAY)) == {"Anna", "Bo", "Cilla"}


def test_external_participants_are_in_no_audience(unit, course):
    person(unit, "Bo")
    person(unit, "Ida", external=True)

    assert names(audience_profiles([assignment(course, unit)], today=TODAY)) == {"Bo"}


def test_hired_after_excludes_people_hired_on_that_date_and_includes_the_next_day(unit, course):
    person(unit, "Before", hire_date=date(2025, 5, 31))
    person(unit, "On", hire_date=date(2025, 6, 1))
    person(unit, "After", hire_date=date(2025, 6, 2))
    person(unit, "Unknown", hire_date=None)

    newcomers = assignment(course, unit, hired_after=date(2025, 6, 1))

    assert names(audience_profiles([newcomers], today=TODAY)) == {"After"}
    assign_course(course, unit, today=ASSIGNED_ON, hired_after=date(2025, 6, 1))
    assert set(
        Enrolment.objects.filter(course_id=course.pk).values_list("user__first_name", flat=True)
    ) == {"After"}


def test_the_reports_hired_from_and_hired_to_include_their_dates(unit, course):
    """The report filter is another rule with another name: both ends are included."""
    person(unit, "Before", hire_date=date(2025, 5, 31))
    person(unit, "On", hire_date=date(2025, 6, 1))
    person(unit, "After", hire_date=date(2025, 6, 2))
    assign_course(course, unit, today=ASSIGNED_ON)
    admin = SuperuserFactory()

    def people(**filters):
        found = get_unit_people(user=admin, unit=unit, course_id=course.pk, now=NOW, **filters)
        return {p.name.split()[0] for p in found}

    assert people(hired_from=date(2025, 6, 1)) == {"On", "After"}
    assert people(hired_to=date(2025, 6, 1)) == {"Before", "On"}
    assert people(hired_from=date(2025, 6, 1), hired_to=date(2025, 6, 1)) == {"On"}
    assert matrix_cell(unit, course, hired_from=date(2025, 6, 1)).audience == 2
    assert matrix_cell(unit, course, hired_to=date(2025, 6, 1)).audience == 2


def test_a_person_leaving_today_is_not_in_the_audience_leaving_tomorrow_is(unit, course):
    person(unit, "Yesterday", leave_date=TODAY - timedelta(days=1))
    person(unit, "Today", leave_date=TODAY)
    person(unit, "Tomorrow", leave_date=TODAY + timedelta(days=1))
    person(unit, "Staying")

    everyone = assignment(course, unit)
    assert names(audience_profiles([everyone], today=TODAY)) == {"Tomorrow", "Staying"}

    # The assignment enrols, and the reports count, the same two.
    assert compliance.apply_assignment(everyone, today=TODAY) == 2
    assert matrix_cell(unit, course).audience == 2
    admin = SuperuserFactory()
    listed = get_unit_people(user=admin, unit=unit, course_id=course.pk, now=NOW)
    assert {p.name.split()[0] for p in listed} == {"Tomorrow", "Staying"}


# --- Overlapping assignments -----------------------------------------------------------------


@pytest.fixture
def overlapping():
    """Dataskydd assigned three times over Enhet E:

        Kommun              target 60 %, once (never expires)
        ├── Förvaltning     target 80 %, every 12 months
        │   └── Enhet E     target 70 %, every 24 months: Petra, Quentin
        └── Enhet R         (nothing of its own): Rut

    Petra completed 16 January 2025: valid for 24 months or for good, expired for 12.
    Quentin completed 1 December 2025: valid under every assignment.
    Rut completed 16 January 2025 too, but only the municipality's assignment covers her:
    the 12 months of an administration she is not in do not shorten hers.
    """
    kommun = org_unit("Kommun")
    enhet_r = org_unit("Enhet R", kommun)
    forvaltning = org_unit("Förvaltning", kommun)
    enhet = org_unit("Enhet E", forvaltning)
    for place in (kommun, forvaltning, enhet, enhet_r):
        place.refresh_from_db()
    course, _module = course_with_module("Dataskydd")
    petra = person(enhet, "Petra")
    quentin = person(enhet, "Quentin")
    rut = person(enhet_r, "Rut")
    for who, when in ((petra, at(2025, 1, 16)), (quentin, at(2025, 12, 1)), (rut, at(2025, 1, 16))):
        course_completed(who, course, when=when)
    assign_course(course, kommun, today=ASSIGNED_ON, target_share=60)
    assign_course(course, forvaltning, today=ASSIGNED_ON, target_share=80, recurrence_months=12)
    assign_course(course, enhet, today=ASSIGNED_ON, target_share=70, recurrence_months=24)
    return forvaltning, enhet, course


def test_the_highest_target_and_the_shortest_recurrence_win(overlapping):
    forvaltning, enhet, course = overlapping
    for unit in (forvaltning, enhet):
        rule = course_rules([unit])[course.pk]
        assert len(rule.concerning) == 3
        expected = Terms(target=80, recurrence_months=12)
        assert rule.terms == winning_terms(rule.concerning) == expected


def test_the_matrix_the_people_list_and_the_history_agree_on_the_winning_terms(overlapping):
    forvaltning, enhet, course = overlapping
    admin = SuperuserFactory()

    matrix = get_compliance_matrix(user=admin, parent=forvaltning, now=NOW)
    [column] = matrix.courses
    assert (column.target, column.recurrence_months) == (80, 12)
    cell = matrix.rows[0].cells[course.pk]
    # Quentin compliant; Petra's completion is older than 12 months: expired.
    assert (cell.audience, cell.compliant, cell.remaining, cell.target) == (2, 1, 1, 80)
    assert not cell.meets_target  # 50 % against 80 %

    people = {
        p.name.split()[0]: p
        for p in get_unit_people(user=admin, unit=enhet, course_id=course.pk, now=NOW)
    }
    assert people["Petra"].status == ComplianceStatus.EXPIRED
    assert people["Petra"].expires_at == at(2026, 1, 16)  # 12 months, not 24
    assert people["Quentin"].status == ComplianceStatus.COMPLIANT
    assert people["Quentin"].expires_at == at(2026, 12, 1)

    # End of December both were valid; Petra's completion expired on 16 January.
    history = get_compliance_history(user=admin, unit=enhet, course_id=course.pk, months=4, now=NOW)
    assert [share for _when, share in history] == [100.0, 50.0, 50.0, 50.0]


def test_a_recurrence_applies_only_to_the_people_its_assignment_covers(overlapping):
    forvaltning, enhet, course = overlapping
    kommun = forvaltning.get_parent()
    admin = SuperuserFactory()

    matrix = get_compliance_matrix(user=admin, parent=kommun, now=NOW)
    [column] = matrix.courses
    assert (column.target, column.recurrence_months) == (80, 12)  # the strictest in view
    rows = {r.label: r.cells[course.pk] for r in matrix.rows}
    assert (rows["Förvaltning"].compliant, rows["Förvaltning"].remaining) == (1, 1)
    assert (rows["Enhet R"].compliant, rows["Enhet R"].remaining) == (1, 0)  # Rut: for good
    total = matrix.total.cells[course.pk]
    assert (total.audience, total.compliant, total.remaining) == (3, 2, 1)

    people = get_unit_people(user=admin, unit=kommun, course_id=course.pk, now=NOW)
    assert {p.name.split()[0]: (p.status, p.expires_at) for p in people} == {
        "Petra": (ComplianceStatus.EXPIRED, at(2026, 1, 16)),
        "Quentin": (ComplianceStatus.COMPLIANT, at(2026, 12, 1)),
        "Rut": (ComplianceStatus.COMPLIANT, None),
    }
    history = get_compliance_history(
        user=admin, unit=kommun, course_id=course.pk, months=2, now=NOW
    )
    assert [round(share, 1) for _when, share in history] == [66.7, 66.7]


def test_expiry_cutoff_and_valid_until():
    assert expiry_cutoff(None, NOW) is None
    assert expiry_cutoff(12, NOW) == at(2025, 3, 16)
    assert expires_at(at(2025, 3, 16), 12) == at(2026, 3, 16)
    assert expires_at(at(2025, 3, 16), None) is None
    assert expires_at(None, 12) is None


# --- Counting each person once ------------------------------------------------------------------


def test_a_person_in_two_units_is_counted_once_in_overdue_and_in_progress(course):
    kommun = org_unit("Kommun")
    forvaltning = org_unit("Förvaltning", kommun)
    a = org_unit("Enhet A", forvaltning)
    b = org_unit("Enhet B", forvaltning)
    for place in (kommun, forvaltning, a, b):
        place.refresh_from_db()
    module = course.specific.get_lms_modules()[0]
    late = person(a, "Late", also_in=[b])
    busy = person(a, "Busy", also_in=[b])
    person(b, "Idle")
    assign_course(course, kommun, today=ASSIGNED_ON)
    Enrolment.objects.filter(user=late).update(due_at=at(2026, 3, 10))
    step_progress(busy, module, index=0, completed_at=at(2026, 3, 12))
    admin = SuperuserFactory()

    def counts(cell):
        return (cell.audience, cell.overdue, cell.in_progress, cell.remaining)

    by_forvaltning = get_compliance_matrix(user=admin, parent=forvaltning, now=NOW)
    rows = {r.label: r for r in by_forvaltning.rows}
    assert counts(rows["Enhet A"].cells[course.pk]) == (2, 1, 1, 0)
    assert counts(rows["Enhet B"].cells[course.pk]) == (3, 1, 1, 1)
    # Both units summed would say 2 overdue and 2 in progress: the total counts people.
    assert counts(by_forvaltning.total.cells[course.pk]) == (3, 1, 1, 1)
    # One level up, the administration's row holds both of their memberships: once each.
    by_kommun = get_compliance_matrix(user=admin, parent=kommun, now=NOW)
    assert counts(by_kommun.rows[0].cells[course.pk]) == (3, 1, 1, 1)


# --- The matrix and the people list agree, on any organisation ----------------------------------


def mixed_organisation(seed: int):
    """A random but reproducible municipality: two administrations of two units each, 14
    people (some in two units, managers, leavers, an external, varied hire dates), one
    course assigned once or twice with varied audiences, recurrences and hire-date limits,
    and every kind of progress: none, a step started, a step done, completed recently or
    long ago, past due, renewed into a new cycle."""
    rng = random.Random(seed)
    kommun = org_unit(f"Kommun {seed}")
    forvaltningar = [org_unit(f"Förvaltning {i}", kommun) for i in (1, 2)]
    enheter = [org_unit(f"Enhet {i}{x}", f) for i, f in enumerate(forvaltningar, 1) for x in "ab"]
    for place in (kommun, *forvaltningar, *enheter):
        place.refresh_from_db()
    places = [*enheter, forvaltningar[1]]
    course, module = course_with_module(f"Kurs {seed}")
    people = []
    for i in range(14):
        home = rng.choice(places)
        others = [p for p in enheter if p != home]
        people.append(
            person(
                home,
                f"P{i:02d}",
                also_in=[rng.choice(others)] if rng.random() < 0.25 else [],
                is_manager=rng.random() < 0.3,
                hire_date=date(2015 + rng.randrange(11), rng.randrange(1, 13), 1),
                leave_date=rng.choice([None] * 6 + [TODAY, TODAY + timedelta(days=1)]),
                external=rng.random() < 0.08,
            )
        )
    for person_ in people:  # done before the assignments, as in a real take-over
        if rng.random() < 0.2:
            course_completed(person_, course, when=at(2024, rng.randrange(1, 13), 1))
    audiences = list(Assignment.Audience.values)
    assign_course(
        course,
        kommun,
        today=ASSIGNED_ON,
        audience=rng.choice(audiences),
        recurrence_months=rng.choice([None, 12, 24]),
        target_share=rng.choice([50, 80]),
    )
    if rng.random() < 0.7:
        assign_course(
            course,
            rng.choice(forvaltningar),
            today=ASSIGNED_ON,
            audience=rng.choice(audiences),
            recurrence_months=rng.choice([None, 6, 12]),
            hired_after=rng.choice([None, date(2020, 1, 1)]),
        )
    compliance.renew_recurring_assignments(today=TODAY)
    for person_ in people:
        enrolment = Enrolment.objects.filter(user=person_, course_id=course.pk).first()
        if enrolment is None or enrolment.status != Enrolment.Status.ACTIVE:
            continue
        what = rng.choice(["none", "started", "step", "completed", "none"])
        if what == "started":
            step_progress(person_, module, index=0, cycle=enrolment.cycle)
        elif what == "step":
            step_progress(person_, module, index=1, cycle=enrolment.cycle, completed_at=NOW)
        elif what == "completed":
            course_completed(person_, course, when=at(2026, 3, rng.randrange(2, 15)))
        if rng.random() < 0.35:
            Enrolment.objects.filter(pk=enrolment.pk).update(due_at=at(2026, 3, 10))
    return kommun, course


def test_every_cell_counts_what_its_drill_down_lists():
    """Over several random organisations, every cell of every matrix (the municipality's
    and each administration's) counts the people its drill-down lists: compliant, overdue and
    in progress one by one, and the rest (not started or expired)."""
    admin = SuperuserFactory()
    seen = set()
    for seed in (1, 2, 3, 4, 5):
        kommun, course = mixed_organisation(seed)
        for parent in (kommun, *kommun.get_children()):
            matrix = get_compliance_matrix(user=admin, parent=parent, now=NOW)
            for row in [*matrix.rows, matrix.total]:
                if row.direct:
                    continue  # "placed directly" has no drill-down of its own
                cell = row.cells[course.pk]
                people = get_unit_people(user=admin, unit=row.unit, course_id=course.pk, now=NOW)
                listed = [p.status for p in people]
                where = f"seed {seed}, {row.unit.name}"
                assert len(people) == cell.audience, where
                for status in (
                    ComplianceStatus.COMPLIANT,
                    ComplianceStatus.OVERDUE,
                    ComplianceStatus.IN_PROGRESS,
                ):
                    assert listed.count(status) == getattr(cell, status.value), where
                rest = [ComplianceStatus.NOT_STARTED, ComplianceStatus.EXPIRED]
                assert sum(listed.count(s) for s in rest) == cell.remaining, where
                seen.update(listed)
                # The status filter lists exactly the people the cell counts.
                overdue = get_unit_people(
                    user=admin,
                    unit=row.unit,
                    course_id=course.pk,
                    status=ComplianceStatus.OVERDUE,
                    now=NOW,
                )
                assert len(overdue) == cell.overdue, where
    assert seen == set(ComplianceStatus), f"never produced: {set(ComplianceStatus) - seen}"
