"""As met on the demo: the organiser's participant list accepted "Deltog" for a session
next March. Attendance is recorded only from the session's check-in window opening
onward (events.services.mark_attendance); the list says why, and the meeting tool's
report is held to the same rule."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import editor_of, org_unit
from wagtail_learning.events import api as events
from wagtail_learning.events.models import Attendance
from wagtail_learning.events.services import CHECK_IN_OPENS
from wagtail_learning.org.models import ReportingScope

from .helpers import make_event, people
from .test_attendance import report

pytestmark = pytest.mark.django_db

REFUSAL_SV = "Närvaro kan registreras först när incheckningen öppnar"


@pytest.fixture
def future_event():
    organiser_org = org_unit("Länsstyrelsen i Uppsala län")
    event = make_event(organisers=[organiser_org], seats=10, starts_in=timedelta(days=90))
    (person,) = people(org_unit("Huddinge kommun"), 1, prefix="hudd")
    events.register(person, event=event)
    organiser = editor_of(event, username="organisator")
    ReportingScope.objects.create(user=organiser, unit=organiser_org)
    client = Client()
    client.force_login(organiser)
    return event, event.sessions.get(), person, client


def test_the_organiser_cannot_mark_attendance_for_a_session_that_has_not_happened(future_event):
    event, session, person, client = future_event

    response = client.post(
        reverse("events_participants", args=[event.pk]),
        {f"att-{person.pk}-{session.pk}": "attended"},
        follow=True,
    )

    assert response.status_code == 200
    assert REFUSAL_SV in response.content.decode()
    assert not Attendance.objects.filter(session=session).exists()


def test_the_meeting_report_of_a_session_not_yet_held_is_refused(future_event):
    event, session, person, client = future_event

    response = client.post(
        reverse("events_import_report", args=[event.pk, session.pk]),
        {"report": report(f"Namn;E-post;Minuter\nHanna;{person.email};90\n")},
        follow=True,
    )

    assert response.status_code == 200
    assert REFUSAL_SV in response.content.decode()
    assert not Attendance.objects.filter(session=session).exists()


def test_attendance_is_taken_once_check_in_opens(future_event):
    event, session, person, client = future_event
    opens = session.start - CHECK_IN_OPENS

    with pytest.raises(events.InvalidInput):
        events.mark_attendance(
            person, session=session, attended=True, now=opens - timedelta(minutes=1)
        )
    events.mark_attendance(person, session=session, attended=True, now=opens)

    assert events.has_attended(person, session)
