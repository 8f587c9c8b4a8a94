"""After a real staff import PostgreSQL's statistics are refreshed for the tables it wrote:
the planner otherwise keeps estimating from the rows there were before (the compliance
matrix took 8.5x the time for 10x the people until autovacuum got round to it, issue 26).
A dry run writes nothing and analyses nothing; SQLite is left alone."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import CoursePageFactory, hr_export, hr_row, unit_at
from wagtail_learning.compliance.models import Assignment
from wagtail_learning.org.api import find_unit, import_staff

TODAY = date(2026, 1, 10)
ENHET_A = "Huddinge/Socialförvaltningen/Enhet A"
# What an import of new people into a unit with an assignment writes.
WRITTEN = ["auth_user", "lms_enrollment", "lms_learnerprofile", "lms_membership"]


@pytest.fixture
def people():
    unit_at(ENHET_A)
    Assignment.objects.create(
        course=CoursePageFactory(), unit=find_unit("Huddinge/Socialförvaltningen"), due_days=30
    )
    return hr_export([hr_row(f"9{i:05d}", "Ny", f"Person {i}") for i in range(20)])


def analysed() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # not this transaction's copy
        cursor.execute("SELECT relname, analyze_count FROM pg_stat_user_tables")
        return dict(cursor.fetchall())


@pytest.mark.django_db(transaction=True)
def test_a_real_import_analyses_the_tables_it_wrote(people):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's statistics")
    data, name = people
    before = analysed()

    import_staff(data, filename=name, scope=find_unit("Huddinge"), dry_run=True, today=TODAY)
    assert analysed() == before
    report = import_staff(
        data, filename=name, scope=find_unit("Huddinge"), dry_run=False, today=TODAY
    )

    assert report.counts()["created"] == 20
    after = analysed()
    assert {table: after[table] - before[table] for table in WRITTEN} == dict.fromkeys(WRITTEN, 1)
    assert after["lms_organization"] == before["lms_organization"]  # no unit created


@pytest.mark.django_db
def test_sqlite_is_not_analysed(people):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite")
    data, name = people

    with CaptureQueriesContext(connection) as queries:
        import_staff(data, filename=name, scope=find_unit("Huddinge"), dry_run=False, today=TODAY)

    assert not [q for q in queries if q["sql"].upper().startswith("ANALYZE")]
