"""The waitlist is a fair line (issue 21): seats that appear go to it in its order,
whenever capacity grows; whoever leaves and comes back joins at the back; organiser and
learner see the places in it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import SuperuserFactory, org_unit
from wagtail_learning.events import api as events
from wagtail_learning.events import services
from wagtail_learning.events.models import EventPage, EventQuota, Registration

from .helpers import make_event, people

pytestmark = pytest.mark.django_db

REGISTERED, WAITLISTED = "registered", "waitlisted"


def status_of(user, event):
    return Registration.objects.get(user=user, event=event).status


def publish(event, **changes):
    """What an organiser does in the editor: change the page and publish it."""
    page = event.get_latest_revision_as_object()
    for name, value in changes.items():
        setattr(page, name, value)
    page.save_revision().publish()


@pytest.fixture
def huddinge():
    return org_unit("Huddinge kommun")


def test_more_seats_go_to_the_line_in_its_order_with_mail_and_invitation(
    huddinge, django_capture_on_commit_callbacks
):
    event = make_event(seats=1)
    a, b, c = people(huddinge, 3)
    with django_capture_on_commit_callbacks(execute=True):
        for person in (a, b, c):
            events.register(person, event=event)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        publish(event, seats=2)

    assert [status_of(p, event) for p in (a, b, c)] == [REGISTERED, REGISTERED, WAITLISTED]
    to_b = [m for m in mail.outbox if m.to == [b.email]]
    assert len(to_b) == 1
    assert "text/calendar" in [part.get_content_type() for part in to_b[0].message().walk()]
    assert not [m for m in mail.outbox if m.to == [c.email]]
    assert services.waitlist_position(Registration.objects.get(user=c, event=event)) == 1


def test_a_larger_quota_goes_to_that_organisations_line(
    huddinge, django_capture_on_commit_callbacks
):
    botkyrka = org_unit("Botkyrka kommun")
    event = make_event(seats=10, quotas=[(huddinge, 1)])
    h1, h2, h3 = people(huddinge, 3, prefix="h")
    with django_capture_on_commit_callbacks(execute=True):
        for person in (h1, h2, h3):
            events.register(person, event=event)
        (b1,) = people(botkyrka, 1, prefix="b")
        events.register(b1, event=event)
    assert [status_of(p, event) for p in (h1, h2, h3, b1)] == [
        REGISTERED, WAITLISTED, WAITLISTED, REGISTERED,
    ]  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        page = event.get_latest_revision_as_object()
        page.quotas = [EventQuota(organisation=huddinge, seats=2)]
        page.save_revision().publish()

    assert [status_of(p, event) for p in (h1, h2, h3)] == [REGISTERED, REGISTERED, WAITLISTED]


def test_a_seat_free_while_people_wait_is_theirs_not_a_newcomers(
    huddinge, django_capture_on_commit_callbacks
):
    event = make_event(seats=1)
    a, b, newcomer = people(huddinge, 3)
    with django_capture_on_commit_callbacks(execute=True):
        events.register(a, event=event)
        events.register(b, event=event)
    type(event).objects.filter(pk=event.pk).update(seats=2)  # grown, nobody promoted yet
    event.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        events.register(newcomer, event=event)

    assert status_of(b, event) == REGISTERED
    assert status_of(newcomer, event) == WAITLISTED


def test_cancelling_and_registering_again_joins_the_back_of_the_line(
    huddinge, django_capture_on_commit_callbacks
):
    event = make_event(seats=1)
    a, b, c = people(huddinge, 3)
    with django_capture_on_commit_callbacks(execute=True):
        for person in (a, b, c):
            events.register(person, event=event)
        events.cancel_registration(b, event=event)
        events.register(b, event=event)

    line = {
        p: services.waitlist_position(Registration.objects.get(user=p, event=event)) for p in (b, c)
    }
    assert line == {c: 1, b: 2}

    with django_capture_on_commit_callbacks(execute=True):
        events.cancel_registration(a, event=event)

    assert (status_of(c, event), status_of(b, event)) == (REGISTERED, WAITLISTED)


def test_the_organiser_sees_the_line_in_its_order_with_places(
    client, huddinge, django_capture_on_commit_callbacks
):
    event = make_event(seats=1)
    # Surnames the other way round from the order they queue in.
    first = people(huddinge, 1, prefix="f", last_name="Andersson")[0]
    queued = [
        people(huddinge, 1, prefix=f"q{n}", last_name=name)[0]
        for n, name in enumerate(["Öberg", "Nilsson", "Berg"])
    ]
    with django_capture_on_commit_callbacks(execute=True):
        for person in (first, *queued):
            events.register(person, event=event)
    client.force_login(SuperuserFactory())

    html = client.get(reverse("events_participants", args=[event.pk])).content.decode()
    csv = client.get(reverse("events_participants", args=[event.pk]), {"export": "csv"})

    places = [html.index(p.email) for p in queued]
    assert places == sorted(places)  # Öberg, Nilsson, Berg: the line, not the alphabet
    for number, person in enumerate(queued, start=1):
        row = html[html.index(person.email) :].split("</tr>")[0]
        assert f"number {number}" in row or f"plats {number}" in row
    lines = b"".join(csv.streaming_content).decode("utf-8-sig").splitlines()
    assert [line.split(";")[2] for line in lines[2:]] == [p.email for p in queued]


@pytest.mark.parametrize("how", ["organiser cancels a seat", "seats raised"])
def test_no_seat_is_given_from_the_line_once_the_event_has_taken_place(
    huddinge, django_capture_on_commit_callbacks, how
):
    """After the event, the organiser corrects the list or edits the page: the one still in
    line is not told "you have a seat" for a meeting that is over."""
    event = make_event(seats=1)
    a, b = people(huddinge, 2)
    with django_capture_on_commit_callbacks(execute=True):
        events.register(a, event=event)
        events.register(b, event=event)
        page = EventPage.objects.get(pk=event.pk)
        sessions = list(page.sessions.all())
        for session in sessions:
            session.start -= timedelta(days=11)
            session.end -= timedelta(days=11)
        page.sessions = sessions
        page.save_revision().publish()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        if how == "seats raised":
            publish(event, seats=5)
        else:
            events.cancel_registration(a, event=event, by=SuperuserFactory())

    assert status_of(b, event) == WAITLISTED
    assert not [m for m in mail.outbox if m.to == [b.email]]
