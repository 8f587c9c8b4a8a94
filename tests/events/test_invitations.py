"""Calendar invitations as Outlook needs them, sent through a real SMTP server and parsed
with icalendar: REQUEST with SEQUENCE 0, an update with the same UID and a higher SEQUENCE,
a CANCEL with the same UID. Reminders once per person and session; the personal feed."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from tests.factories import org_unit
from wagtail_learning.events import api as events
from wagtail_learning.events.models import CalendarFeed, EventPage, SessionNotice
from wagtail_learning.events.services import send_reminders

from .helpers import LINK, make_event, people

pytestmark = pytest.mark.django_db


def invitation(message) -> tuple[str, Calendar]:
    """(the part's method parameter, the parsed calendar) of the text/calendar part."""
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            return part.get_param("method"), Calendar.from_ical(part.get_content())
    raise AssertionError(f"no invitation in {message['Subject']!r}")


def vevents(calendar):
    return [c for c in calendar.walk("VEVENT")]


@pytest.fixture
def person():
    (p,) = people(org_unit("Huddinge kommun"), 1)
    return p


def test_register_change_time_cancel_is_one_calendar_entry(
    smtp, person, django_capture_on_commit_callbacks
):
    event = make_event(seats=10)
    with django_capture_on_commit_callbacks(execute=True):
        events.register(person, event=event)
    (confirmation,) = smtp.to(person.email)
    method, calendar = invitation(confirmation)
    assert method == "REQUEST" and calendar["METHOD"] == "REQUEST"
    (first,) = vevents(calendar)
    uid = str(first["UID"])
    assert first["SEQUENCE"] == 0
    assert LINK in str(first["DESCRIPTION"])  # theirs: they are registered
    assert first["DTSTART"].dt.tzinfo is not None
    assert str(first["DTSTART"].params["TZID"]) == "Europe/Stockholm"
    tzids = [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")]
    assert tzids == ["Europe/Stockholm"]

    # The organiser moves the session an hour and publishes.
    page = EventPage.objects.get(pk=event.pk)
    sessions = list(page.sessions.all())
    session = sessions[0]
    session.start += timedelta(hours=1)
    session.end += timedelta(hours=1)
    page.sessions = sessions
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    update = smtp.to(person.email)[1]
    method, calendar = invitation(update)
    (changed,) = vevents(calendar)
    assert method == "REQUEST"
    assert str(changed["UID"]) == uid and changed["SEQUENCE"] == 1
    assert changed["DTSTART"].dt == session.start.replace(microsecond=0)

    # Publishing again without a change sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        EventPage.objects.get(pk=event.pk).save_revision().publish()
    assert len(smtp.to(person.email)) == 2

    with django_capture_on_commit_callbacks(execute=True):
        events.cancel_registration(person, event=event)
    method, calendar = invitation(smtp.to(person.email)[2])
    (cancelled,) = vevents(calendar)
    assert method == "CANCEL" and calendar["METHOD"] == "CANCEL"
    assert str(cancelled["UID"]) == uid and cancelled["SEQUENCE"] == 2
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert LINK not in str(cancelled.get("DESCRIPTION", ""))


def test_the_waitlisted_get_no_invitation_until_promoted(smtp, django_capture_on_commit_callbacks):
    unit = org_unit("Huddinge kommun")
    first, second = people(unit, 2)
    event = make_event(seats=1)
    with django_capture_on_commit_callbacks(execute=True):
        events.register(first, event=event)
        events.register(second, event=event)
    (waiting,) = smtp.to(second.email)
    assert not any(p.get_content_type() == "text/calendar" for p in waiting.walk())
    assert LINK not in waiting.get_body(("plain",)).get_content()
    with django_capture_on_commit_callbacks(execute=True):
        events.cancel_registration(first, event=event)
    promoted = smtp.to(second.email)[1]
    method, calendar = invitation(promoted)
    assert method == "REQUEST" and vevents(calendar)[0]["SEQUENCE"] == 0
    assert LINK in promoted.get_body(("plain",)).get_content()


def test_an_organiser_cancelling_a_session_tells_everyone_with_the_same_uid(
    smtp, django_capture_on_commit_callbacks
):
    from tests.factories import SuperuserFactory
    from wagtail_learning.events.services import cancel_session

    unit = org_unit("Huddinge kommun")
    seated, waiting = people(unit, 2)
    event = make_event(seats=1, sessions=2)
    with django_capture_on_commit_callbacks(execute=True):
        events.register(seated, event=event)
        events.register(waiting, event=event)
    uids = {str(v["UID"]) for v in vevents(invitation(smtp.to(seated.email)[0])[1])}
    second = event.sessions.all()[1]
    with django_capture_on_commit_callbacks(execute=True):
        told = cancel_session(second, by=SuperuserFactory())
    assert told == 2
    method, calendar = invitation(smtp.to(seated.email)[1])
    (gone,) = vevents(calendar)
    assert method == "CANCEL" and str(gone["UID"]) in uids and gone["SEQUENCE"] == 1
    subject = smtp.to(waiting.email)[1]["Subject"].lower()
    assert "session cancelled" in subject or "tillfälle inställt" in subject


def test_reminders_go_once_per_person_and_session_with_the_link(smtp, person):
    event = make_event(starts_in=timedelta(hours=3))
    events.register(person, event=event)
    smtp.messages.clear()
    assert send_reminders() == 1
    assert send_reminders() == 0
    (reminder,) = smtp.to(person.email)
    assert LINK in reminder.get_body(("plain",)).get_content()
    assert SessionNotice.objects.filter(user=person, kind="reminder").count() == 1


def test_the_personal_feed_lists_ones_own_sessions_and_can_be_revoked(person):
    other = people(org_unit("Botkyrka kommun"), 1, prefix="b")[0]
    event = make_event(title="Nätverksträff")
    events.register(person, event=event)
    client = Client()
    client.force_login(person)
    client.post(reverse("events:calendar_new_token"))
    token = CalendarFeed.objects.get(user=person).token
    body = client.get(reverse("events:feed", args=[token])).content
    (entry,) = vevents(Calendar.from_ical(body))
    assert "Nätverksträff" in str(entry["SUMMARY"]) and LINK in str(entry["DESCRIPTION"])

    # Someone else's feed has neither the session nor the link.
    client.force_login(other)
    client.post(reverse("events:calendar_new_token"))
    theirs = CalendarFeed.objects.get(user=other).token
    assert LINK.encode() not in Client().get(reverse("events:feed", args=[theirs])).content

    client.force_login(person)
    client.post(reverse("events:calendar_revoke"))
    assert Client().get(reverse("events:feed", args=[token])).status_code == 404
    assert Client().get("/kalender/nonsense.ics").status_code == 404
    assert timezone.now()  # the feed answer is private


ATTACHMENT_WORDS = ("attach", "bifoga")  # "The attached cancellation…" / "Den bifogade…"


def promises_an_attachment(message) -> bool:
    body = message.get_body(("plain",)).get_content().lower()
    return any(word in body for word in ATTACHMENT_WORDS)


def has_a_calendar_part(message) -> bool:
    return any(part.get_content_type() == "text/calendar" for part in message.walk())


@pytest.mark.parametrize("language", ["sv", "en"])
def test_a_mail_mentions_an_attached_calendar_entry_only_when_one_is_attached(
    smtp, django_capture_on_commit_callbacks, settings, language
):
    """Someone on the waitlist who cancels, or whose session is cancelled, was never sent
    an invitation: their mail has nothing to attach and must not say it has."""
    from tests.factories import SuperuserFactory
    from wagtail_learning.events.services import cancel_session

    settings.LANGUAGE_CODE = language
    unit = org_unit("Huddinge kommun")
    seated, waiting, leaving = people(unit, 3)
    event = make_event(seats=1, sessions=2)
    # Each step commits (and sends) before the next, as separate requests do: the seat's
    # invitation follows the commit that gave it.
    steps = [lambda p=p: events.register(p, event=event) for p in (seated, waiting, leaving)]
    steps += [
        lambda: events.cancel_registration(leaving, event=event),
        lambda: cancel_session(event.sessions.all()[1], by=SuperuserFactory()),
        lambda: events.cancel_registration(seated, event=event),
    ]
    for step in steps:
        with django_capture_on_commit_callbacks(execute=True):
            step()

    sent = [m for person in (seated, waiting, leaving) for m in smtp.to(person.email)]
    assert len(sent) == 8
    kept_word = [
        (m["Subject"], has_a_calendar_part(m))
        for m in sent
        if promises_an_attachment(m) != has_a_calendar_part(m)
    ]
    assert kept_word == []
    # Those with a calendar entry still get what removes it.
    assert has_a_calendar_part(smtp.to(seated.email)[-1])
    assert not has_a_calendar_part(smtp.to(leaving.email)[-1])
