"""The registration rush (issue 21): many people register at once for an event's last
seats. Only what decides the place happens under the event's row lock; the invitations
and the mails follow the commit. Needs PostgreSQL's row locks and real concurrent
transactions (SQLite serialises every writer)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from tests.factories import org_unit
from wagtail_learning.events import api as events
from wagtail_learning.events.models import Invitation, Registration, RegistrationEntry
from wagtail_learning.events.services import waitlist_positions

from .helpers import make_event, people
from .test_concurrency import at_once

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: row locks, concurrent transactions (SQLite serialises writers)",
    ),
]

TAKEN, LAST, CROWD = 4, 6, 24  # seats taken before, seats left, people rushing for them


@pytest.fixture
def rush():
    """An event whose seats are all taken but the last LAST; CROWD people about to register."""
    huddinge = org_unit("Huddinge kommun")
    event = make_event(seats=TAKEN + LAST)
    for person in people(huddinge, TAKEN, prefix="early"):
        events.register(person, event=event)
    return event, people(huddinge, CROWD, prefix="rush")


def calendar_parts(message) -> list:
    return [part for part in message.walk() if part.get_content_type() == "text/calendar"]


def test_the_last_seats_go_exactly_and_the_line_is_the_order_the_lock_was_granted(rush):
    event, crowd = rush

    results = at_once([lambda p=p: events.register(p, event=event) for p in crowd])
    assert not [r for r in results if isinstance(r, Exception)], results

    places = Registration.objects.filter(event=event, user__in=crowd)
    seated = set(places.filter(status="registered").values_list("user_id", flat=True))
    waiting = list(
        places.filter(status="waitlisted")
        .order_by("queued_at", "pk")
        .values_list("user_id", flat=True)
    )
    assert Registration.objects.filter(event=event, status="registered").count() == TAKEN + LAST
    assert len(seated) == LAST
    # Everyone has exactly one place: a seat or a place in line, never both, never none.
    assert len(waiting) == len(set(waiting)) == CROWD - LAST
    assert not seated & set(waiting)
    assert seated | set(waiting) == {p.pk for p in crowd}
    # The line is strictly ordered (no two at the same moment), every seat was given
    # before anyone was put in line, and the history was written in the same order.
    times = list(places.order_by("queued_at").values_list("user_id", "queued_at", "status"))
    assert len({at for _, at, _ in times}) == CROWD
    assert [status for _, _, status in times] == ["registered"] * LAST + ["waitlisted"] * (
        CROWD - LAST
    )
    assert [user for user, _, _ in times][LAST:] == waiting
    entries = list(
        RegistrationEntry.objects.filter(registration__event=event, action="waitlisted")
        .order_by("pk")
        .values_list("registration__user_id", flat=True)
    )
    assert entries == waiting
    positions = waitlist_positions(event)
    by_user = dict(places.values_list("user_id", "pk"))
    assert [positions[by_user[user]] for user in waiting] == list(range(1, CROWD - LAST + 1))


def test_each_gets_one_mail_after_the_commit_and_the_seated_one_invitation(rush, smtp):
    event, crowd = rush
    smtp.messages.clear()

    results = at_once([lambda p=p: events.register(p, event=event) for p in crowd])
    assert not [r for r in results if isinstance(r, Exception)], results

    seated = set(
        Registration.objects.filter(event=event, user__in=crowd, status="registered").values_list(
            "user__email", flat=True
        )
    )
    assert len(seated) == LAST
    for person in crowd:
        mails = smtp.to(person.email)
        assert len(mails) == 1, (person.email, [m["Subject"] for m in mails])
        parts = calendar_parts(mails[0])
        if person.email in seated:
            assert len(parts) == 1 and parts[0].get_param("method") == "REQUEST"
            assert "SEQUENCE:0" in parts[0].get_content()
        else:
            assert parts == []
    invitations = Invitation.objects.filter(session__page=event, user__in=crowd)
    assert sorted(invitations.values_list("user__email", flat=True)) == sorted(seated)
    assert set(invitations.values_list("sequence", flat=True)) == {0}


def test_nothing_is_sent_before_the_commit_nor_for_a_registration_rolled_back(rush, smtp):
    event, crowd = rush
    kept, undone = crowd[0], crowd[1]
    smtp.messages.clear()
    seen_inside: list = []

    class Undo(Exception):
        pass

    def register_then(person, *, commit: bool) -> None:
        try:
            with transaction.atomic():
                events.register(person, event=event)
                # Still inside the caller's transaction: nothing sent, nothing written
                # that another connection could see.
                seen_inside.append((person.email, len(smtp.to(person.email))))
                if not commit:
                    raise Undo
        except Undo:
            pass

    results = at_once(
        [lambda: register_then(kept, commit=True), lambda: register_then(undone, commit=False)]
    )
    assert results == [None, None]

    assert sorted(seen_inside) == sorted([(kept.email, 0), (undone.email, 0)])
    assert len(smtp.to(kept.email)) == 1
    assert len(calendar_parts(smtp.to(kept.email)[0])) == 1
    assert Invitation.objects.filter(user=kept).count() == 1
    assert smtp.to(undone.email) == []
    assert not Registration.objects.filter(user=undone).exists()
    assert not Invitation.objects.filter(user=undone).exists()
    assert not RegistrationEntry.objects.filter(registration__user=undone).exists()
