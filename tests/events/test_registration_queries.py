"""The registration rush (issue 21): what a registration asks of the database while it
holds the event's row lock, and in all. Everyone registering for the same event waits for
that lock, so each statement inside it is paid by everyone behind in the queue.

The queries are counted exactly. The test runs in a transaction of its own, so the
registration's transaction is a savepoint in it: the statements from that savepoint to the
end of `register` are those the locked transaction holds (its first is the
`SELECT ... FOR UPDATE` on PostgreSQL; SQLite has no row locks and serialises writers).
The on-commit callbacks are captured, not run, while `register` runs (the test's
transaction never commits); they are then run and counted as what follows the commit in
the request: the message put on the task queue. The queued task is then run and counted
on its own (it runs in a worker, not in the request).
The savepoint statements themselves are the test's, not the application's, and are not
counted.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.module_loading import import_string
from django_q.conf import Conf
from django_q.models import OrmQ

from tests.factories import org_unit
from wagtail_learning.events import api as events
from wagtail_learning.events.models import EventPage, Invitation, Registration, RegistrationEntry

from .helpers import make_event, people

pytestmark = pytest.mark.django_db

# Inside the lock: the lock itself (reading the seats and the person's quota with it), one
# count of the seats and of the person's own place, the registration, its history entry.
LOCKED = 4
# Before the lock (4): the audience's organisations, the sessions (still open?), the
# questions, the person's organisation. After the commit, in the request (1): the message
# put on the task queue (the ORM broker's row).
WHOLE = 4 + LOCKED + 1
# The queued task, for a seat (7): the registration read and claimed under its row lock
# (still a seat, not sent yet?), the sessions, the meeting link (a seat?), the one
# session's invitation (read, then written), the site (the event's address in the mail);
# in line (3): the registration read and claimed, the site.
TASK_REGISTERED = 7
TASK_WAITLISTED = 3


SAVEPOINTS = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


def statements(queries) -> list[str]:
    return [q["sql"] for q in queries if not q["sql"].startswith(SAVEPOINTS)]


def locked_section(queries) -> list[str]:
    """The statements of the registration's own transaction (opened as a savepoint)."""
    sqls = [q["sql"] for q in queries]
    start = next(i for i, sql in enumerate(sqls) if sql.startswith("SAVEPOINT"))
    locked = [sql for sql in sqls[start:] if not sql.startswith(SAVEPOINTS)]
    if connection.vendor == "postgresql":
        assert "FOR UPDATE" in locked[0], locked[0]
    return locked


def register_counted(person, event, django_capture_on_commit_callbacks, monkeypatch):
    """Register `person`, counting the request's statements (under the lock, and the
    on-commit work with the real ORM broker, not the test settings' synchronous queue),
    then run the queued task and count its statements."""
    monkeypatch.setattr(Conf, "SYNC", False)
    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        CaptureQueriesContext(connection) as during,
    ):
        result = events.register(person, event=event)
    with CaptureQueriesContext(connection) as after:
        for callback in callbacks:
            callback()
    (queued,) = OrmQ.objects.all()
    task = queued.task
    assert task["func"] == "wagtail_learning.events.tasks.send_registration_message_task"
    monkeypatch.undo()
    function = import_string(task["func"])
    with CaptureQueriesContext(connection) as in_task:
        assert function(*task["args"]) is True
    whole = statements(during) + statements(after.captured_queries)
    return result, during.captured_queries, whole, statements(in_task.captured_queries)


@pytest.fixture
def rush():
    """The last seat of an event with a quota for the person's municipality: the one
    taking it and the one after them (who waits)."""
    huddinge = org_unit("Huddinge kommun")
    event = make_event(seats=3, quotas=[(huddinge, 3)])
    early = people(huddinge, 2, prefix="early")
    for person in early:
        events.register(person, event=event)
    last, late = people(huddinge, 2, prefix="rush")
    return EventPage.objects.get(pk=event.pk), last, late


def test_the_last_seat_is_decided_in_four_statements_under_the_lock(
    rush, django_capture_on_commit_callbacks, monkeypatch, mailoutbox
):
    event, last, _late = rush
    mailoutbox.clear()
    result, during, whole, in_task = register_counted(
        last, event, django_capture_on_commit_callbacks, monkeypatch
    )

    assert result.registration.status == Registration.Status.REGISTERED
    locked = locked_section(during)
    assert len(locked) == LOCKED, "\n".join(locked)
    assert "INSERT" in locked[-2] and "events_registration" in locked[-2]
    assert "INSERT" in locked[-1] and "events_registrationentry" in locked[-1]
    assert len(whole) == WHOLE, "\n".join(whole)
    assert "django_q_ormq" in whole[-1]
    # The invitation is written by the task, and the person gets it.
    assert not any("events_invitation" in sql for sql in whole)
    assert len(in_task) == TASK_REGISTERED, "\n".join(in_task)
    assert Invitation.objects.filter(user=last, session__page=event).count() == 1
    assert [message.to for message in mailoutbox] == [[last.email]]
    assert RegistrationEntry.objects.filter(registration=result.registration).count() == 1


def test_the_one_after_the_last_seat_waits_in_as_few(
    rush, django_capture_on_commit_callbacks, monkeypatch, mailoutbox
):
    event, last, late = rush
    events.register(last, event=event)
    mailoutbox.clear()
    result, during, whole, in_task = register_counted(
        late, event, django_capture_on_commit_callbacks, monkeypatch
    )

    assert result.registration.status == Registration.Status.WAITLISTED
    assert len(locked_section(during)) == LOCKED, "\n".join(locked_section(during))
    assert len(whole) == WHOLE, "\n".join(whole)
    assert len(in_task) == TASK_WAITLISTED, "\n".join(in_task)
    assert not Invitation.objects.filter(user=late).exists()
    assert [message.to for message in mailoutbox] == [[late.email]]
