"""A barrier report a signed-in person filed with their own address is in their own record:
on /min-utbildning/ and in its download. What they wrote is their own words, which HR's
view of the record leaves out; another person's report is in nobody else's record."""

from __future__ import annotations

import json

import pytest

from tests.factories import UserFactory, site_home
from wagtail_learning.accessibility.api import get_statement
from wagtail_learning.compliance import api as compliance

pytestmark = pytest.mark.django_db

REPORT = "/tillganglighet/rapportera/"
DESCRIPTION = "Undertexterna i film 3 går inte att slå på med tangentbordet."


@pytest.fixture
def reporter(client, django_capture_on_commit_callbacks):
    site_home()
    statement = get_statement()
    statement.contact_email = "tillganglighet@huddinge.example.se"
    statement.save()
    person = UserFactory(first_name="Lena", last_name="Berg", email="lena.berg@example.se")
    other = UserFactory(first_name="Omar", last_name="Sund", email="omar.sund@example.se")
    client.force_login(other)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(REPORT, {"description": "OTHER-PERSONS-REPORT", "contact_name": "Omar Sund",
                             "contact_email": "omar.sund@example.se"})  # fmt: skip
    client.force_login(person)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            REPORT,
            {
                "page_url": "/kurser/jamlik-styrning/",
                "description": DESCRIPTION,
                "contact_name": "Lena Berg",
                "contact_email": "Lena.Berg@example.se",
            },
        )
    assert response.status_code == 302
    return person


def test_a_signed_in_persons_barrier_report_is_in_their_own_record_and_download(
    client, reporter
):
    page = client.get("/min-utbildning/").content.decode()
    download = client.get("/min-utbildning/export.json")

    assert DESCRIPTION in page
    assert "OTHER-PERSONS-REPORT" not in page
    (report,) = json.loads(download.content)["barrier_reports"]
    assert report["description"] == DESCRIPTION
    assert report["page"] == "/kurser/jamlik-styrning/"
    assert report["status"] == "Ny"


def test_hrs_view_of_the_record_leaves_out_what_the_person_wrote(reporter):
    for_hr = compliance.get_training_record_for_hr(reporter)

    (report,) = for_hr["barrier_reports"]
    assert "description" not in report
