"""A root is an organisation of a kind; the nodes below it are its parts."""

import pytest

from wagtail_learning.org.api import Organisation

pytestmark = pytest.mark.django_db


def test_a_root_nobody_classified_is_a_municipality_and_its_parts_are_units():
    kommun = Organisation.add_root(name="Huddinge kommun")
    school = kommun.add_child(name="Skola", kind=Organisation.Kind.BUSINESS)

    assert kommun.kind == Organisation.Kind.MUNICIPALITY
    assert school.kind == Organisation.Kind.UNIT
    assert school.top == kommun and kommun.top == kommun


def test_a_root_keeps_the_kind_it_was_given():
    forening = Organisation.add_root(name="Föreningen Mångfald", kind=Organisation.Kind.ASSOCIATION)
    forening.refresh_from_db()

    assert forening.kind == Organisation.Kind.ASSOCIATION
