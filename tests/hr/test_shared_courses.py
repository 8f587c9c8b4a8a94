"""Shared courses in HR's admin: each coordinator assigns and reads only their own people,
the owner reads the others in figures, and the funder's report exports (the hand-counted
world of tests/sharing_world.py)."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from openpyxl import load_workbook

from tests import sharing_world
from tests.factories import in_english
from wagtail_learning.compliance.models import Assignment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def every_group_shown(settings):
    """The hand-counted world's groups are smaller than the default minimum group size;
    here every figure is shown (k = 1). The rule itself: tests/compliance/test_small_groups.py."""
    settings.LMS_MIN_GROUP_SIZE = 1


NAMES = {
    "S": ("Sara", "Sven"),
    "J": ("Jonas", "Julia", "Jenny"),
    "V": ("Vera",),
}
EVERY_NAME = [name for names in NAMES.values() for name in names] + ["Mira"]


@pytest.fixture
def w(time_machine):
    time_machine.move_to(sharing_world.NOW, tick=False)
    world = sharing_world.build()
    add = Permission.objects.get(codename="add_assignment")
    for user in world.hr.values():
        user.groups.get().permissions.add(add)
    return world


def client_as(client, user):
    client.force_login(user)
    in_english(client)
    return client


def text(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


def refused(client, url: str, params=None) -> bool:
    """Wagtail's admin answers PermissionDenied with a redirect to its home page (a 403 to
    a script)."""
    plain = client.get(url, params or {})
    scripted = client.get(url, params or {}, headers={"x-requested-with": "XMLHttpRequest"})
    return (
        plain.status_code == 302
        and plain["Location"] == reverse("wagtailadmin_home")
        and scripted.status_code == 403
    )


def names_in(body: str) -> set[str]:
    return {name for name in EVERY_NAME if name in body}


def test_each_coordinator_sees_only_their_own_people_on_the_shared_course(w, client):
    people_url = {
        key: reverse("hr_unit_people", args=[w.roots[key].pk, w.course.pk]) for key in "SJ"
    }
    expected = {"S": {"Sara", "Sven", "Mira"}, "J": {"Mira", "Jonas", "Julia", "Jenny"}}
    for key, other in (("S", "J"), ("J", "S")):
        client_as(client, w.hr[key])
        assert names_in(text(client.get(people_url[key]))) == expected[key]
        exported = client.get(people_url[key], {"export": "csv"})
        assert names_in(text(exported)) == expected[key]
        # The other organisation's people, and one of them directly: refused.
        assert refused(client, people_url[other])
        assert refused(client, people_url[other], {"export": "csv"})
        matrix = client.get(reverse("hr_compliance"), {"course": w.course.pk})
        assert matrix.status_code == 200
        assert not names_in(text(matrix))
    client_as(client, w.hr["J"])
    assert refused(client, reverse("hr_person", args=[w.people.sara.pk]))
    assert client.get(reverse("hr_person", args=[w.people.jonas.pk])).status_code == 200
    # Mira is in both organisations: each sees her record.
    assert client.get(reverse("hr_person", args=[w.people.mira.pk])).status_code == 200


def test_the_people_export_holds_only_the_coordinators_people(w, client):
    client_as(client, w.hr["J"])
    url = reverse("hr_unit_people", args=[w.roots["J"].pk, w.course.pk])
    rows = list(csv.reader(io.StringIO(text(client.get(url, {"export": "csv"}))), delimiter=";"))
    assert sorted(row[0] for row in rows[1:]) == [
        "Jenny Jennysson", "Jonas Jonassson", "Julia Juliasson", "Mira Mirasson",
    ]  # fmt: skip
    response = client.get(url, {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    # The sheet opens with title lines (course, unit, date), then the CSV's header row.
    table = list(sheet.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(table) if row[0] == rows[0][0])
    assert sorted(row[0] for row in table[header + 1 :]) == sorted(row[0] for row in rows[1:])


def test_a_coordinator_cannot_assign_a_course_their_organisation_takes_no_part_in(w, client):
    client_as(client, w.hr["V"])
    before = Assignment.objects.count()
    response = client.post(
        reverse("hr_assignments"),
        {
            "course": w.course.pk, "unit": w.units["V"].pk, "audience": "all",
            "due_mode": "after_assignment", "due_days": 30, "target_share": 80,
        },
    )  # fmt: skip
    assert response.status_code == 400
    body = text(response)
    assert "Upplands Väsby kommun does not take part in" in body
    assert "Sundbybergs stad" in body
    assert Assignment.objects.count() == before


def test_a_participating_coordinator_assigns_the_shared_course_to_their_unit(w, client):
    client_as(client, w.hr["J"])
    response = client.post(
        reverse("hr_assignments"),
        {
            "course": w.course.pk, "unit": w.units["J"].pk, "audience": "managers",
            "due_mode": "after_assignment", "due_days": 20, "target_share": 90,
        },
    )  # fmt: skip
    assert response.status_code == 302
    assignment = Assignment.objects.latest("pk")
    assert (assignment.unit, assignment.created_by, assignment.target_share) == (
        w.units["J"],
        w.hr["J"],
        90,
    )
    # A unit of another organisation is not among the choices.
    response = client.post(
        reverse("hr_assignments"),
        {
            "course": w.course.pk, "unit": w.units["S"].pk, "audience": "all",
            "due_mode": "after_assignment", "due_days": 20, "target_share": 80,
        },
    )  # fmt: skip
    assert response.status_code == 400
    assert "Select a valid choice" in text(response)
    # The list shows Järfälla's assignments, not Sundbyberg's or Väsby's.
    listing = text(client.get(reverse("hr_assignments")))
    assert "Skolan Berga" in listing and "Järfälla kommun" in listing
    assert "Sundbybergs stad" not in listing and "Omsorgen Vik" not in listing


def test_bad_assignment_input_is_a_clear_400(w, client):
    client_as(client, w.hr["J"])
    response = client.post(
        reverse("hr_assignments"),
        {"course": "x", "unit": w.units["J"].pk, "due_mode": "fixed", "target_share": 500},
    )
    assert response.status_code == 400
    body = text(response)
    assert "Give the due date." in body or "Select a valid choice" in body


def test_the_owner_sees_figures_per_organisation_without_names(w, client):
    client_as(client, w.hr["S"])
    response = client.get(reverse("hr_shared_course", args=[w.course.pk]))
    assert response.status_code == 200
    body = text(response)
    assert not names_in(body)
    assert "Järfälla kommun" in body and "Upplands Väsby kommun" not in body
    # The owner's own people: names as usual, one click away.
    assert f"?unit={w.roots['S'].pk}&amp;course={w.course.pk}" in body
    rows = list(
        csv.reader(
            io.StringIO(text(client.get(response.wsgi_request.path, {"export": "csv"}))),
            delimiter=";",
        )
    )
    assert rows[1:] == [
        ["Sundbybergs stad", "3", "2", "66,7", "0", "0", "1"],
        ["Järfälla kommun", "4", "2", "50,0", "2", "0", "0"],
        ["Total (each person once)", "6", "3", "50,0", "2", "0", "1"],
    ]


def test_the_owners_figures_take_a_fixed_number_of_queries(w, client, django_assert_num_queries):
    client_as(client, w.hr["S"])
    url = reverse("hr_shared_course", args=[w.course.pk])
    client.get(url)  # warm: content types, the admin's menu caches
    # 15 for the figures, 7 for the forecast per organisation (the forecast engine's own,
    # tests/hr/test_forecast.py).
    with django_assert_num_queries(22):
        assert client.get(url).status_code == 200
    # The same with one more organisation taking part: not a query per organisation.
    w.sharing.participants.add(w.roots["V"])
    with django_assert_num_queries(22):
        body = client.get(url).content.decode()
    assert "Upplands Väsby kommun" in body and "Vera" not in body


def test_participants_and_outsiders_do_not_get_the_owners_figures(w, client):
    for key in ("J", "V"):
        client_as(client, w.hr[key])
        for name in ("hr_shared_course", "hr_programme_report"):
            assert refused(client, reverse(name, args=[w.course.pk]))
            assert refused(client, reverse(name, args=[w.course.pk]), {"export": "csv"})


def test_the_shared_courses_page_lists_owned_and_shared_courses(w, client):
    client_as(client, w.hr["S"])
    body = text(client.get(reverse("hr_shared_courses")))
    assert reverse("hr_shared_course", args=[w.course.pk]) in body
    client_as(client, w.hr["J"])
    body = text(client.get(reverse("hr_shared_courses")))
    assert reverse("hr_shared_course", args=[w.course.pk]) not in body
    assert "Minoriteter, owned by Sundbybergs stad" in body


def test_the_programme_report_exports_the_hand_counted_figures(w, client):
    client_as(client, w.hr["S"])
    url = reverse("hr_programme_report", args=[w.course.pk])
    period = {"start": "2026-03-01", "end": "2026-03-31"}
    page = text(client.get(url, period))
    assert not names_in(page)
    # Each figure's definition is stated on the page and in the spreadsheet.
    assert "Training hours: the estimated time of each module" in page
    assert "First and last activity" in page
    expected = [
        ["Sundbybergs stad", "2", "2", "2,5", "2026-03-02", "2026-03-12"],
        ["Järfälla kommun", "3", "1", "2,0", "2026-03-05", "2026-03-20"],
        ["Total (each person once)", "4", "2", "3,3", "2026-03-02", "2026-03-20"],
    ]
    rows = list(
        csv.reader(io.StringIO(text(client.get(url, {**period, "export": "csv"}))), delimiter=";")
    )
    assert rows[0] == [
        "Organisation", "Participants", "Completed", "Training hours", "First activity",
        "Last activity",
    ]  # fmt: skip
    assert rows[1:] == expected
    response = client.get(url, {**period, "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    table = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = next(i for i, row in enumerate(table) if row[0] == "Organisation")
    notes = " ".join(str(row[0]) for row in table[:header])
    assert "Training hours: the estimated time of each module" in notes
    assert "First and last activity" in notes
    assert table[header + 1 :] == [
        [name, int(p), int(c), float(h.replace(",", ".")), first, last]
        for name, p, c, h, first, last in expected
    ]


@pytest.mark.parametrize(
    "period",
    [
        {"start": "2026-13-01", "end": "2026-03-31"},
        {"start": "2026-03-31", "end": "2026-03-01"},
        {"start": "igår", "end": ""},
        {"start": "2026-03-01", "end": "2026-03-31", "export": "pdf"},
    ],
)
def test_a_bad_period_is_a_clear_400(w, client, period):
    client_as(client, w.hr["S"])
    response = client.get(reverse("hr_programme_report", args=[w.course.pk]), period)
    assert response.status_code == 400
    assert "Check the period" in text(response)


def test_a_bad_export_format_on_the_figures_is_a_400(w, client):
    client_as(client, w.hr["S"])
    response = client.get(reverse("hr_shared_course", args=[w.course.pk]), {"export": "pdf"})
    assert response.status_code == 400
