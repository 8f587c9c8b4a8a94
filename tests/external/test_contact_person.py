"""An external organisation's contact person sees its participants' progress, through the
wall (a reporting scope on the organisation's root), and nothing of anyone else."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import enrol, hr_user, org_unit, site_home, staff_member
from wagtail_learning.external.services import set_contact_person
from wagtail_learning.org.models import Organisation, ReportingScope

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_organisations(open_course, association):
    business = Organisation.add_root(name="Norrbottens Trä AB", kind=Organisation.Kind.BUSINESS)
    kommun = org_unit("Piteå kommun")
    association.refresh_from_db()
    people = {}
    for name, place in (
        ("Agnes", association), ("Bertil", association), ("Cecilia", business),
        ("Dragan", kommun),
    ):  # fmt: skip
        people[name] = staff_member(
            place, external=place != kommun, first_name=name, last_name="Testsson"
        )
        enrol(people[name], open_course)
    set_contact_person(association, people["Agnes"])
    return association, business, kommun, people


def test_the_contact_person_sees_their_own_participants_only(client, two_organisations):
    association, business, kommun, people = two_organisations
    client.force_login(people["Agnes"])
    html = client.get(reverse("external:organisation")).content.decode()
    assert "Agnes Testsson" in html and "Bertil Testsson" in html
    assert "Cecilia" not in html and "Dragan" not in html
    assert "Mångfald i praktiken" in html


def test_a_new_contact_person_replaces_the_old_ones_scope(client, two_organisations):
    association, _business, _kommun, people = two_organisations
    set_contact_person(association, people["Bertil"])
    assert not ReportingScope.objects.filter(user=people["Agnes"]).exists()
    client.force_login(people["Agnes"])
    assert client.get(reverse("external:organisation")).status_code == 404
    client.force_login(people["Bertil"])
    assert client.get(reverse("external:organisation")).status_code == 200


def test_hr_of_a_municipality_and_anonymous_visitors_have_no_contact_page(
    client, two_organisations
):
    _association, _business, kommun, _people = two_organisations
    client.force_login(hr_user(kommun))
    assert client.get(reverse("external:organisation")).status_code == 404
    client.logout()
    response = client.get(reverse("external:organisation"))
    assert response.status_code == 302 and "/konto/logga-in/" in response["Location"]


def test_the_home_page_leads_the_contact_person_to_their_organisation_page(
    client, two_organisations
):
    _association, _business, _kommun, people = two_organisations
    home = site_home()
    client.force_login(people["Agnes"])
    assert b"data-contact-page" in client.get(home.url).content
    client.force_login(people["Bertil"])
    assert b"data-contact-page" not in client.get(home.url).content
    client.logout()
    assert b"data-contact-page" not in client.get(home.url).content
