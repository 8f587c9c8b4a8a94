"""Messages to participants. Built after the transaction that decided them commits."""

from __future__ import annotations

from email.mime.text import MIMEText

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from wagtail_learning.lms.api import public_url

from .calendar import Entry, build_calendar
from .models import EventPage


def _name(user) -> str:
    return user.get_full_name().strip() or user.get_username()


SUBJECTS = {
    "registered": lambda title: _("Registered: %(title)s") % {"title": title},
    "waitlisted": lambda title: _("On the waitlist: %(title)s") % {"title": title},
    "promoted": lambda title: _("You have a seat: %(title)s") % {"title": title},
    "cancelled": lambda title: _("Registration cancelled: %(title)s") % {"title": title},
    "updated": lambda title: _("Changed: %(title)s") % {"title": title},
    "session_cancelled": lambda title: _("Session cancelled: %(title)s") % {"title": title},
    "event_cancelled": lambda title: _("Event cancelled: %(title)s") % {"title": title},
    "reminder": lambda title: _("Reminder: %(title)s") % {"title": title},
    "recording": lambda title: _("The recording is available: %(title)s") % {"title": title},
}


def send_event_message(
    *,
    user,
    event: EventPage,
    kind: str,
    entries: list[Entry] = (),
    method: str | None = None,
    meeting_link: str = "",
    link: str = "",
) -> None:
    """One email to `user` about `event`; with `method`, the entries as an iCalendar part
    (text/calendar; method=REQUEST or CANCEL: the METHOD inside and outside agree)."""
    if not user.email:
        return
    attached = method if entries else None  # the text mentions only what is attached
    context = {
        "name": _name(user),
        "kind": kind,
        "event": event,
        "event_url": public_url(event.url) if event.url else "",
        "sessions": [entry.session for entry in entries],
        "meeting_link": meeting_link,
        "attached": attached,
        # Where the message leads (a path on the site), e.g. the recording's page.
        "link": public_url(link) if link else "",
    }
    body = render_to_string("events/email/message.txt", context)
    message = EmailMultiAlternatives(SUBJECTS[kind](event.title), body, None, [user.email])
    if attached:
        ics = build_calendar(list(entries), method=attached)
        part = MIMEText(ics.decode("utf-8"), "calendar", "utf-8")
        part.set_param("method", attached)
        part.add_header("Content-Class", "urn:content-classes:calendarmessage")
        message.attach(part)
    message.send()
