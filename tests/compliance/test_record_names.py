"""As met on the demo: "Allt som sparas om dig" on /min-utbildning/ named two tables
"user-group relationer" and "user-permission relationer" and headed its columns with the
code's English names ("user_id", "date_joined"). Tables and columns read in Swedish; the
download keeps the code's names (a machine reads it)."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from tests.factories import org_unit, staff_member

pytestmark = pytest.mark.django_db


def test_the_held_data_reads_in_swedish(client):
    learner = staff_member(org_unit("Huddinge kommun"))
    learner.groups.add(Group.objects.create(name="Kursdeltagare"))
    client.force_login(learner)

    html = client.get(reverse("learning:training_record")).content.decode()

    assert "relationer" not in html
    assert "Grupper" in html or "grupper" in html
    assert '<th scope="col">date_joined</th>' not in html
    assert '<th scope="col">användarnamn</th>' in html
