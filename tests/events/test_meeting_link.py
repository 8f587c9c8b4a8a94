"""The meeting link reaches registered participants only: never the page HTML of anyone
else, the API, the search index or another person's calendar feed."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import org_unit
from wagtail_learning.events import api as events
from wagtail_learning.events.models import EventPage

from .helpers import LINK, make_event, people

pytestmark = pytest.mark.django_db

SECRET = "98765-hemlig"


@pytest.fixture
def setting():
    unit = org_unit("Huddinge kommun")
    seated, waiting, outsider = people(unit, 3)
    event = make_event(seats=1)
    events.register(seated, event=event)
    events.register(waiting, event=event)
    return event, seated, waiting, outsider


def page_as(user, url) -> str:
    client = Client()
    if user is not None:
        client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_only_the_registered_see_the_link_on_the_page(setting):
    event, seated, waiting, outsider = setting
    assert LINK in page_as(seated, event.url)
    for user in (None, waiting, outsider):
        html = page_as(user, event.url)
        assert SECRET not in html, user
    assert SECRET not in page_as(outsider, event.get_parent().url)  # the calendar index


def test_a_cancelled_participant_loses_the_link(setting):
    event, seated, _waiting, _outsider = setting
    events.cancel_registration(seated, event=event)
    assert SECRET not in page_as(seated, event.url)


def test_the_link_is_not_in_the_api_nor_the_search_index(setting):
    event, _seated, _waiting, outsider = setting
    client = Client()
    client.force_login(outsider)
    for url in ("/api/v1/me/progress", "/api/v1/openapi.json"):
        response = client.get(url)
        assert SECRET not in response.content.decode(), url
    assert not list(EventPage.objects.live().search("hemlig"))
    assert not list(EventPage.objects.live().search(SECRET))
    assert list(EventPage.objects.live().search("interkulturellt"))  # the index works


def test_registering_through_the_page_then_cancelling(setting):
    event, _seated, _waiting, outsider = setting
    other_event = make_event(title="Öppet seminarium", starts_in=timedelta(days=20))
    client = Client()
    client.force_login(outsider)
    response = client.post(other_event.url + "anmalan/", follow=True)
    assert "You are registered" in response.content.decode() or "Du är anmäld" in (
        response.content.decode()
    )
    assert LINK in response.content.decode()
    response = client.post(other_event.url + "avanmalan/", follow=True)
    assert SECRET not in response.content.decode()
    assert events.Registration.objects.get(user=outsider, event=other_event).status == "cancelled"


def test_bad_requests_get_a_clear_answer_not_an_error(setting):
    event, seated, _waiting, outsider = setting
    client = Client()
    assert client.get(event.url + "anmalan/").status_code == 405
    assert client.post(event.url + "anmalan/").status_code == 302  # to the login page
    client.force_login(outsider)
    response = client.post(event.url + "avanmalan/", follow=True)
    assert response.status_code == 200
    assert "not registered" in response.content.decode() or "inte anmäld" in (
        response.content.decode()
    )
    client.force_login(seated)
    for data in ({"session": "x", "code": "ABC"}, {"session": "999999", "code": "ABC"}, {}):
        response = client.post(event.url + "incheckning/", data, follow=True)
        assert response.status_code == 200, data


def test_check_in_with_the_code_shown_in_the_room(setting):
    event, seated, waiting, _outsider = setting
    page = EventPage.objects.get(pk=event.pk)
    sessions = list(page.sessions.all())
    sessions[0].start = timezone.now() - timedelta(minutes=5)
    sessions[0].end = timezone.now() + timedelta(hours=1)
    page.sessions = sessions
    page.save_revision().publish()
    session = page.sessions.get()
    client = Client()
    client.force_login(seated)
    wrong = client.post(
        event.url + "incheckning/", {"session": session.pk, "code": "NOPE12"}, follow=True
    )
    assert "not the code" in wrong.content.decode() or "inte koden" in wrong.content.decode()
    assert not events.has_attended(seated, session)
    client.post(
        event.url + "incheckning/", {"session": session.pk, "code": session.check_in_code.lower()}
    )
    assert events.has_attended(seated, session)
    with pytest.raises(events.NotRegistered):
        events.check_in(waiting, session=session, code=session.check_in_code)


def test_guessing_the_check_in_code_stops_after_ten_attempts(setting):
    """Every attempt counts: after ten, even the right code is refused for a while, so a
    registered person cannot try their way through the codes from home."""
    from django.core.cache import cache

    cache.clear()
    event, seated, _waiting, _outsider = setting
    page = EventPage.objects.get(pk=event.pk)
    sessions = list(page.sessions.all())
    sessions[0].start = timezone.now() - timedelta(minutes=5)
    sessions[0].end = timezone.now() + timedelta(hours=1)
    page.sessions = sessions
    page.save_revision().publish()
    session = page.sessions.get()
    for attempt in range(10):
        with pytest.raises(events.InvalidInput, match="not the code|inte koden"):
            events.check_in(seated, session=session, code=f"WRONG{attempt}")
    with pytest.raises(events.InvalidInput, match="Too many attempts|För många försök"):
        events.check_in(seated, session=session, code=session.check_in_code)
    assert not events.has_attended(seated, session)
    client = Client()
    client.force_login(seated)
    refused = client.post(
        event.url + "incheckning/",
        {"session": session.pk, "code": session.check_in_code},
        follow=True,
    ).content.decode()
    assert "Too many attempts" in refused or "För många försök" in refused
    cache.clear()
