"""A recording after a stand-alone event: those who registered or attended follow a link
on the event page and in the recording mail to a page that plays it; others are refused."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client

from tests.factories import LectureFactory, UserFactory, org_unit
from wagtail_learning.events import api as events
from wagtail_learning.events.models import EventPage

from .helpers import make_event, people

pytestmark = pytest.mark.django_db


@pytest.fixture
def held_with_recording(django_capture_on_commit_callbacks):
    """A stand-alone event (in the calendar, no course) held yesterday; one person attended,
    one held a seat and missed it, one was in line; then the recording was attached."""
    huddinge = org_unit("Huddinge kommun")
    event = make_event(title="Nätverksträff", seats=2)
    attended, missed, in_line = people(huddinge, 3)
    for person in (attended, missed, in_line):
        events.register(person, event=event)
    page = EventPage.objects.get(pk=event.pk)
    sessions = list(page.sessions.all())
    sessions[0].start -= timedelta(days=11)
    sessions[0].end -= timedelta(days=11)
    page.sessions = sessions
    page.save_revision().publish()
    session = page.sessions.get()
    events.mark_attendance(attended, session=session, attended=True)
    mail.outbox.clear()
    page = EventPage.objects.get(pk=event.pk)
    sessions = list(page.sessions.all())
    sessions[0].recording = LectureFactory(title="Inspelning av träffen")
    page.sessions = sessions
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()  # publishing tells those who missed it
    return {
        "event": EventPage.objects.get(pk=event.pk), "attended": attended, "missed": missed,
        "in_line": in_line,
    }  # fmt: skip


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def plays(client, path: str) -> bool:
    response = client.get(path)
    if response.status_code != 200:
        return False
    html = response.content.decode()
    source = re.search(r'<source src="([^"]+)"', html)
    if source is None:
        return False
    video = client.get(source.group(1))
    return video.status_code == 200 and video["Content-Type"].startswith("video/")


def test_the_recording_mail_links_to_a_page_that_plays_it(held_with_recording):
    w = held_with_recording
    (message,) = [m for m in mail.outbox if m.to == [w["missed"].email]]
    link = re.search(r"(https?://\S+/inspelning/\d+/)", message.body)
    assert link, message.body
    path = re.sub(r"^https?://[^/]+", "", link.group(1))
    assert plays(client_of(w["missed"]), path)


def test_the_event_page_links_those_who_registered_or_attended_to_the_recording(
    held_with_recording,
):
    w = held_with_recording
    for person in (w["attended"], w["missed"]):
        client = client_of(person)
        html = client.get(w["event"].url).content.decode()
        link = re.search(r'<a href="([^"]+)" data-recording-link>', html)
        assert link, "no link to the recording on the event page"
        assert plays(client, link.group(1))


def test_the_recording_is_refused_to_those_who_did_not_register(held_with_recording):
    w = held_with_recording
    session = w["event"].sessions.get()
    path = w["event"].url + f"inspelning/{session.pk}/"
    assert plays(client_of(w["missed"]), path)
    for outsider in (w["in_line"], UserFactory(username="utomstaende")):
        client = client_of(outsider)
        assert "data-recording-link" not in client.get(w["event"].url).content.decode()
        assert client.get(path).status_code == 403
        assert client.get(path + "video/").status_code == 403
    anonymous = Client().get(path)
    assert anonymous.status_code == 302 and "logga-in" in anonymous["Location"]
