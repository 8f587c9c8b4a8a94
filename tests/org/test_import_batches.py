"""The staff import writes in batches: a real import with enrolments costs the same number
of queries for N rows as for 10N (within one chunk of CHUNK people), and the batched
enrolments keep what enrolling one by one did (new, taken over, left alone)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from tests.factories import CoursePageFactory, employee, hr_export, hr_row, unit_at
from wagtail_learning.compliance.assignments import sync_assignments_for_users
from wagtail_learning.compliance.models import Assignment
from wagtail_learning.lms.models import Enrolment
from wagtail_learning.org.api import find_unit, import_staff
from wagtail_learning.org.imports.plan import CHUNK
from wagtail_learning.org.models import LearnerProfile

pytestmark = pytest.mark.django_db

TODAY = date(2026, 1, 10)
STOCKHOLM = ZoneInfo("Europe/Stockholm")
ENHET_A = "Huddinge/Socialförvaltningen/Enhet A"
KULTUR = "Huddinge/Kultur"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def setting():
    unit_at(ENHET_A)
    unit_at(KULTUR)
    course = CoursePageFactory()
    assignment = Assignment.objects.create(
        course=course,
        unit=find_unit("Huddinge/Socialförvaltningen"),
        due_mode=Assignment.DueMode.AFTER_HIRE,
        due_days=30,
    )
    return assignment


def _people(factor: int, course) -> list[list]:
    """Rows for 5 x factor new people in the assignment's unit and 3 x factor known people
    moving into it from Kultur: a third of them self-enrolled in the course, a third
    withdrawn from it (both taken over by the assignment), a third not enrolled."""
    kultur = find_unit(KULTUR)
    rows = [hr_row(f"9{i:05d}", "Ny", f"Person {i}") for i in range(5 * factor)]
    for i in range(3 * factor):
        number = f"8{i:05d}"
        user = employee(kultur, number, first_name="Känd", last_name=f"Person {i}")
        if i % 3 == 0:
            Enrolment.objects.create(user=user, course_id=course.pk)
        elif i % 3 == 1:
            Enrolment.objects.create(
                user=user, course_id=course.pk, status=Enrolment.Status.WITHDRAWN
            )
        rows.append(hr_row(number, "Känd", f"Person {i}"))
    return rows


def _import_queries(factor: int, assignment) -> tuple[int, dict]:
    """The queries of a real import of `factor`'s rows, and what it left, rolled back."""
    with transaction.atomic():
        rows = _people(factor, assignment.course)
        data, name = hr_export(rows)
        scope = find_unit("Huddinge")
        with CaptureQueriesContext(connection) as queries:
            report = import_staff(data, filename=name, scope=scope, dry_run=False, today=TODAY)
        enrolments = Enrolment.objects.filter(course=assignment.course)
        outcome = {
            "report": report.counts(),
            "assigned": enrolments.filter(
                assignment=assignment, status=Enrolment.Status.ACTIVE
            ).count(),
            "self": enrolments.filter(assignment__isnull=True).count(),
        }
        transaction.set_rollback(True)
    return len(queries.captured_queries), outcome


def test_a_real_import_with_enrolments_costs_the_same_queries_for_n_and_10n_rows(setting):
    assert CHUNK > 8 * 10  # both within one chunk: the count is per chunk, not per row
    _import_queries(1, setting)  # warm the process's caches (content types), not measured
    small, small_outcome = _import_queries(1, setting)
    large, large_outcome = _import_queries(10, setting)

    assert small_outcome == {
        "report": small_outcome["report"] | {"created": 5, "updated": 3, "errors": 0},
        "assigned": 8,
        "self": 0,
    }
    assert large_outcome["report"]["created"] == 50
    assert large_outcome["report"]["updated"] == 30
    assert large_outcome["assigned"] == 80
    assert large_outcome["self"] == 0
    assert large == small


def test_a_rerun_writes_no_enrolment_and_costs_the_same_for_n_and_10n(setting):
    counts = []
    for factor in (1, 1, 10):
        with transaction.atomic():
            data, name = hr_export(_people(factor, setting.course))
            scope = find_unit("Huddinge")
            import_staff(data, filename=name, scope=scope, dry_run=False, today=TODAY)
            with CaptureQueriesContext(connection) as queries:
                report = import_staff(data, filename=name, scope=scope, dry_run=False, today=TODAY)
            assert report.counts()["unchanged"] == 8 * factor
            assert not any("lms_enrollment" in q["sql"] for q in queries.captured_queries)
            counts.append(len(queries.captured_queries))
            transaction.set_rollback(True)
    assert counts[1] == counts[2]  # the first warmed the process's caches


def test_batched_enrolment_takes_over_as_one_by_one_did(setting):
    """New: enrolled with their own due date. Self-enrolled: taken over, due date set.
    Withdrawn: active again under the assignment. Completed self-enrolment: taken over,
    no due date added. Already assigned: left alone (its due date stays)."""
    unit = find_unit(ENHET_A)
    course = setting.course
    new = employee(unit, "1", hire_date=date(2026, 2, 1))
    self_enrolled = employee(unit, "2")
    withdrawn = employee(unit, "3")
    completed = employee(unit, "4")
    assigned = employee(unit, "5")
    Enrolment.objects.create(user=self_enrolled, course_id=course.pk)
    Enrolment.objects.create(user=withdrawn, course_id=course.pk, status=Enrolment.Status.WITHDRAWN)
    done_at = timezone.now()
    Enrolment.objects.create(
        user=completed,
        course_id=course.pk,
        status=Enrolment.Status.COMPLETED,
        completed_at=done_at,
    )
    kept_due = datetime(2030, 1, 1, tzinfo=STOCKHOLM)
    Enrolment.objects.create(
        user=assigned,
        course_id=course.pk,
        assignment=setting,
        source=Enrolment.Source.ASSIGNMENT,
        due_at=kept_due,
    )
    ids = [u.pk for u in (new, self_enrolled, withdrawn, completed, assigned)]

    assert sync_assignments_for_users(ids, today=TODAY) == 4

    def enrolment(user):
        return Enrolment.objects.get(user=user, course=course)

    assert enrolment(new).due_at == datetime(2026, 3, 3, 23, 59, tzinfo=STOCKHOLM)
    assert enrolment(new).source == Enrolment.Source.ASSIGNMENT
    for user in (self_enrolled, withdrawn):
        taken = enrolment(user)
        assert (taken.assignment, taken.source, taken.status) == (
            setting,
            Enrolment.Source.ASSIGNMENT,
            Enrolment.Status.ACTIVE,
        )
        assert taken.due_at == datetime(2026, 2, 9, 23, 59, tzinfo=STOCKHOLM)
    taken = enrolment(completed)
    assert (taken.assignment, taken.status, taken.due_at) == (
        setting,
        Enrolment.Status.COMPLETED,
        None,
    )
    assert enrolment(assigned).due_at == kept_due
    assert Enrolment.objects.filter(course=course).count() == 5
    # Idempotent: nothing more to do.
    assert sync_assignments_for_users(ids, today=TODAY) == 0


def test_two_assignments_of_one_course_enrol_once_under_the_first(setting):
    second = Assignment.objects.create(
        course=setting.course, unit=find_unit("Huddinge"), due_mode=Assignment.DueMode.FIXED
    )
    user = employee(find_unit(ENHET_A), "7")

    assert sync_assignments_for_users([user.pk], today=TODAY) == 1

    enrolment = Enrolment.objects.get(user=user)
    assert enrolment.assignment_id == min(setting.pk, second.pk)


def test_more_people_than_one_batch_are_all_enrolled(setting, monkeypatch):
    from wagtail_learning.compliance import assignments

    monkeypatch.setattr(assignments, "BATCH", 4)
    unit = find_unit(ENHET_A)
    users = [employee(unit, str(100 + i)) for i in range(10)]

    assert sync_assignments_for_users([u.pk for u in users], today=TODAY) == 10
    Enrolment.objects.all().delete()
    assert assignments.apply_assignment(setting, today=TODAY) == 10
    assert Enrolment.objects.filter(assignment=setting).count() == 10


def test_new_units_are_inserted_level_by_level_in_the_order_treebeard_keeps(setting):
    """A parent's new children are inserted together, numbered in the database's order of
    their names; a later sorted insert (treebeard) and the tree's own check agree."""
    from wagtail_learning.org.models import Organisation

    names = ["Ö", "a", "M", "Å", "b", "Z", "Ä", "C", "ä"]
    rows = [hr_row(f"7{i}", unit=f"Huddinge/Nytt/{name}/Team") for i, name in enumerate(names)]
    data, filename = hr_export(rows)
    report = import_staff(
        data,
        filename=filename,
        scope=find_unit("Huddinge"),
        create_units=True,
        dry_run=False,
        today=TODAY,
    )
    assert report.counts()["created"] == len(names)
    new = find_unit("Huddinge/Nytt")
    by_path = [unit.name for unit in new.get_children()]
    assert by_path == list(new.get_children().order_by("name").values_list("name", flat=True))
    new.add_child(name="K")  # a sorted insert among the bulk-made siblings
    new.refresh_from_db()
    assert [u.name for u in new.get_children()] == list(
        new.get_children().order_by("name").values_list("name", flat=True)
    )
    for i, name in enumerate(names):
        unit = find_unit(f"Huddinge/Nytt/{name}/Team")
        assert unit.get_parent().name == name
        assert LearnerProfile.objects.get(employee_number=f"7{i}").unit == unit
    assert Organisation.find_problems() == ([], [], [], [], [])
    assert new.numchild == len(names) + 1
    assert find_unit(f"Huddinge/Nytt/{names[0]}").numchild == 1
