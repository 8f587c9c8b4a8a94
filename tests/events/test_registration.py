"""Seats, the waitlist, quotas, the deadline, the cut-off and the audience: what a person
registering is told, and what the history keeps."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import SuperuserFactory, org_unit, staff_member
from wagtail_learning.events import api as events
from wagtail_learning.events.models import Registration, RegistrationEntry

from .helpers import make_event, people

pytestmark = pytest.mark.django_db

REGISTERED, WAITLISTED, CANCELLED = "registered", "waitlisted", "cancelled"


@pytest.fixture
def huddinge():
    return org_unit("Huddinge kommun")


def status_of(user, event):
    return Registration.objects.get(user=user, event=event).status


def test_seats_then_waitlist_in_order_and_a_cancellation_promotes_the_first(
    huddinge, django_capture_on_commit_callbacks
):
    event = make_event(seats=2)
    a, b, c, d = people(huddinge, 4)
    with django_capture_on_commit_callbacks(execute=True):
        for person in (a, b, c, d):
            events.register(person, event=event)
    assert [status_of(p, event) for p in (a, b, c, d)] == [
        REGISTERED,
        REGISTERED,
        WAITLISTED,
        WAITLISTED,
    ]

    with django_capture_on_commit_callbacks(execute=True):
        promoted = events.cancel_registration(a, event=event)
    assert [r.user for r in promoted] == [c]
    assert [status_of(p, event) for p in (a, b, c, d)] == [
        CANCELLED,
        REGISTERED,
        REGISTERED,
        WAITLISTED,
    ]
    actions = list(
        RegistrationEntry.objects.filter(registration__user=c).values_list("action", flat=True)
    )
    assert actions == ["waitlisted", "promoted"]


def test_registering_twice_keeps_one_place(huddinge):
    event = make_event(seats=1)
    (a,) = people(huddinge, 1)
    first = events.register(a, event=event)
    again = events.register(a, event=event)
    assert first.created and not again.created
    assert Registration.objects.filter(event=event).count() == 1


def test_after_the_deadline_registration_is_refused_with_the_date(huddinge):
    event = make_event(registration_deadline=timezone.now() - timedelta(hours=1))
    (a,) = people(huddinge, 1)
    with pytest.raises(events.RegistrationClosed, match="Registration closed on|Anmälan stängde"):
        events.register(a, event=event)
    assert not Registration.objects.exists()


def test_a_quota_full_organisation_waits_while_others_still_get_seats(huddinge):
    botkyrka = org_unit("Botkyrka kommun")
    event = make_event(seats=10, quotas=[(huddinge, 1)])
    h1, h2 = people(huddinge, 2, prefix="h")
    (b1,) = people(botkyrka, 1, prefix="b")
    assert events.register(h1, event=event).registration.status == REGISTERED
    second = events.register(h2, event=event)
    assert second.registration.status == WAITLISTED and second.quota_full
    assert events.register(b1, event=event).registration.status == REGISTERED

    # A Huddinge seat freed goes to the Huddinge person in line.
    events.cancel_registration(h1, event=event)
    assert status_of(h2, event) == REGISTERED


def test_promotion_skips_someone_whose_organisation_quota_is_full(huddinge):
    botkyrka = org_unit("Botkyrka kommun")
    event = make_event(seats=2, quotas=[(huddinge, 1)])
    h1, h2 = people(huddinge, 2, prefix="h")
    b1, b2 = people(botkyrka, 2, prefix="b")
    for person in (h1, b1, h2, b2):
        events.register(person, event=event)
    assert status_of(h2, event) == WAITLISTED and status_of(b2, event) == WAITLISTED
    events.cancel_registration(b1, event=event)
    assert status_of(h2, event) == WAITLISTED  # first in line, but Huddinge's one seat is taken
    assert status_of(b2, event) == REGISTERED


def test_participants_cannot_cancel_after_the_cut_off_but_the_organiser_can(huddinge):
    event = make_event(starts_in=timedelta(hours=5), cancellation_cutoff_hours=24)
    (a,) = people(huddinge, 1)
    events.register(a, event=event)
    with pytest.raises(events.CancellationClosed, match="24"):
        events.cancel_registration(a, event=event)
    assert status_of(a, event) == REGISTERED
    organiser = SuperuserFactory()
    events.cancel_registration(a, event=event, by=organiser)
    assert status_of(a, event) == CANCELLED
    entry = RegistrationEntry.objects.filter(registration__user=a).last()
    assert (entry.action, entry.by) == ("cancelled", organiser)


def test_an_external_participant_is_refused_when_the_audience_is_staff_only(huddinge):
    association = org_unit("Föreningen Mångfald")
    external = staff_member(association, username="extern", external=True)
    event = make_event(audience_external=False)
    with pytest.raises(events.NotInAudience, match="staff only|endast för anställda"):
        events.register(external, event=event)
    open_event = make_event(title="Öppen träff", audience_external=True)
    assert events.register(external, event=open_event).registration.status == REGISTERED


def test_an_event_for_named_organisations_refuses_others(huddinge):
    botkyrka = org_unit("Botkyrka kommun")
    event = make_event(audience_organisations=[botkyrka])
    (h,) = people(huddinge, 1, prefix="h")
    (b,) = people(botkyrka, 1, prefix="b")
    with pytest.raises(events.NotInAudience, match="Botkyrka kommun"):
        events.register(h, event=event)
    assert events.register(b, event=event).registration.status == REGISTERED


def test_a_required_question_must_be_answered(huddinge):
    event = make_event(questions=[("Specialkost?", True)])
    (a,) = people(huddinge, 1)
    with pytest.raises(events.InvalidInput, match="Specialkost"):
        events.register(a, event=event, answers={})
    key = str(event.questions.get().key)
    result = events.register(a, event=event, answers={key: "Vegetarisk"})
    assert result.registration.answers == {key: "Vegetarisk"}


def test_history_is_append_only(huddinge):
    event = make_event()
    (a,) = people(huddinge, 1)
    events.register(a, event=event)
    entry = RegistrationEntry.objects.get()
    entry.note = "ändrad"
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(ValueError, match="append-only"):
        entry.delete()


def test_the_calendar_lists_upcoming_events_soonest_first_then_the_latest_past():
    from wagtail_learning.events.services import list_events

    later = make_event(title="Senare", starts_in=timedelta(days=20))
    soon = make_event(title="Snart", starts_in=timedelta(days=2))
    long_ago = make_event(title="Länge sedan", starts_in=timedelta(days=-60))
    recent = make_event(title="Nyligen", starts_in=timedelta(days=-3))
    assert [e.title for e in list_events()] == [
        soon.title, later.title, recent.title, long_ago.title,
    ]  # fmt: skip


def test_an_event_can_be_copied_with_its_sessions():
    event = make_event(sessions=2)
    copy = event.copy(update_attrs={"slug": "kopia", "title": "Kopia"})
    assert copy.sessions.count() == 2
    assert not set(copy.sessions.values_list("pk", flat=True)) & set(
        event.sessions.values_list("pk", flat=True)
    )
