"""HR's forecast (issue 24): who lapses or becomes overdue in the next 30/60/90 days, and
whether a unit is on course to reach its target by the due date, worked out by hand.

    Kommun F
    ├── Enhet Sen    ten staff: p0..p9
    └── Enhet Snabb  three staff, all completed in the last month

The course is assigned to Kommun F 10 days before NOW, due 60 days after assignment (so in
50 days), renewed every 12 months, target 80 %. In Enhet Sen:

    p0  completed 12 months - 20 days ago: lapses in 20 days
    p1  completed 12 months - 45 days ago: lapses in 45 days
    p2  completed 10 days ago      (recent: counts for the pace)
    p3  completed 20 days ago      (recent)
    p4  completed 100 days ago     (valid for 265 days more)
    p5..p8 nothing: due in 50 days
    p9  nothing, due yesterday: overdue already (not on the list: the matrix shows it)

Projection for Enhet Sen: 5 compliant now; 2 lapse by the due date (day 50); the pace is 2
in 30 days, so 50 days bring floor(2 x 50 / 30) = 3; projected 5 - 2 + 3 = 6 of 10 = 60 %
< 80 %: it will miss the target, 8 - 6 = 2 completions short.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone

from tests.factories import assign_course, course_completed, hr_user, org_unit, staff_member
from tests.hr.conftest import course_with_module
from tests.hr.test_scoping import assert_refused
from wagtail_learning.compliance.api import (
    ForecastReason,
    get_compliance_matrix,
    get_forecast,
    iter_forecast_people,
)
from wagtail_learning.lms.errors import AccessDenied
from wagtail_learning.lms.models import Enrolment

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime(2026, 6, 15, 12, 0))
TODAY = timezone.localdate(NOW)


@pytest.fixture
def forecast_world(db):
    kommun = org_unit("Kommun F")
    slow = org_unit("Enhet Sen", kommun)
    fast = org_unit("Enhet Snabb", kommun)
    other = org_unit("Kommun G")
    for unit in (kommun, slow, fast, other):
        unit.refresh_from_db()
    people = [
        staff_member(slow, first_name=f"P{i}", last_name=f"Sen{i}", username=f"p{i}")
        for i in range(10)
    ]
    quick = [
        staff_member(fast, first_name=f"Q{i}", last_name=f"Snabb{i}", username=f"q{i}")
        for i in range(3)
    ]
    course, _module = course_with_module("Arbetsmiljö")
    year = relativedelta(months=12)
    course_completed(people[0], course, when=NOW - year + timedelta(days=20))
    course_completed(people[1], course, when=NOW - year + timedelta(days=45))
    course_completed(people[4], course, when=NOW - timedelta(days=100))
    assign_course(
        course,
        kommun,
        today=TODAY - timedelta(days=10),
        due_days=60,
        recurrence_months=12,
        target_share=80,
    )
    course_completed(people[2], course, when=NOW - timedelta(days=10))
    course_completed(people[3], course, when=NOW - timedelta(days=20))
    for i, person in enumerate(quick):
        course_completed(person, course, when=NOW - timedelta(days=3 + i))
    Enrolment.objects.filter(user=people[9], course_id=course.pk).update(
        due_at=NOW - timedelta(days=1)
    )
    hr = hr_user(kommun, username="hr-f")
    hr_other = hr_user(other, username="hr-g")
    return kommun, slow, fast, people, course, hr, hr_other


def test_the_forecast_counts_who_lapses_and_comes_due_and_projects_to_the_due_date(
    forecast_world,
):
    kommun, slow, fast, people, course, hr, _other = forecast_world

    forecast = get_forecast(user=hr, parent=kommun, now=NOW)

    rows = {row.label: row.cells[course.pk] for row in forecast.rows}
    sen = rows["Enhet Sen"]
    assert (sen.audience, sen.compliant, sen.overdue, sen.recent) == (10, 5, 1, 2)
    assert sen.lapsing == {30: 1, 60: 2, 90: 2}
    assert sen.coming_due == {30: 0, 60: 4, 90: 4}
    assert sen.due == TODAY + timedelta(days=50)
    assert sen.days_left == 50
    assert sen.lapsing_by_due == 2
    assert (sen.gained, sen.projected, sen.needed) == (3, 6, 8)
    assert sen.projected_share == 60
    assert sen.on_course is False
    assert sen.shortfall == 2

    snabb = rows["Enhet Snabb"]
    assert (snabb.audience, snabb.compliant, snabb.projected) == (3, 3, 3)
    assert snabb.on_course is True

    total = forecast.total.cells[course.pk]
    assert (total.audience, total.compliant, total.lapsing[60], total.coming_due[90]) == (
        13,
        8,
        2,
        4,
    )


def test_the_forecast_counts_compliance_as_the_matrix_does(forecast_world):
    kommun, _slow, _fast, _people, course, hr, _other = forecast_world
    forecast = get_forecast(user=hr, parent=kommun, now=NOW)
    matrix = get_compliance_matrix(user=hr, parent=kommun, now=NOW)
    for f_row, m_row in zip(forecast.rows, matrix.rows, strict=True):
        f_cell, m_cell = f_row.cells[course.pk], m_row.cells[course.pk]
        assert (f_cell.audience, f_cell.compliant, f_cell.overdue) == (
            m_cell.audience,
            m_cell.compliant,
            m_cell.overdue,
        )


def test_thirty_days_ahead_lists_the_one_who_lapses_sixty_days_also_those_who_come_due(
    forecast_world,
):
    _kommun, slow, _fast, people, course, hr, _other = forecast_world

    in_30 = list(iter_forecast_people(user=hr, unit=slow, course_id=course.pk, days=30, now=NOW))
    assert [(p.user_id, p.reason, p.on) for p in in_30] == [
        (people[0].pk, ForecastReason.LAPSES, TODAY + timedelta(days=20))
    ]

    in_60 = list(iter_forecast_people(user=hr, unit=slow, course_id=course.pk, days=60, now=NOW))
    lapsing = [p.user_id for p in in_60 if p.reason == ForecastReason.LAPSES]
    coming_due = [p.user_id for p in in_60 if p.reason == ForecastReason.COMES_DUE]
    assert lapsing == [people[0].pk, people[1].pk]
    assert coming_due == [p.pk for p in people[5:9]]  # not p9: overdue already
    assert {p.on for p in in_60 if p.reason == ForecastReason.COMES_DUE} == {
        TODAY + timedelta(days=50)
    }


def test_a_unit_with_no_due_date_ahead_is_projected_ninety_days_on(forecast_world):
    kommun, _slow, fast, _people, course, hr, _other = forecast_world
    Enrolment.objects.filter(course_id=course.pk, status=Enrolment.Status.ACTIVE).update(
        due_at=NOW - timedelta(days=2)
    )
    cell = get_forecast(user=hr, parent=kommun, now=NOW).total.cells[course.pk]
    assert cell.due == TODAY + timedelta(days=90)
    assert cell.days_left == 90


def test_another_organisations_hr_is_refused_the_forecast_and_its_list(forecast_world):
    kommun, slow, _fast, _people, course, _hr, hr_other = forecast_world
    with pytest.raises(AccessDenied):
        get_forecast(user=hr_other, parent=kommun, now=NOW)
    with pytest.raises(AccessDenied):
        iter_forecast_people(user=hr_other, unit=slow, course_id=course.pk, days=30, now=NOW)


def test_the_forecast_takes_a_fixed_number_of_queries_whatever_the_people(
    forecast_world, django_assert_num_queries
):
    kommun, slow, _fast, _people, course, hr, _other = forecast_world
    # The scope (its rows, their units), the children, the assignments, the course pages,
    # the due dates, the counts.
    with django_assert_num_queries(7):
        get_forecast(user=hr, parent=kommun, now=NOW)
    for i in range(20):
        staff_member(slow, first_name=f"N{i}", last_name="Ny", username=f"ny{i}")
    with django_assert_num_queries(7):
        get_forecast(user=hr, parent=kommun, now=NOW)


# --- The pages ------------------------------------------------------------------------------

FORECAST = "/admin/hr/forecast/"


@pytest.fixture
def forecast_client(client, forecast_world, time_machine):
    time_machine.move_to(NOW, tick=False)
    client.force_login(forecast_world[5])
    return client


def test_hr_reads_the_forecast_in_swedish_with_the_unit_that_will_miss(
    forecast_client, forecast_world
):
    kommun, slow, _fast, _people, course, _hr, _other = forecast_world
    response = forecast_client.get(FORECAST)

    assert response.status_code == 200
    assert response.context["parent"] == kommun
    html = response.content.decode()
    assert "Prognos" in html
    assert "Missar målet: 2 fler behöver bli klara" in html  # Enhet Sen
    assert "Når målet" in html  # Enhet Snabb
    people_url = reverse("hr_forecast_people", args=[slow.pk, course.pk])
    assert f'href="{people_url}?days=60">2</a>' in html  # two lapse within 60 days


def test_the_people_list_and_its_exports_name_who_lapses_or_comes_due(
    forecast_client, forecast_world
):
    _kommun, slow, _fast, people, course, _hr, _other = forecast_world
    url = reverse("hr_forecast_people", args=[slow.pk, course.pk])

    response = forecast_client.get(url, {"days": 30})
    assert [p.user_id for p in response.context["people"]] == [people[0].pk]
    assert "Upphör att gälla" in response.content.decode()

    csv = b"".join(forecast_client.get(url, {"days": 60, "export": "csv"}).streaming_content)
    lines = csv.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 1 + 6  # header, p0 and p1 lapse, p5..p8 come due
    assert lines[0].startswith("Namn;")
    due_day = (TODAY + timedelta(days=50)).isoformat()
    assert sum(1 for line in lines if line.endswith(f"Blir försenad;{due_day}")) == 4

    xlsx = forecast_client.get(url, {"days": 90, "export": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert b"".join(xlsx.streaming_content)[:2] == b"PK"


def test_the_forecast_exports_every_unit_and_horizon(forecast_client):
    csv = b"".join(forecast_client.get(FORECAST, {"export": "csv"}).streaming_content)
    lines = csv.decode("utf-8-sig").strip().splitlines()
    assert [line.split(";")[0] for line in lines[1:]] == ["Enhet Sen", "Enhet Snabb", "Totalt"]
    sen = lines[1].split(";")
    # audience, compliant, overdue, lapses 30/60/90, comes due 30/60/90
    assert sen[2:11] == ["10", "5", "1", "1", "2", "2", "0", "4", "4"]
    assert sen[-3:] == ["80", "nej", "2"]


def test_another_organisations_hr_is_refused_and_bad_input_is_a_400(client, forecast_world):
    kommun, slow, _fast, _people, course, _hr, hr_other = forecast_world
    client.force_login(hr_other)
    url = reverse("hr_forecast_people", args=[slow.pk, course.pk])
    for refused in (f"{FORECAST}?unit={kommun.pk}", url, f"{url}?export=csv"):
        assert_refused(client, refused)
    client.force_login(forecast_world[5])
    assert client.get(url, {"days": 45}).status_code == 400
    assert client.get(url, {"page": "x"}).status_code == 400
    assert client.get(FORECAST, {"unit": "abc"}).status_code == 400


def test_who_lapses_within_30_days_is_who_the_matrix_no_longer_counts_in_30_days(world, hr_a):
    """Against an independent computation: the matrix read 30 days on. On the
    hand-counted municipality (tests/hr/conftest.py), with Likabehandling also assigned to
    Enhet 1a renewed monthly (two recurrence groups: its people are held to a month,
    wherever else they are placed), compliant now less those lapsing within 30 days is
    the matrix's compliant in 30 days, row for row and course for course."""
    from tests.hr.conftest import NOW as HAND_NOW
    from tests.hr.conftest import cells

    assign_course(world.c1, world.units.e1a, today=HAND_NOW.date(), recurrence_months=1)
    later = HAND_NOW + timedelta(days=30)
    for parent in (world.units.kommun, world.units.f1):
        forecast = get_forecast(user=hr_a, parent=parent, now=HAND_NOW)
        matrix = get_compliance_matrix(user=hr_a, parent=parent, now=HAND_NOW)
        ahead = get_compliance_matrix(user=hr_a, parent=parent, now=later)
        for f_row, m_row, a_row in zip(forecast.rows, matrix.rows, ahead.rows, strict=True):
            for course in (world.c1, world.c2):
                if course.pk not in f_row.cells:
                    continue
                cell = f_row.cells[course.pk]
                assert (cell.audience, cell.compliant, cell.overdue) == cells(m_row, course)[:3], (
                    f_row.label,
                    course.title,
                )
                assert cell.compliant - cell.lapsing[30] == a_row.cells[course.pk].compliant
    e1a = get_forecast(user=hr_a, parent=world.units.f1, now=HAND_NOW).rows[0]
    assert e1a.label == "Enhet 1a" and e1a.cells[world.c1.pk].lapsing[30] == 2  # Anna, Bo
