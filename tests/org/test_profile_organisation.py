"""A profile's organisation (decision 0032): the root of its unit, by one rule, kept when
the unit goes; and the data migration that filled it in for the profiles already there."""

import importlib

import pytest
from django.apps import apps

from tests.factories import UserFactory, unit_at
from wagtail_learning.org.models import LearnerProfile, Membership, Organisation

pytestmark = pytest.mark.django_db

fill = importlib.import_module("wagtail_learning.org.migrations.0006_fill_profile_organisations")


def test_a_profile_belongs_to_its_units_top_level_organisation_and_follows_a_move():
    enhet = unit_at("Huddinge/Socialförvaltningen/Enhet A")
    skola = unit_at("Botkyrka/Utbildning/Skola 1")
    profile = LearnerProfile.objects.create(user=UserFactory(), unit=enhet, employee_number="1")
    assert profile.organisation == Organisation.objects.get(name="Huddinge")

    profile.unit = skola
    profile.save(update_fields=["unit"])
    profile.refresh_from_db()
    assert profile.organisation == Organisation.objects.get(name="Botkyrka")


def test_the_organisation_stays_when_the_unit_is_deleted():
    enhet = unit_at("Huddinge/Nedlagd")
    profile = LearnerProfile.objects.create(user=UserFactory(), unit=enhet)
    Organisation.objects.get(pk=enhet.pk).delete()
    profile.refresh_from_db()
    assert profile.unit is None and profile.organisation.name == "Huddinge"


def test_the_migration_fills_in_every_profiles_organisation():
    enhet = unit_at("Huddinge/Socialförvaltningen/Enhet A")
    skola = unit_at("Botkyrka/Utbildning/Skola 1")
    placed = LearnerProfile.objects.create(user=UserFactory(), unit=enhet, employee_number="1")
    by_membership = LearnerProfile.objects.create(user=UserFactory(), employee_number="2")
    Membership.objects.create(user=by_membership.user, unit=skola)
    in_two = LearnerProfile.objects.create(user=UserFactory(), employee_number="3")
    Membership.objects.create(user=in_two.user, unit=skola)
    Membership.objects.create(user=in_two.user, unit=enhet)
    nowhere = LearnerProfile.objects.create(user=UserFactory(), employee_number="4")
    LearnerProfile.objects.update(organisation=None)  # as before the migration

    fill.fill_organisations(apps, None)

    found = dict(LearnerProfile.objects.values_list("employee_number", "organisation__name"))
    assert found == {"1": "Huddinge", "2": "Botkyrka", "3": None, "4": None}
    assert {placed.pk, by_membership.pk, in_two.pk, nowhere.pk} == set(
        LearnerProfile.objects.values_list("pk", flat=True)
    )
