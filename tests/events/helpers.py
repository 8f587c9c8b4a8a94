"""Building events for tests: pages built with their parent, sessions relative to now."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.factories import org_unit, site_home, staff_member
from wagtail_learning.events.models import (
    EventIndexPage,
    EventPage,
    EventQuestion,
    EventQuota,
    EventSession,
)

LINK = "https://zoom.example/j/98765-hemlig"


def events_index() -> EventIndexPage:
    home = site_home()
    index = EventIndexPage.objects.child_of(home).first()
    if index is None:
        index = EventIndexPage(title="Evenemang", slug="evenemang")
        home.add_child(instance=index)
    return index


def make_event(
    *,
    parent=None,
    organisers=(),
    starts_in=timedelta(days=10),
    length=timedelta(hours=1, minutes=30),
    sessions: int = 1,
    seats=None,
    quotas=(),
    questions=(),
    audience_organisations=(),
    **fields,
) -> EventPage:
    fields.setdefault("title", "Att göra interkulturellt")
    fields.setdefault("summary", "Kollegialt utbyte om interkulturellt ledarskap.")
    fields.setdefault("format", EventPage.Format.HYBRID)
    fields.setdefault("venue", "Botkyrka kommunhus")
    fields.setdefault("meeting_url", LINK)
    page = EventPage(seats=seats, **fields)
    start = timezone.now() + starts_in
    page.sessions = [
        EventSession(
            start=start + timedelta(days=7 * i), end=start + timedelta(days=7 * i) + length
        )
        for i in range(sessions)
    ]
    page.quotas = [EventQuota(organisation=o, seats=n) for o, n in quotas]
    page.questions = [
        EventQuestion(label=label, required=required) for label, required in questions
    ]
    if not organisers:
        organisers = [org_unit("Interkulturella Städer Sverige")]
    page.organisers = list(organisers)
    page.audience_organisations = list(audience_organisations)
    (parent or events_index()).add_child(instance=page)
    return EventPage.objects.get(pk=page.pk)


def people(unit, count: int, prefix: str = "p", **kwargs) -> list:
    return [
        staff_member(
            unit, username=f"{prefix}{i}", email=f"{prefix}{i}@kommun.example.se", **kwargs
        )
        for i in range(count)
    ]
