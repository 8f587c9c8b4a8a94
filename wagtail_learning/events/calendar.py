"""iCalendar (RFC 5545/5546) for sessions: invitations, cancellations and the feed.

One calendar entry per session and person, named by a UID that never changes; SEQUENCE
rises with every message after the first, so Outlook and others update or remove the
entry they hold instead of adding a second one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from wagtail_learning.lms.api import public_url

from .models import EventPage, EventSession

PRODID = "-//Lärplattformen//Evenemang//SV"
UID_DOMAIN = "larplattformen"


@dataclass(frozen=True)
class Entry:
    session: EventSession
    event: EventPage
    user: object
    sequence: int
    meeting_link: str  # '' unless the person may see it (events.access)
    cancelled: bool = False


def session_uid(session: EventSession, user) -> str:
    return f"event-session-{session.pk}-person-{user.pk}@{UID_DOMAIN}"


def _location(event: EventPage) -> str:
    if event.format == EventPage.Format.ONLINE:
        return str(EventPage.Format.ONLINE.label)
    return event.venue


def _vevent(entry: Entry, stamp: datetime) -> Event:
    session, event, user = entry.session, entry.event, entry.user
    vevent = Event()
    vevent.add("uid", session_uid(session, user))
    vevent.add("sequence", entry.sequence)
    vevent.add("dtstamp", stamp)
    vevent.add("dtstart", session.start.astimezone(session.tz))
    vevent.add("dtend", session.end.astimezone(session.tz))
    summary = event.title if not session.title else f"{event.title}: {session.title}"
    vevent.add("summary", summary)
    location = _location(event)
    if location:
        vevent.add("location", location)
    page_url = public_url(event.url) if event.url else ""
    description = [event.summary]
    if entry.meeting_link:
        description.append(entry.meeting_link)
    if page_url:
        description.append(page_url)
        vevent.add("url", page_url)
    vevent.add("description", "\n\n".join(part for part in description if part))
    organizer = vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL}")
    organizer.params["cn"] = vText(settings.DEFAULT_FROM_EMAIL)
    vevent.add("organizer", organizer)
    if user.email:
        attendee = vCalAddress(f"mailto:{user.email}")
        attendee.params["cn"] = vText(user.get_full_name() or user.username)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("ACCEPTED")
        vevent.add("attendee", attendee)
    vevent.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
    return vevent


def build_calendar(entries: list[Entry], *, method: str | None, name: str = "") -> bytes:
    """A VCALENDAR with one VEVENT per entry and the VTIMEZONEs they use. `method`:
    'REQUEST', 'CANCEL', or None for a subscribed feed."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    stamp = timezone.now()
    for entry in entries:
        calendar.add_component(_vevent(entry, stamp))
    calendar.add_missing_timezones()
    return calendar.to_ical()
