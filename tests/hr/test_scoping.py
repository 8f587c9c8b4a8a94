"""Who sees what: HR users see and export only their own part of the organisation (their
ReportingScope, on the user or a group); editors see no personal data; superusers see all."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.models import ModelLogEntry

from tests.factories import SuperuserFactory, editor_of, hr_user, in_english, site_home
from tests.hr.conftest import cells
from wagtail_learning.org.scopes import can_see_unit, get_scope_units

pytestmark = pytest.mark.django_db

DASHBOARD = "/admin/hr/compliance/"


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return in_english(client)


def assert_refused(client, url: str) -> None:
    """Wagtail's admin answers PermissionDenied with a redirect to the admin home page and a
    "Sorry, you do not have permission" message; to a script (XHR) with a 403."""
    response = client.get(url)
    assert response.status_code == 302, url
    assert response["Location"] == reverse("wagtailadmin_home"), url
    assert client.get(url, headers={"x-requested-with": "XMLHttpRequest"}).status_code == 403


def people_url(unit, course) -> str:
    return reverse("hr_unit_people", args=[unit.pk, course.pk])


def person_url(user) -> str:
    return reverse("hr_person", args=[user.pk])


def b_urls(world) -> list[str]:
    """Every page and export that shows something of Kommun B."""
    kommun_b, b1, c1 = world.units.kommun_b, world.units.b1, world.c1
    return [
        f"{DASHBOARD}?unit={kommun_b.pk}",
        f"{DASHBOARD}?unit={b1.pk}",
        f"{DASHBOARD}?unit={kommun_b.pk}&export=csv",
        f"{DASHBOARD}?unit={kommun_b.pk}&export=xlsx",
        people_url(kommun_b, c1),
        people_url(b1, c1),
        people_url(b1, c1) + "?export=csv",
        people_url(b1, c1) + "?export=xlsx",
        person_url(world.people.britt),
    ]


def test_hr_of_one_municipality_is_refused_everything_of_the_other(world, hr_a, frozen):
    client = login(hr_a)
    for url in b_urls(world):
        assert_refused(client, url)
    assert not ModelLogEntry.objects.filter(action="lms.export").exists()


def test_hr_of_one_municipality_sees_only_their_own_rows_and_people(world, hr_a, frozen):
    client = login(hr_a)
    matrix = client.get(DASHBOARD).context["matrix"]
    assert matrix.parent == world.units.kommun
    assert "Kommun B" not in {row.label for row in matrix.rows}
    assert cells(matrix.total, world.c1) == (13, 6, 2, 2)  # Britt and Bengt not counted

    people = client.get(people_url(world.units.kommun, world.c1)).context["people"]
    names = {p.name for p in people}
    assert "Britt Bengtsson" not in names and "Bengt Björk" not in names
    assert len(people) == 13


def test_hr_of_the_other_municipality_is_refused_the_first(world, hr_b, frozen):
    client = login(hr_b)
    assert client.get(DASHBOARD).context["parent"] == world.units.kommun_b
    assert_refused(client, f"{DASHBOARD}?unit={world.units.f1.pk}")
    assert_refused(client, people_url(world.units.e1a, world.c1))
    assert_refused(client, person_url(world.people.anna))


def test_hr_whose_scope_is_one_unit_sees_only_that_subtree(world, frozen):
    hr = hr_user(world.units.e1b, via_group=False)  # scope on the user, not a group
    client = login(hr)

    response = client.get(DASHBOARD)
    matrix = response.context["matrix"]
    assert matrix.parent == world.units.e1b
    # Enhet 1b has no units below it: one row for the people placed in it, and the total.
    # Both assignments reach it from above (C1 from the municipality, C2 from F1).
    assert [(row.label, row.direct) for row in matrix.rows] == [("Enhet 1b", True)]
    assert cells(matrix.total, world.c1) == (4, 2, 1, 0)
    assert cells(matrix.total, world.c2) == (4, 1, 0, 1)
    assert response.context["ancestors"] == []  # no links to units above the scope

    for unit in (world.units.e1a, world.units.f1, world.units.kommun):
        assert_refused(client, f"{DASHBOARD}?unit={unit.pk}")
        assert_refused(client, people_url(unit, world.c1))
    assert client.get(people_url(world.units.e1b, world.c1)).status_code == 200
    # Bo is only in 1a (Anna, in 1a and 1b, would be in scope).
    assert_refused(client, person_url(world.people.bo))
    assert_refused(client, people_url(world.units.e1a, world.c1) + "?export=csv")


def test_hr_with_two_unit_scopes_gets_both_as_rows(world, frozen):
    hr = hr_user(world.units.e1a, world.units.e2a)
    matrix = login(hr).get(DASHBOARD).context["matrix"]

    assert matrix.parent is None
    assert [row.label for row in matrix.rows] == ["Enhet 1a", "Enhet 2a"]
    e1a, e2a = matrix.rows
    assert cells(e1a, world.c1) == (4, 2, 1, 1)
    # Fredrik, Johan, Karin, Leo, Maja; Fredrik (also in 1b) counted here.
    assert cells(e2a, world.c1) == (5, 3, 0, 1)
    assert cells(matrix.total, world.c1) == (9, 5, 1, 2)
    # C2 reaches Enhet 1a only.
    assert cells(e2a, world.c2) == (0, 0, 0, 0)


def test_a_scope_inside_another_scope_adds_no_row(world):
    hr = hr_user(world.units.f1, world.units.e1a, world.units.e1b)
    assert list(get_scope_units(hr)) == [world.units.f1]
    assert can_see_unit(hr, world.units.e1b)
    assert not can_see_unit(hr, world.units.kommun)
    assert not can_see_unit(hr, world.units.f2)


def test_a_superuser_sees_both_municipalities_when_no_unit_is_chosen(world, frozen):
    client = login(SuperuserFactory())
    response = client.get(DASHBOARD)
    matrix = response.context["matrix"]

    assert matrix.parent is None
    assert [row.label for row in matrix.rows] == ["Kommun A", "Kommun B"]
    html = response.content.decode()
    assert f'href="{DASHBOARD}?unit={world.units.kommun.pk}"' in html
    assert f'href="{DASHBOARD}?unit={world.units.kommun_b.pk}"' in html
    assert client.get(people_url(world.units.b1, world.c1)).status_code == 200


def test_hr_without_any_scope_sees_nothing(world, frozen):
    hr = hr_user()
    client = login(hr)
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    assert response.context["matrix"].rows == []
    assert response.context["matrix"].courses == []
    assert "No courses are assigned" in response.content.decode()
    assert_refused(client, people_url(world.units.kommun, world.c1))
    assert_refused(client, person_url(world.people.anna))


def test_an_editor_gets_no_compliance_page_and_no_menu_item(world, frozen):
    editor = editor_of(site_home())
    client = login(editor)

    urls = [
        DASHBOARD,
        f"{DASHBOARD}?export=csv",
        people_url(world.units.kommun, world.c1),
        people_url(world.units.kommun, world.c1) + "?export=xlsx",
        person_url(world.people.anna),
    ]
    for url in urls:
        assert_refused(client, url)
    admin_home = client.get("/admin/")
    assert admin_home.status_code == 200
    assert DASHBOARD.encode() not in admin_home.content
    assert not ModelLogEntry.objects.filter(action="lms.export").exists()


def test_hr_gets_the_menu_item(world, hr_a):
    admin_home = login(hr_a).get("/admin/")
    assert DASHBOARD.encode() in admin_home.content


def test_someone_without_admin_access_is_sent_to_log_in(world):
    response = Client().get(DASHBOARD)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
