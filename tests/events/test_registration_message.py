"""The message about a place given (a seat with its calendar invitation, a place in line)
goes through the task queue after the commit, not from the request. A task runs at least
once: run twice it sends once; a place cancelled before the task runs gets nothing."""

from __future__ import annotations

import pytest

from tests.factories import org_unit
from wagtail_learning.events import api as events
from wagtail_learning.events.models import Invitation, Registration
from wagtail_learning.events.tasks import send_registration_message_task

from .helpers import make_event, people

pytestmark = pytest.mark.django_db


@pytest.fixture
def huddinge():
    return org_unit("Huddinge kommun")


def test_a_seat_cancelled_before_its_task_runs_gets_no_mail_and_no_invitation(
    huddinge, django_capture_on_commit_callbacks, mailoutbox
):
    (member,) = people(huddinge, 1)
    event = make_event(seats=5)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        events.register(member, event=event)
    with django_capture_on_commit_callbacks(execute=True):
        events.cancel_registration(member, event=event)
    for enqueue in queued:  # the registration's task runs late, after the cancellation
        enqueue()

    # Only the cancellation's own confirmation: no seat, no invitation to withdraw.
    assert [m.subject for m in mailoutbox] == [f"Anmälan avbokad: {event.title}"]
    assert not Invitation.objects.filter(user=member).exists()


def test_the_message_task_run_twice_sends_one_mail_and_one_invitation(
    huddinge, django_capture_on_commit_callbacks, mailoutbox
):
    first, second = people(huddinge, 2)
    event = make_event(seats=1)
    with django_capture_on_commit_callbacks(execute=True):
        seat = events.register(first, event=event).registration
        line = events.register(second, event=event).registration
    assert [m.to for m in mailoutbox] == [[first.email], [second.email]]

    assert send_registration_message_task(seat.pk, "registered") is False
    assert send_registration_message_task(line.pk, "waitlisted") is False

    assert len(mailoutbox) == 2
    (invitation,) = Invitation.objects.filter(user=first)
    assert invitation.sequence == 0
    assert not Invitation.objects.filter(user=second).exists()


def test_promoted_before_the_lines_message_went_the_person_gets_only_the_seat(
    huddinge, django_capture_on_commit_callbacks, mailoutbox
):
    first, second = people(huddinge, 2)
    event = make_event(seats=1)
    with django_capture_on_commit_callbacks(execute=True):
        events.register(first, event=event)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        events.register(second, event=event)
    with django_capture_on_commit_callbacks(execute=True):
        events.cancel_registration(first, event=event)  # second is promoted
    for enqueue in queued:
        enqueue()

    to_second = [m for m in mailoutbox if m.to == [second.email]]
    assert len(to_second) == 1
    assert to_second[0].subject == f"Du har fått en plats: {event.title}"
    assert Registration.objects.get(user=second).status == Registration.Status.REGISTERED
    assert Invitation.objects.get(user=second).sequence == 0


def test_registering_again_after_cancelling_sends_the_seat_again(
    huddinge, django_capture_on_commit_callbacks, mailoutbox
):
    (member,) = people(huddinge, 1)
    event = make_event(seats=5)
    for step in (events.register, events.cancel_registration, events.register):
        with django_capture_on_commit_callbacks(execute=True):
            step(member, event=event)

    assert len(mailoutbox) == 3  # the seat, the cancellation, the seat again
    invitation = Invitation.objects.get(user=member)
    assert (invitation.sequence, invitation.cancelled) == (2, False)
