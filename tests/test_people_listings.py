"""Every list of people comes a page at a time (issue 13: a region's list was one 4 MB
page), through one helper (`lms.http.page_of`): a page number that is not a whole number
from 1 is a 400, one past the last a 404, and the links between pages keep the listing.
The compliance people page is paged in the database (tests/hr/test_people_pages.py)."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tests.events.helpers import make_event, people
from tests.factories import editor_of, enrol, org_unit, staff_member
from wagtail_learning.events import api as events
from wagtail_learning.events.admin_views import PARTICIPANTS_PER_PAGE
from wagtail_learning.events.models import Attendance, EventPage
from wagtail_learning.external.services import set_contact_person
from wagtail_learning.external.views import PARTICIPANTS_PER_PAGE as CONTACT_PER_PAGE
from wagtail_learning.org.models import Organisation, ReportingScope

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_events_participants_come_a_page_at_a_time_with_each_organisations_total(
    time_machine,
):
    huddinge, botkyrka = org_unit("Huddinge kommun"), org_unit("Botkyrka kommun")
    organiser_org = org_unit("Länsstyrelsen i Stockholms län")
    event = make_event(organisers=[organiser_org], seats=500)
    for person in people(botkyrka, 3, prefix="bot") + people(
        huddinge, PARTICIPANTS_PER_PAGE + 2, prefix="hud"
    ):
        events.register(person, event=event)
    organiser = editor_of(event, username="organisator")
    ReportingScope.objects.create(user=organiser, unit=organiser_org)  # runs the event
    client = logged_in(organiser)
    url = reverse("events_participants", args=[event.pk])

    first = client.get(url).content.decode()
    assert first.count('<tr><th scope="row">') == PARTICIPANTS_PER_PAGE
    assert "Botkyrka kommun (3)" in first
    assert f"Huddinge kommun ({PARTICIPANTS_PER_PAGE + 2})" in first  # all, not this page's
    assert 'href="?page=2" rel="next"' in first and "data-pages" in first

    last = client.get(url, {"page": 2}).content.decode()
    assert last.count('<tr><th scope="row">') == 5
    assert f"Huddinge kommun ({PARTICIPANTS_PER_PAGE + 2})" in last
    assert 'href="?page=1" rel="prev"' in last and 'rel="next"' not in last

    for bad in ("abc", "0", "-1", "1.5", "²"):
        response = client.get(url, {"page": bad})
        assert response.status_code == 400, bad
        assert "Sidnumret måste vara ett heltal från 1." in response.content.decode()
    assert client.get(url, {"page": 3}).status_code == 404
    with override_settings(DEBUG=True):  # the demo: the site's page, not Django's debug one
        response = client.get(url, {"page": "abc"})
    assert response.status_code == 400
    assert "Sidnumret måste vara ett heltal från 1." in response.content.decode()
    assert "Traceback" not in response.content.decode()

    # Marking on the second page saves there and comes back to it (once the session is held).
    page = EventPage.objects.get(pk=event.pk)
    session = page.sessions.get()
    time_machine.move_to(session.start)
    registration = events.Registration.objects.filter(event_id=event.pk).order_by("-pk").first()
    response = client.post(
        url + "?page=2", {f"att-{registration.user_id}-{session.pk}": "attended"}
    )
    assert response.status_code == 302 and response["Location"].endswith("?page=2")
    assert Attendance.objects.filter(user_id=registration.user_id, session=session).exists()

    # The exports stay whole.
    exported = client.get(url, {"export": "csv"})
    csv_rows = b"".join(exported.streaming_content).decode("utf-8-sig").strip().splitlines()
    assert len(csv_rows) == 1 + 3 + PARTICIPANTS_PER_PAGE + 2


def test_a_contact_persons_participants_come_a_page_at_a_time(open_course):
    association = Organisation.add_root(name="IFK Öjebyn", kind=Organisation.Kind.ASSOCIATION)
    members = [
        staff_member(association, external=True, first_name="Deltagare", last_name=f"{n:03d}")
        for n in range(CONTACT_PER_PAGE + 3)
    ]
    for member in members[:4]:
        enrol(member, open_course)
    set_contact_person(association, members[0])
    client = logged_in(members[0])
    url = reverse("external:organisation")

    first = client.get(url).content.decode()
    assert first.count("data-participant=") == CONTACT_PER_PAGE
    assert "Deltagare 000" in first and "Mångfald i praktiken" in first
    assert 'href="?page=2" rel="next"' in first
    last = client.get(url, {"page": 2}).content.decode()
    assert last.count("data-participant=") == 3
    assert f"Deltagare {CONTACT_PER_PAGE + 2:03d}" in last
    assert 'data-participant="Deltagare 000"' not in last

    assert client.get(url, {"page": "x"}).status_code == 400
    assert client.get(url, {"page": 3}).status_code == 404


@pytest.fixture
def open_course(db):
    from tests.factories import CoursePageFactory, ModulePageFactory, reading_step

    course = CoursePageFactory(title="Mångfald i praktiken", open_to_external=True)
    ModulePageFactory(parent=course, title="Introduktion", steps=[reading_step("Läs")])
    return course


def test_a_bad_request_says_our_reason_but_never_a_suspicious_operations_details(rf):
    from django.core.exceptions import BadRequest, SuspiciousOperation

    from wagtail_learning.errors import bad_request

    ours = bad_request(rf.get("/"), BadRequest("Sidnumret måste vara ett heltal från 1."))
    assert ours.status_code == 400
    assert "Sidnumret måste vara ett heltal från 1." in ours.content.decode()
    theirs = bad_request(rf.get("/"), SuspiciousOperation("Invalid HTTP_HOST header: evil"))
    assert theirs.status_code == 400 and "evil" not in theirs.content.decode()
