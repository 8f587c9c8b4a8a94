"""HR's compliance pages in the Wagtail admin: the matrix, the drill-down, filters, the chart,
and a query count that does not grow with people or units."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    assign_course,
    course_completed,
    hr_user,
    in_english,
    org_unit,
    staff_member,
    step_progress,
)
from tests.hr.conftest import at, course_with_module

pytestmark = pytest.mark.django_db

DASHBOARD = "/admin/hr/compliance/"
PEOPLE_PAGE_QUERIES = 19  # a page of people, counted in the test below


@pytest.fixture
def hr_client(client, hr_a, frozen):
    client.force_login(hr_a)
    return in_english(client)


def people_url(unit, course, query: str = "") -> str:
    url = reverse("hr_unit_people", args=[unit.pk, course.pk])
    return f"{url}?{query}" if query else url


def labels(html: str) -> list[str]:
    return re.findall(r'<span class="hr-label">([^<]+)</span>', html)


def names(response) -> list[str]:
    return [p.name.split()[0] for p in response.context["people"]]


def test_the_dashboard_url_is_the_one_in_the_menu():
    assert reverse("hr_compliance") == DASHBOARD


def test_the_dashboard_opens_on_the_users_municipality(hr_client, world):
    response = hr_client.get(DASHBOARD)

    assert response.status_code == 200
    assert response.context["parent"] == world.units.kommun
    html = response.content.decode()
    assert [row.label for row in response.context["matrix"].rows] == [
        "Förvaltning 1",
        "Förvaltning 2",
        "Kommun A",
    ]
    assert "Directly in Kommun A" in html
    assert "Total (each person once)" in html
    # Colour is never alone: every cell with an audience says in words where it stands.
    # Rows F1, F2, directly, total x (Brandskydd, Likabehandling); only F2's
    # Likabehandling (4 of 6 = 67 % against 60 %) meets its target; F2 and "directly" have
    # nobody for Brandskydd.
    assert labels(html) == [
        "below target",  # F1 Brandskydd 1/7
        "below target",  # F1 Likabehandling 3/7
        "meets target",  # F2 Likabehandling 4/6
        "below target",  # directly: Olivia 0/1
        "below target",  # total Brandskydd 1/7
        "below target",  # total Likabehandling 6/13
    ]
    assert html.count("no audience") == 2
    assert "6 of 13 compliant" in html
    assert "4 of 6 compliant" in html
    # Overdue and in progress are counted apart from compliance.
    assert "2 overdue" in html and "2 in progress" in html


def test_a_unit_row_links_down_and_every_cell_to_its_people(hr_client, world):
    html = hr_client.get(DASHBOARD).content.decode()
    f1, f2 = world.units.f1, world.units.f2

    assert f'href="{DASHBOARD}?unit={f1.pk}"' in html
    assert f'href="{DASHBOARD}?unit={f2.pk}"' in html
    assert f'href="{people_url(f1, world.c1)}"' in html
    assert f'href="{people_url(world.units.kommun, world.c1)}"' in html  # the total


def test_drilling_into_an_administration_shows_its_units_and_breadcrumbs(hr_client, world):
    response = hr_client.get(DASHBOARD, {"unit": world.units.f1.pk})

    html = response.content.decode()
    assert [row.label for row in response.context["matrix"].rows] == ["Enhet 1a", "Enhet 1b"]
    assert f'href="{DASHBOARD}?unit={world.units.kommun.pk}">Kommun A</a>' in html
    assert "4 of 4" not in html  # sanity: no cell claims everyone
    assert "2 of 4 compliant" in html  # Likabehandling in 1a and in 1b


def test_the_chart_of_compliance_over_time_is_an_accessible_svg(hr_client, world):
    html = hr_client.get(DASHBOARD, {"unit": world.units.f1.pk}).content.decode()

    charts = re.findall(r'<svg[^>]*class="compliance-chart"[^>]*>.*?</svg>', html, flags=re.S)
    assert len(charts) == 2  # one per course
    for chart, title in zip(charts, ["Brandskydd", "Likabehandling"], strict=True):
        assert 'role="img"' in chart
        assert f"<title>{title}</title>" in chart
        assert "<path " in chart  # the line itself
        assert "target 60 %" in chart or "target 50 %" in chart
        # The last month's label ends at the edge instead of being cut off by it.
        # (Swedish-friendly month names, Django's "N": "March" and "Oct." in English.)
        assert 'text-anchor="end" fill="#4a5360">March 2026</text>' in chart
    # The same figures as text, for screen readers and print: Likabehandling in F1 is at
    # 3 of 7 now (43 %).
    tables = re.findall(r"<details>.*?</details>", html, flags=re.S)
    assert len(tables) == 2
    assert "<td>March 2026</td><td>43 %</td>" in tables[1]


def test_the_course_filter_keeps_one_column(hr_client, world):
    response = hr_client.get(DASHBOARD, {"course": world.c2.pk})
    assert [c.title for c in response.context["matrix"].courses] == ["Brandskydd"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Anna", "Bo", "Cilla", "David", "Fredrik", "Greta", "Hassan"]),
        ("audience=managers", ["Anna", "Fredrik"]),
        ("audience=staff", ["Bo", "Cilla", "David", "Greta", "Hassan"]),
        ("status=overdue", ["David"]),
        ("status=expired", ["Bo"]),
        ("status=not_started", ["Cilla", "Greta", "Hassan"]),
        ("hired_from=2025-01-01", ["Cilla", "Hassan"]),
        ("hired_to=2015-12-31", ["Anna"]),
        ("hired_from=2025-07-01&status=not_started", ["Hassan"]),
    ],
)
def test_filters_narrow_the_people_list(hr_client, world, query, expected):
    response = hr_client.get(people_url(world.units.f1, world.c2, query))
    assert response.status_code == 200
    assert names(response) == expected


def test_the_people_list_shows_each_status_in_words_and_links_each_record(hr_client, world):
    response = hr_client.get(people_url(world.units.f1, world.c2))
    html = response.content.decode()

    assert "Completed 1 Oct. 2025" in html and "valid until 1 Oct. 2026" in html  # Anna
    assert "Expired 1 Feb. 2026" in html  # Bo
    assert "Overdue since 10 March 2026" in html  # David
    assert "In progress, 50 %" in html  # Fredrik
    assert html.count("Not started") >= 3  # Cilla, Greta, Hassan (and the filter option)
    for person in response.context["people"]:
        assert f'href="{reverse("hr_person", args=[person.user_id])}"' in html
    assert "7 people" in html


@pytest.mark.parametrize(
    "query",
    [
        "hired_from=notadate",
        "hired_to=2026-02-30",
        "audience=everyone",
        "status=bogus",
        "export=pdf",
        "unit=abc",
        "unit=-1",
        "course=abc",
        "course=999999",
    ],
)
def test_bad_filters_on_the_dashboard_are_a_400(hr_client, world, query):
    assert hr_client.get(f"{DASHBOARD}?{query}").status_code == 400


@pytest.mark.parametrize("query", ["hired_from=notadate", "status=bogus", "audience=x"])
def test_bad_filters_on_the_people_list_are_a_400(hr_client, world, query):
    assert hr_client.get(people_url(world.units.f1, world.c1, query)).status_code == 400


def test_missing_things_are_a_404(hr_client, world):
    missing = [
        f"{DASHBOARD}?unit=999999",
        f"/admin/hr/compliance/unit/999999/course/{world.c1.pk}/",
        f"/admin/hr/compliance/unit/{world.units.f1.pk}/course/999999/",
        "/admin/hr/person/999999/",
    ]
    for url in missing:
        assert hr_client.get(url).status_code == 404, url


def test_a_course_nobody_is_assigned_shows_nobody(hr_client, world):
    other, _module = course_with_module("Frivillig kurs")
    response = hr_client.get(people_url(world.units.f1, other))
    assert response.status_code == 200
    assert response.context["people"] == []
    assert "Nobody matches the filters." in response.content.decode()


# --- Queries: constant in people and units -------------------------------------------------


def build_municipality(name: str, *, units: int, people: int):
    """A municipality of `units` units and `people` people with two assigned courses, a mix
    of completions, progress, overdue enrolments, managers, a leaver and an external."""
    root = org_unit(name)
    places = [org_unit(f"{name} enhet {i:02d}", root) for i in range(units)]
    for place in places:
        place.refresh_from_db()
    courses = [course_with_module(f"{name} kurs {i}") for i in range(2)]
    members = []
    for i in range(people):
        unit = places[i % units]
        members.append(
            staff_member(
                unit,
                also_in=[places[(i + 1) % units]] if i % 10 == 0 else (),
                is_manager=i % 7 == 0,
                hire_date=date(2010 + i % 15, 1, 1),
                leave_date=date(2026, 1, 1) if i % 25 == 0 else None,
                external=i % 33 == 0,
            )
        )
    for course, _module in courses:
        assign_course(course, root, today=date(2026, 1, 10), due_days=30, recurrence_months=12)
    for i, person in enumerate(members):
        course, module = courses[i % 2]
        if i % 3 == 0:
            course_completed(person, course, when=at(2026, 2, 1))
        elif i % 3 == 1:
            step_progress(person, module, completed_at=at(2026, 3, 1))
    root.refresh_from_db()
    return root, courses


def test_the_matrix_takes_as_many_queries_for_30_units_and_300_people_as_for_3(
    client, frozen, django_assert_num_queries
):
    small, _ = build_municipality("Liten", units=3, people=12)
    big, _ = build_municipality("Stor", units=30, people=300)
    small_client = client
    small_client.force_login(hr_user(small))
    from django.test import Client

    big_client = Client()
    big_client.force_login(hr_user(big))
    for c in (small_client, big_client):  # warm caches (content types, site, ...)
        assert c.get(DASHBOARD).status_code == 200

    with CaptureQueriesContext(connection) as baseline:
        response = small_client.get(DASHBOARD)
    assert len(response.context["matrix"].rows) == 3

    with django_assert_num_queries(len(baseline)):
        response = big_client.get(DASHBOARD)
    assert len(response.context["matrix"].rows) == 30
    assert response.context["matrix"].total.cells  # figures were computed

    # The same for a unit's page, which adds the chart of each course.
    small_unit = small.get_children().first()
    big_unit = big.get_children().first()
    with CaptureQueriesContext(connection) as unit_baseline:
        small_client.get(DASHBOARD, {"unit": small_unit.pk})
    with django_assert_num_queries(len(unit_baseline)):
        big_client.get(DASHBOARD, {"unit": big_unit.pk})


def test_the_people_list_takes_as_many_queries_for_300_people_as_for_12(
    client, frozen, django_assert_num_queries
):
    small, small_courses = build_municipality("Liten", units=3, people=12)
    big, big_courses = build_municipality("Stor", units=30, people=300)
    from django.test import Client

    small_client, big_client = client, Client()
    small_client.force_login(hr_user(small))
    big_client.force_login(hr_user(big))
    small_url = people_url(small, small_courses[0][0])
    big_url = people_url(big, big_courses[0][0])
    small_client.get(small_url)
    big_client.get(big_url)

    with CaptureQueriesContext(connection) as baseline:
        response = small_client.get(small_url)
    assert len(response.context["people"]) > 5
    with django_assert_num_queries(len(baseline)):
        response = big_client.get(big_url)
    assert response.context["people_page"].count > 200
    assert len(response.context["people"]) == 100  # one page


# --- The people list in pages ---------------------------------------------------------------


@pytest.fixture
def crowd(client, frozen):
    root, courses = build_municipality("Stor", units=4, people=260)
    client.force_login(hr_user(root))
    return client, root, courses[0][0]


def test_the_people_list_comes_in_pages_of_100_that_keep_the_filters(crowd):
    client, root, course = crowd
    first = client.get(people_url(root, course, "audience=staff"))
    page = first.context["people_page"]
    assert page.count > 200 and page.num_pages == 3
    assert len(first.context["people"]) == 100
    html = first.content.decode()
    assert 'href="?audience=staff&amp;page=2" rel="next"' in html
    assert "Sida 1 av 3" in html
    # The export links leave the page out: an export is always the whole list.
    assert 'href="?audience=staff&amp;export=csv"' in html

    last = client.get(people_url(root, course, "audience=staff&page=3"))
    assert len(last.context["people"]) == page.count - 200
    assert 'href="?audience=staff&amp;page=2" rel="prev"' in last.content.decode()
    seen = [
        p.user_id
        for n in (1, 2, 3)
        for p in client.get(people_url(root, course, f"audience=staff&page={n}")).context["people"]
    ]
    assert len(seen) == len(set(seen)) == page.count  # everyone once, in order
    whole = client.get(people_url(root, course, "audience=staff&page=2&export=csv"))
    lines = b"".join(whole.streaming_content).decode().splitlines()
    assert len(lines) == page.count + 1  # the export ignores the page: everyone


@pytest.mark.parametrize("filtered", [False, True])
def test_the_pages_of_people_are_the_whole_list_in_its_order_with_its_figures(crowd, filtered):
    # A page picks its people in a subquery and gives only them their row's figures: the
    # pages, one after the other, must be the list an export reads, row for row.
    from wagtail_learning.compliance.reports import get_unit_people, get_unit_people_page

    _client, root, course = crowd
    hr = hr_user(root)
    everyone = get_unit_people(user=hr, unit=root, course_id=course.pk)
    assert len({p.status for p in everyone}) > 1  # the rows' figures differ
    status = max({p.status for p in everyone}, key=[p.status for p in everyone].count)
    listed = [p for p in everyone if p.status == status] if filtered else everyone
    pages, number = [], 1
    while True:
        page = get_unit_people_page(
            user=hr,
            unit=root,
            course_id=course.pk,
            page=number,
            per_page=40,
            status=status if filtered else None,
        )
        pages.extend(page.people)
        if not page.has_next:
            break
        number += 1
    assert page.count == len(listed) > 40
    assert pages == listed


@pytest.mark.parametrize("query,status", [("page=abc", 400), ("page=0", 400), ("page=4", 404)])
def test_a_page_that_does_not_exist_is_a_4xx_with_a_message(crowd, query, status):
    client, root, course = crowd
    response = client.get(people_url(root, course, query))
    assert response.status_code == status
    assert response.content  # says why


def test_a_page_of_people_takes_a_fixed_number_of_queries(crowd, django_assert_num_queries):
    client, root, course = crowd
    url = people_url(root, course, "page=2")
    client.get(url)  # warm caches (content types, site, ...)
    # Session and user, the user's permission checks and scope, the unit, the course, its
    # rule and modules, the count and the page of people, and Wagtail's admin furniture.
    with django_assert_num_queries(PEOPLE_PAGE_QUERIES):
        response = client.get(url)
    assert len(response.context["people"]) == 100


# --- A person's training record (HR's view: no reflections or quiz answers) ----------------


def test_the_person_record_shows_the_person_and_their_courses(hr_client, world):
    response = hr_client.get(reverse("hr_person", args=[world.people.anna.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Anna Ahl" in html
    assert "Enhet 1a" in html
    assert "Likabehandling" in html and "Brandskydd" in html


def test_each_cell_tells_overdue_from_not_yet_due_in_words(hr_client, world):
    html = hr_client.get(DASHBOARD, {"unit": world.units.f1.pk}).content.decode()

    # Förvaltning 1, Likabehandling: 7 people, 3 compliant; David and Greta are overdue;
    # Cilla (in progress) and Hassan still have time.
    overdue = re.findall(r'data-due="overdue">([^<]+)</li>', html)
    not_due = re.findall(r'data-due="not-due">([^<]+)</li>', html)
    assert "2 overdue" in overdue
    assert "2 not yet due (1 in progress)" in not_due
    assert all(text.strip() for text in overdue + not_due)
