"""The outbox: nothing lost while the LRS is down, nothing sent twice, nothing of a person
sent after they were anonymised, and each organisation sees only its own statements."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from tests.factories import hr_user
from tests.lrs import SECRET
from tests.xapi.helpers import LectureAndQuizCourse, learner_in, municipality
from wagtail_learning.compliance import api as compliance
from wagtail_learning.xapi import outbox
from wagtail_learning.xapi.models import LrsConnection, StatementOutbox
from wagtail_learning.xapi.outbox import send_due
from wagtail_learning.xapi.tasks import send_statements_task

pytestmark = pytest.mark.django_db


def stored_ids(lrs) -> list[str]:
    return [statement["id"] for statement in lrs.stored()]


def test_while_the_lrs_is_down_statements_wait_with_the_error_and_go_once_it_is_back(
    lrs, django_capture_on_commit_callbacks
):
    _, unit, connection = municipality(lrs)
    learner = learner_in(unit, "down")
    course = LectureAndQuizCourse()
    lrs.stop()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            course.watch(learner)  # sending is tried on commit, and fails
        row = connection.outbox.get()
        assert row.state == "failing" and row.attempts == 1
        assert "ConnectionError" in row.last_error
        first_wait = row.next_attempt_at - timezone.now()
        assert timedelta(seconds=50) < first_wait <= timedelta(seconds=60)

        assert send_due() == 0  # not due yet: nothing tried
        assert connection.outbox.get().attempts == 1
        assert send_due(now=row.next_attempt_at + timedelta(seconds=1)) == 0  # still down
        row = connection.outbox.get()
        assert row.state == "failing" and row.attempts == 2
        assert row.next_attempt_at - timezone.now() > timedelta(seconds=100)  # backoff doubles
    finally:
        lrs.start()

    later = row.next_attempt_at + timedelta(seconds=1)
    assert send_statements_task() == 0  # the periodic run before the wait is over
    assert send_due(now=later) == 1
    row.refresh_from_db()
    assert row.state == "sent" and row.attempts == 3 and row.last_error == ""
    assert stored_ids(lrs).count(str(row.statement_id)) == 1
    assert send_due(now=later + timedelta(days=1)) == 0


def test_the_send_task_run_twice_or_by_two_workers_sends_each_statement_once(
    lrs, django_capture_on_commit_callbacks, monkeypatch
):
    _, unit, connection = municipality(lrs)
    learner = learner_in(unit, "twice")
    course = LectureAndQuizCourse()
    with django_capture_on_commit_callbacks(execute=False):  # the queued send is lost
        course.watch(learner)
        course.answer(learner, correct=True)
    assert set(connection.outbox.values_list("state", flat=True)) == {"pending"}
    ids = [str(s) for s in connection.outbox.values_list("statement_id", flat=True)]
    assert len(ids) == 4  # lecture, quiz, module, course

    # Two workers at once: the second runs the whole task between the first's claim and
    # its sends; it finds every row claimed (a lease) and sends nothing.
    original, results = outbox._claim, []

    def other_worker_between(connection, now):
        claimed = original(connection, now)
        monkeypatch.setattr(outbox, "_claim", original)
        results.append(send_statements_task())
        return claimed

    monkeypatch.setattr(outbox, "_claim", other_worker_between)
    results.append(send_statements_task())
    assert results == [0, 4]
    assert send_statements_task() == 0  # and run again later: nothing left
    # A worker that died after the LRS took a statement and before it wrote so: the row
    # is sent again, and the LRS keeps one statement (the same id, the same statement).
    again = connection.outbox.first()
    StatementOutbox.objects.filter(pk=again.pk).update(
        state="pending", next_attempt_at=timezone.now()
    )
    assert send_statements_task() == 1
    stored = stored_ids(lrs)
    assert all(stored.count(statement_id) == 1 for statement_id in ids)
    assert set(connection.outbox.values_list("state", flat=True)) == {"sent"}


def test_anonymising_a_person_drops_their_unsent_statements_and_empties_the_sent_ones(
    lrs, django_capture_on_commit_callbacks
):
    _, unit, connection = municipality(lrs)
    leaver = learner_in(unit, "leaver", leave_date=timezone.localdate() - timedelta(days=400))
    stays = learner_in(unit, "stays")
    course = LectureAndQuizCourse()
    with django_capture_on_commit_callbacks(execute=True):
        course.watch(leaver)  # sent
    with django_capture_on_commit_callbacks(execute=False):  # waiting in the outbox
        course.answer(leaver, correct=True)
        course.watch(stays)
    unsent = list(connection.outbox.filter(user=leaver, state="pending"))
    assert len(unsent) == 3

    assert compliance.anonymise_leavers(now=timezone.now(), after_days=365) == 1

    assert not connection.outbox.filter(pk__in=[r.pk for r in unsent]).exists()
    sent = connection.outbox.get(user=leaver)
    assert sent.state == "sent" and sent.statement == {}
    assert send_due(now=timezone.now() + timedelta(minutes=1)) == 1  # the colleague's only
    stored = stored_ids(lrs)
    assert not any(str(r.statement_id) in stored for r in unsent)


def test_each_organisation_sees_its_own_lrs_and_outbox_with_state_and_last_error(
    lrs, client, django_capture_on_commit_callbacks
):
    kommun_a, unit_a, connection_a = municipality(endpoint="http://127.0.0.1:9/xAPI/")
    kommun_b, unit_b, connection_b = municipality(lrs)
    course = LectureAndQuizCourse()
    with django_capture_on_commit_callbacks(execute=True):
        course.watch(learner_in(unit_a, "ina"))
        course.watch(learner_in(unit_b, "inb"))
    row_a, row_b = connection_a.outbox.get(), connection_b.outbox.get()
    assert (row_a.state, row_b.state) == ("failing", "sent")

    hr_a = hr_user(kommun_a, username="hr-a")
    hr_a.groups.get().permissions.add(
        *Permission.objects.filter(
            content_type__app_label="xapi",
            codename__in=["view_statementoutbox", "view_lrsconnection", "change_lrsconnection"],
        )
    )
    client.force_login(hr_a)

    listing = client.get(reverse("xapi_outbox:index"))
    assert listing.status_code == 200
    page = listing.content.decode()
    assert "Misslyckas" in page and "ConnectionError" in page  # state and error, in Swedish
    assert client.get(reverse("xapi_outbox:inspect", args=[row_a.pk])).status_code == 200
    assert client.get(reverse("xapi_outbox:inspect", args=[row_b.pk])).status_code == 404
    export = client.get(reverse("xapi_outbox:index") + "?export=csv")
    lines = b"".join(export.streaming_content).decode().strip().splitlines()
    assert len(lines) == 2 and lines[1].startswith("lecture_watched,failing,1,")  # A's only

    connections = client.get(reverse("xapi_connections:index")).content.decode()
    assert kommun_a.name in connections and kommun_b.name not in connections
    assert client.get(reverse("xapi_connections:edit", args=[connection_b.pk])).status_code == 404

    # The secret is stored encrypted and never shown back; left empty, it is kept.
    form = client.get(reverse("xapi_connections:edit", args=[connection_a.pk])).content.decode()
    assert SECRET not in form
    assert SECRET not in LrsConnection.objects.values_list("secret_encrypted", flat=True).get(
        pk=connection_a.pk
    )
    response = client.post(
        reverse("xapi_connections:edit", args=[connection_a.pk]),
        {
            "organisation": kommun_a.pk, "enabled": "on", "endpoint": lrs.endpoint,
            "key": connection_a.key, "actor": "account", "home_page": connection_a.home_page,
            "secret": "",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    connection_a.refresh_from_db()
    assert connection_a.secret == SECRET and connection_a.endpoint == lrs.endpoint
    # Pointed at a working LRS, what waited goes out.
    assert send_due(now=timezone.now() + timedelta(hours=1)) == 1
    assert str(row_a.statement_id) in stored_ids(lrs)
