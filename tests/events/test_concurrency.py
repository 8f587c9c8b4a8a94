"""Seats under concurrency: N people register at once for M seats, then seats are freed
while others register. Needs PostgreSQL's row locks and real concurrent transactions
(SQLite serialises every writer, so it could not show a lost seat)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from tests.factories import org_unit
from wagtail_learning.events import api as events
from wagtail_learning.events.models import Registration, RegistrationEntry

from .helpers import make_event, people

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: row locks, concurrent transactions (SQLite serialises writers)",
    ),
]

N, M = 12, 5


def at_once(calls) -> list:
    """Run each callable in its own thread (its own database connection), released
    together; their results or errors."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # the test looks at them
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def line(event) -> list[int]:
    return list(
        Registration.objects.filter(event=event, status="waitlisted")
        .order_by("queued_at", "pk")
        .values_list("user_id", flat=True)
    )


def test_n_parallel_registrations_for_m_seats_then_cancellations_promote_one_each():
    unit = org_unit("Huddinge kommun")
    event = make_event(seats=M)
    crowd = people(unit, N)

    results = at_once([lambda p=p: events.register(p, event=event) for p in crowd])
    assert not [r for r in results if isinstance(r, Exception)], results

    registered = Registration.objects.filter(event=event, status="registered")
    assert registered.count() == M
    waiting = line(event)
    assert len(waiting) == N - M
    # The line is the order the lock was granted: the history says the same.
    entries = list(
        RegistrationEntry.objects.filter(registration__event=event, action="waitlisted")
        .order_by("pk")
        .values_list("registration__user_id", flat=True)
    )
    assert entries == waiting

    # Two seats freed while two more people register, all at once.
    leaving = list(registered.order_by("pk")[:2].values_list("user_id", flat=True))
    late = people(unit, 2, prefix="late")
    by_id = {p.pk: p for p in crowd}
    calls = [lambda u=by_id[i]: events.cancel_registration(u, event=event) for i in leaving]
    calls += [lambda p=p: events.register(p, event=event) for p in late]
    results = at_once(calls)
    assert not [r for r in results if isinstance(r, Exception)], results

    promoted = [r.user_id for r in results[0] + results[1]]
    assert sorted(promoted) == sorted(waiting[:2])  # exactly one each, the first in line
    assert Registration.objects.filter(event=event, status="registered").count() == M
    assert line(event) == waiting[2:] + [
        p.pk
        for p in sorted(late, key=lambda p: Registration.objects.get(event=event, user=p).queued_at)
    ]
    assert (
        RegistrationEntry.objects.filter(registration__event=event, action="promoted").count() == 2
    )
