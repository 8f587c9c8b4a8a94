"""The hand-counted municipality the HR report tests read, on a frozen clock.

    Kommun A
    ├── Förvaltning 1            (C2 "Brandskydd" is assigned here: 12-month recurrence)
    │   ├── Enhet 1a  Anna (manager, also in 1b), Bo, Cilla, David, Eva (left)
    │   └── Enhet 1b  Anna, Fredrik (manager, also in 2a), Greta, Hassan, Ida (external)
    ├── Förvaltning 2            Nils (placed directly in the administration)
    │   └── Enhet 2a  Fredrik, Johan (manager), Karin, Leo, Maja
    └── (directly)    Olivia (manager)
    Kommun B
    └── Enhet B1      Britt, Bengt

C1 "Likabehandling" is assigned to all of Kommun A (target 60 %) and to Kommun B; both
assignments were applied on 1 March 2026; "now" is 16 March 2026, 12:00.

Who has done what (C1 / C2), as of now:
    Anna     completed 5 Mar 2026         / completed 1 Oct 2025 (valid until 1 Oct 2026)
    Bo       completed 10 Mar 2026        / completed 1 Feb 2025: expired; cycle 2 started
    Cilla    one of two steps done        / nothing
    David    due 10 Mar, nothing: overdue / due 10 Mar, one step done: overdue
    Eva      left 28 Feb 2026 (completed C1 before): in no audience
    Fredrik  completed 2 Mar 2026         / one of two steps done (in progress)
    Greta    due 10 Mar, one step done: overdue / nothing
    Hassan   nothing                      / nothing
    Ida      external participant (completed C1): in no audience
    Johan    completed 3 Mar 2026
    Karin    one of two steps done
    Leo      nothing
    Maja     completed 1 May 2024 (C1 does not expire)
    Nils     completed 8 Mar 2026
    Olivia   nothing
"""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

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
from wagtail_learning.compliance import api as compliance
from wagtail_learning.lms.models import Enrolment

NOW = timezone.make_aware(datetime(2026, 3, 16, 12, 0))
ASSIGNED_ON = date(2026, 3, 1)


def at(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime(year, month, day, hour))


@pytest.fixture
def frozen(time_machine):
    """Views read the clock: stop it at NOW."""
    time_machine.move_to(NOW, tick=False)
    return NOW


def course_with_module(title: str):
    course = CoursePageFactory(title=title)
    module = ModulePageFactory(
        parent=course, title=f"{title}: grund", steps=[reading_step("Del 1"), reading_step("Del 2")]
    )
    return course, module


def set_due(user, course, when: datetime) -> None:
    Enrolment.objects.filter(user=user, course_id=course.pk).update(due_at=when)


@pytest.fixture
def world(db):
    kommun = org_unit("Kommun A")
    f1 = org_unit("Förvaltning 1", kommun)
    f2 = org_unit("Förvaltning 2", kommun)
    e1a = org_unit("Enhet 1a", f1)
    e1b = org_unit("Enhet 1b", f1)
    e2a = org_unit("Enhet 2a", f2)
    kommun_b = org_unit("Kommun B")
    b1 = org_unit("Enhet B1", kommun_b)
    for unit in (kommun, f1, f2, e1a, e1b, e2a, kommun_b, b1):
        unit.refresh_from_db()

    def person(first, last, unit, **kwargs):
        kwargs.setdefault("hire_date", date(2018, 1, 1))
        return staff_member(
            unit, first_name=first, last_name=last, username=first.lower(), **kwargs
        )

    people = SimpleNamespace(
        anna=person("Anna", "Ahl", e1a, also_in=[e1b], is_manager=True, hire_date=date(2015, 5, 1)),
        bo=person("Bo", "Berg", e1a),
        cilla=person("Cilla", "Carlsson", e1a, hire_date=date(2025, 6, 1)),
        david=person("David", "Dahl", e1a),
        eva=person("Eva", "Ek", e1a, leave_date=date(2026, 2, 28)),
        fredrik=person("Fredrik", "Forsberg", e1b, also_in=[e2a], is_manager=True),
        greta=person("Greta", "Gustafsson", e1b),
        hassan=person("Hassan", "Holm", e1b, hire_date=date(2025, 9, 1)),
        ida=person("Ida", "Isaksson", e1b, external=True),
        johan=person("Johan", "Jonsson", e2a, is_manager=True),
        karin=person("Karin", "Karlsson", e2a),
        leo=person("Leo", "Lind", e2a),
        maja=person("Maja", "Mohammed", e2a, hire_date=date(2020, 2, 1)),
        nils=person("Nils", "Nyström", f2),
        olivia=person("Olivia", "Olsson", kommun, is_manager=True),
        britt=person("Britt", "Bengtsson", b1),
        bengt=person("Bengt", "Björk", b1),
    )
    p = people
    c1, m1 = course_with_module("Likabehandling")
    c2, m2 = course_with_module("Brandskydd")

    # Done before the assignments existed: the assignment takes these enrolments over.
    course_completed(p.maja, c1, when=at(2024, 5, 1))
    course_completed(p.bo, c2, when=at(2025, 2, 1))
    step_progress(p.bo, m2, index=0, cycle=1, completed_at=at(2025, 2, 1))
    step_progress(p.bo, m2, index=1, cycle=1, completed_at=at(2025, 2, 1))
    course_completed(p.anna, c2, when=at(2025, 10, 1))
    course_completed(p.eva, c1, when=at(2026, 2, 1))
    course_completed(p.ida, c1, when=at(2026, 2, 1))

    a1 = assign_course(c1, kommun, today=ASSIGNED_ON, due_days=30, target_share=60)
    a2 = assign_course(
        c2, f1, today=ASSIGNED_ON, due_days=60, recurrence_months=12, target_share=50
    )
    ab = assign_course(c1, kommun_b, today=ASSIGNED_ON, due_days=30)
    # Bo's completion of C2 is more than 12 months old: the daily job starts cycle 2.
    assert compliance.renew_recurring_assignments(today=NOW.date()) == 1

    for who, day in [
        (p.anna, 5),
        (p.bo, 10),
        (p.fredrik, 2),
        (p.johan, 3),
        (p.nils, 8),
    ]:
        course_completed(who, c1, when=at(2026, 3, day))
    course_completed(p.britt, c1, when=at(2026, 3, 4))
    step_progress(p.cilla, m1, index=0, completed_at=at(2026, 3, 12))
    step_progress(p.karin, m1, index=1, completed_at=at(2026, 3, 11))
    step_progress(p.greta, m1, index=0, completed_at=at(2026, 3, 9))
    step_progress(p.fredrik, m2, index=0, completed_at=at(2026, 3, 14))
    step_progress(p.david, m2, index=0, completed_at=at(2026, 3, 14))
    set_due(p.david, c1, at(2026, 3, 10, 23))
    set_due(p.greta, c1, at(2026, 3, 10, 23))
    set_due(p.david, c2, at(2026, 3, 10, 23))

    return SimpleNamespace(
        units=SimpleNamespace(
            kommun=kommun, f1=f1, f2=f2, e1a=e1a, e1b=e1b, e2a=e2a, kommun_b=kommun_b, b1=b1
        ),
        people=people,
        c1=c1,
        c2=c2,
        m1=m1,
        m2=m2,
        a1=a1,
        a2=a2,
        ab=ab,
    )


@pytest.fixture
def hr_a(world):
    """HR of Kommun A: the scope comes through their group."""
    return hr_user(world.units.kommun, username="hr-a", first_name="Hanna", last_name="HR")


@pytest.fixture
def hr_b(world):
    return hr_user(world.units.kommun_b, username="hr-b")


def cells(row, course):
    cell = row.cells[course.pk]
    return (cell.audience, cell.compliant, cell.overdue, cell.in_progress)


def row_named(matrix, label, *, direct=False):
    return next(r for r in matrix.rows if r.label == label and r.direct == direct)
