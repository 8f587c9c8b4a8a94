"""Events' rules at their edges, as a person meets them: who is shown a recording, the
calendar's place for an event without dates, the invitation of someone who registers as a
session ends, and the reason given when registration is closed at the deadline's minute."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone, translation
from icalendar import Calendar

from tests.factories import LectureFactory, SuperuserFactory, org_unit
from wagtail_learning.events import api as events
from wagtail_learning.events import services
from wagtail_learning.events.models import EventPage

from .helpers import LINK, events_index, make_event, people

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in English (the msgids); the Swedish is in the catalogue."""
    with translation.override("en"):
        yield


@pytest.fixture
def huddinge():
    return org_unit("Huddinge kommun")


def held_yesterday(event: EventPage, *, recording=None) -> EventPage:
    """Move the event's sessions to yesterday (and attach `recording`), and publish it."""
    page = EventPage.objects.get(pk=event.pk)
    sessions = list(page.sessions.all())
    for session in sessions:
        session.start -= timedelta(days=11)
        session.end -= timedelta(days=11)
        session.recording = recording
    page.sessions = sessions
    page.save_revision().publish()
    return EventPage.objects.get(pk=event.pk)


def shows_recording(user, event: EventPage) -> bool:
    client = Client()
    if user is not None:
        client.force_login(user)
    return "data-recording-link" in client.get(event.url).content.decode()


# --- Who is shown the recording --------------------------------------------------------


def test_one_in_line_whom_the_organiser_marked_present_is_shown_the_recording(huddinge):
    """Attending counts on its own: someone still in line who came on the day (and was
    marked present) may watch, as may a superuser; an anonymous visitor may not."""
    event = make_event(seats=1)
    holder, in_line, absent = people(huddinge, 3)
    for person in (holder, in_line, absent):
        events.register(person, event=event)
    event = held_yesterday(event, recording=LectureFactory(title="Inspelning"))
    session = event.sessions.get()
    events.mark_attendance(in_line, session=session, attended=True)
    events.mark_attendance(absent, session=session, attended=False)

    assert shows_recording(holder, event)
    assert shows_recording(in_line, event)
    assert shows_recording(SuperuserFactory(), event)
    assert not shows_recording(absent, event)  # in line, and marked absent
    assert not shows_recording(None, event)
    assert services.may_watch_recordings(None, event) is False


# --- The calendar -----------------------------------------------------------------------


def test_an_event_without_dates_comes_after_every_past_one():
    calendar = events_index()
    make_event(title="Utan datum", sessions=0)
    make_event(title="Förra året", starts_in=timedelta(days=-300))
    make_event(title="I vår", starts_in=timedelta(days=30))
    titles = [e.title for e in services.list_events(parent=calendar)]
    assert titles == ["I vår", "Förra året", "Utan datum"]


# --- Registering ------------------------------------------------------------------------


def invited_starts(message) -> list:
    """The starts of the calendar entries attached to `message`."""
    for part in message.message().walk():
        if part.get_content_type() == "text/calendar":
            calendar = Calendar.from_ical(part.get_payload(decode=True))
            return [c["DTSTART"].dt for c in calendar.walk("VEVENT")]
    return []


def test_registering_as_a_session_ends_invites_to_the_sessions_still_ahead(
    huddinge, time_machine, django_capture_on_commit_callbacks
):
    event = make_event(sessions=2, seats=5, starts_in=timedelta(hours=-1))
    first, second = event.sessions.order_by("start")
    (member,) = people(huddinge, 1)
    time_machine.move_to(first.end, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        events.register(member, event=event)
    (confirmation,) = mail.outbox
    assert invited_starts(confirmation) == [second.start.replace(microsecond=0)]


def test_at_the_deadlines_minute_with_every_session_begun_the_reason_is_the_sessions(huddinge):
    """Registration is open until the deadline's very minute: closed then, it is closed
    because no session is left, and the message says that, not the deadline."""
    event = make_event(starts_in=timedelta(hours=-1), length=timedelta(hours=3))
    deadline = timezone.now()
    EventPage.objects.filter(pk=event.pk).update(registration_deadline=deadline)
    event = EventPage.objects.get(pk=event.pk)
    (member,) = people(huddinge, 1)
    with pytest.raises(events.RegistrationClosed) as refused:
        events.register(member, event=event, now=deadline)
    assert refused.value.message == "This event has no sessions left to register for."


def test_an_update_published_as_a_session_ends_leaves_that_session_alone(
    huddinge, time_machine, django_capture_on_commit_callbacks
):
    event = make_event(sessions=2, seats=5, starts_in=timedelta(hours=-1))
    first, second = event.sessions.order_by("start")
    (member,) = people(huddinge, 1)
    time_machine.move_to(first.start, tick=False)
    with django_capture_on_commit_callbacks(execute=True):  # the invitations follow the commit
        events.register(member, event=event)  # invited to both
    time_machine.move_to(first.end, tick=False)
    page = EventPage.objects.get(pk=event.pk)
    page.venue = "Huddinge kommunhus, sal 3"
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    (update,) = [m for m in mail.outbox if m.subject.startswith("Changed")]
    assert invited_starts(update) == [second.start.replace(microsecond=0)]


# --- An organiser cancels ---------------------------------------------------------------


def calendar_of(message) -> Calendar | None:
    for part in message.message().walk():
        if part.get_content_type() == "text/calendar":
            return Calendar.from_ical(part.get_payload(decode=True))
    return None


def test_a_cancelled_session_leaves_the_seat_holders_calendar_and_sends_the_line_none(
    huddinge, django_capture_on_commit_callbacks
):
    seated, waiting = people(huddinge, 2)
    event = make_event(seats=1, sessions=2)
    with django_capture_on_commit_callbacks(execute=True):
        events.register(seated, event=event)
        events.register(waiting, event=event)
    second = event.sessions.order_by("start")[1]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.cancel_session(second, by=SuperuserFactory()) == 2

    (to_seated,) = [m for m in mail.outbox if m.to == [seated.email]]
    (entry,) = calendar_of(to_seated).walk("VEVENT")
    assert entry["STATUS"] == "CANCELLED" and entry["SEQUENCE"] == 1
    assert LINK not in to_seated.body
    (to_waiting,) = [m for m in mail.outbox if m.to == [waiting.email]]
    assert calendar_of(to_waiting) is None  # nothing in their calendar to remove
    assert second.label in to_waiting.body


# --- The participant report -------------------------------------------------------------


@pytest.mark.parametrize("end", ["", "\n"])  # an even and an odd number of bytes
def test_a_report_saved_by_swedish_excel_in_windows_1252_is_read(end):
    """Excel's "CSV (semicolon)" on a Swedish Windows writes Windows-1252. Read as UTF-16
    (which any even number of bytes decodes to, as nonsense) its header went missing."""
    text = "Användarens e-post;Minuter\r\nåsa.öberg@kommun.example.se;45\r\n" + end
    data = text.encode("cp1252")
    assert services.parse_participant_report(data) == [(2, "åsa.öberg@kommun.example.se", 45)]


def test_a_report_in_utf_16_with_its_byte_order_mark_is_read():
    text = "E-post\tMinuter\r\nasa@kommun.example.se\t45\r\n"
    data = text.encode("utf-16")  # with the BOM, as Excel's "Unicode text" writes it
    assert services.parse_participant_report(data) == [(2, "asa@kommun.example.se", 45)]
