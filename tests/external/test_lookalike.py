"""A name typed in at registration that reads like an existing organisation's ("Huddinge
stad" beside Huddinge kommun) cannot pose as it: the organisation waits for a
coordinator like every new one, is nobody's shown organisation until approved, the
registrant is told so, and the coordinator sees whose name it resembles."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from tests.external.test_recognition import coordinator
from tests.external.test_registration import PASSWORD, form, link_in, register
from tests.factories import in_english
from wagtail_learning.external.models import ExternalOrganisation
from wagtail_learning.external.services import approve_organisation, get_listed_organisations
from wagtail_learning.org.models import Membership, Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def huddinge(db):
    return Organisation.add_root(name="Huddinge kommun", kind=Organisation.Kind.MUNICIPALITY)


def register_and_confirm(client, course, name):
    data = form(None, new_name=name, new_kind="association", new_contact="on")
    register(client, course, data)
    return in_english(client).post(link_in(mail.outbox[-1]), {"password": PASSWORD}, follow=True)


@pytest.mark.parametrize(
    "typed",
    [
        "Huddinge Kommun",
        " huddinge  kommun",
        "Huddinge stad",
        "huddinge",
        "Huddinge-kommun",
        "Region Huddinge",
        "HUDDINGE KOMMUN AB",
        "Huddinges",
    ],
)
def test_a_lookalike_of_a_municipality_waits_and_shows_nowhere(
    client, open_course, huddinge, typed
):
    response = register_and_confirm(client, open_course, typed)

    told = " ".join(str(message) for message in response.context["messages"])
    assert "waits for a coordinator's approval" in told
    user = get_user_model().objects.get(email="ella@ojebyn.example.se")
    record = ExternalOrganisation.objects.exclude(organisation=huddinge).get()
    assert record.status == "pending" and record.resembles == huddinge
    lookalike = record.organisation
    assert lookalike != huddinge
    # Not listed for anyone to choose, not the participant's organisation ...
    assert lookalike not in get_listed_organisations()
    page = client.get(reverse("external:register", args=[open_course.pk])).content.decode()
    assert lookalike.name not in page
    assert user.learner_profile.unit is None
    assert not Membership.objects.filter(user=user).exists()
    # ... and its registrant is not its contact person with a scope.
    assert not user.lms_reporting_scopes.exists()

    # The coordinator sees what it resembles.
    client.force_login(coordinator())
    admin = in_english(client).get(reverse("external_admin")).content.decode()
    assert 'data-resembles="Huddinge kommun"' in admin
    assert "The name resembles Huddinge kommun" in admin


def test_a_lookalike_of_a_listed_association_waits_too(client, open_course, association):
    register_and_confirm(client, open_course, "Ifk Ojebyn")
    record = ExternalOrganisation.objects.get(organisation__name="Ifk Ojebyn")
    assert record.status == "pending" and record.resembles == association


def test_once_approved_the_participant_is_placed_in_it(client, open_course, huddinge):
    register_and_confirm(client, open_course, "Huddinge stad")
    record = ExternalOrganisation.objects.get(organisation__name="Huddinge stad")
    user = get_user_model().objects.get(email="ella@ojebyn.example.se")

    approve_organisation(record, user=coordinator())

    user.learner_profile.refresh_from_db()
    assert user.learner_profile.unit == record.organisation
    assert Membership.objects.filter(user=user, unit=record.organisation).exists()
    assert user.lms_reporting_scopes.filter(unit=record.organisation).exists()


@pytest.mark.parametrize("typed", ["Huddinge Cykelklubb", "Flemingsberg kommun", "Stad"])
def test_a_name_of_its_own_resembles_nothing(client, open_course, huddinge, typed):
    register_and_confirm(client, open_course, typed)
    record = ExternalOrganisation.objects.exclude(organisation=huddinge).get()
    assert record.resembles is None and record.status == "pending"


def test_the_same_name_typed_again_joins_the_waiting_organisation(client, open_course):
    register_and_confirm(client, open_course, "Öjebyns Cykel AB")
    client.logout()
    data = form(None, email="bo@ojebyn.example.se", new_name="öjebyns  cykel ab",
                new_kind="business")  # fmt: skip
    register(client, open_course, data)
    client.post(link_in(mail.outbox[-1]), {"password": PASSWORD})
    assert Organisation.objects.filter(name="Öjebyns Cykel AB").count() == 1
    record = ExternalOrganisation.objects.get()
    assert record.resembles is None
    # Approved, it is the organisation of both.
    approve_organisation(record, user=coordinator())
    for email in ("ella@ojebyn.example.se", "bo@ojebyn.example.se"):
        user = get_user_model().objects.get(email=email)
        assert user.learner_profile.unit == record.organisation


@pytest.mark.parametrize(
    "existing, typed, resembles",
    [
        # A final "s" goes from the last word only, and only from a word of four letters
        # or more: "Ny Hamras" is Ny Hamra, "Hols" is Hol, "Ros" is not Ro.
        ("Ny Hamras kommun", "Ny Hamra", True),
        ("Hols kommun", "Hol", True),
        ("Ro kommun", "Ros", False),
        ("Stockholms stad", "Stockholm", True),
        ("Piteå kommun", "Pitea", True),
    ],
)
def test_how_much_alike_is_alike(client, open_course, existing, typed, resembles):
    kommun = Organisation.add_root(name=existing, kind=Organisation.Kind.MUNICIPALITY)
    register_and_confirm(client, open_course, typed)
    record = ExternalOrganisation.objects.get(organisation__name=typed)
    assert (record.resembles == kommun) is resembles
