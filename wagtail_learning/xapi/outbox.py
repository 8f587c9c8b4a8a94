"""The outbox: statements written in the transaction of their event, sent by the task
queue, retried with backoff until the LRS has them.

Nothing is lost: a row stays until its LRS answered 2xx (the LRS down, a timeout, a worker
that died: it is tried again). Nothing is sent twice: a run claims its rows with a lease
(compare-and-set on `next_attempt_at`), so two workers never send the same row at once,
and the statement id is derived from the event, so the rare resend (a worker that died
between the LRS's answer and our write) is the same statement, which the LRS keeps once
(xAPI 1.0.3, PUT Statements)."""

from __future__ import annotations

from datetime import datetime, timedelta

import requests
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from wagtail_learning.org.api import LearnerProfile, organisations_of

from . import conf
from .models import LrsConnection, StatementOutbox
from .statements import LearningEvent, build_statement, opaque_account_name, statement_id_for
from .vocabulary import XAPI_VERSION, ActorKind, State

__all__ = ["actor_for", "queue_sending", "record_event", "send_due"]

UNSENT = (State.PENDING, State.FAILING)
SEND_TASK = "wagtail_learning.xapi.tasks.send_statements_task"


def actor_for(connection: LrsConnection, user) -> dict | None:
    """The statement's actor, carrying only what the organisation chose; None when the
    person has no such identifier (no email, no employee number): then no statement."""
    if connection.actor == ActorKind.MBOX:
        email = (user.email or "").strip()
        return {"objectType": "Agent", "mbox": f"mailto:{email}"} if email else None
    if connection.actor == ActorKind.EMPLOYEE_NUMBER:
        number = (
            LearnerProfile.objects.filter(user_id=user.pk)
            .values_list("employee_number", flat=True)
            .first()
        )
        name = (number or "").strip()
    else:
        name = opaque_account_name(connection.actor_salt, user.pk)
    if not name:
        return None
    return {"objectType": "Agent", "account": {"homePage": connection.home_page, "name": name}}


def record_event(event: LearningEvent) -> int:
    """Write the event's statement to the outbox of every enabled LRS of the learner's
    organisations, in the caller's transaction, and queue sending once it commits.
    Idempotent: an event key already in an outbox adds nothing. Returns rows written."""
    user = event.user
    if user is None or getattr(user, "pk", None) is None:
        return 0
    enabled = LrsConnection.objects.filter(enabled=True)
    if not enabled.exists():  # the common case: one cheap query
        return 0
    connections = list(enabled.filter(organisation_id__in=organisations_of(user)))
    written = 0
    for connection in connections:
        actor = actor_for(connection, user)
        if actor is None:
            continue
        statement_id = statement_id_for(event.key, connection_salt=connection.actor_salt)
        if StatementOutbox.objects.filter(
            connection=connection, statement_id=statement_id
        ).exists():
            continue
        try:
            with transaction.atomic():
                StatementOutbox.objects.create(
                    connection=connection,
                    statement_id=statement_id,
                    user=user,
                    event=event.event,
                    statement=build_statement(event, statement_id=statement_id, actor=actor),
                    next_attempt_at=timezone.now(),
                )
        except IntegrityError:
            continue  # a concurrent transaction recorded the same event
        written += 1
    if written:
        transaction.on_commit(queue_sending)
    return written


def queue_sending() -> None:
    from django_q.tasks import async_task

    async_task(SEND_TASK)


def _backoff(attempts: int) -> timedelta:
    seconds = conf.retry_seconds() * 2 ** max(0, min(attempts - 1, 20))
    return timedelta(seconds=min(seconds, conf.retry_max_seconds()))


def _claim(connection: LrsConnection, now: datetime) -> list[StatementOutbox]:
    due = (
        connection.outbox.filter(state__in=UNSENT, next_attempt_at__lte=now)
        .order_by("created_at", "pk")
        .values_list("pk", "next_attempt_at")[: conf.batch_size()]
    )
    lease_until = now + timedelta(seconds=2 * conf.timeout_seconds() * conf.batch_size() + 60)
    claimed = [
        pk
        for pk, seen in due
        if StatementOutbox.objects.filter(pk=pk, state__in=UNSENT, next_attempt_at=seen).update(
            next_attempt_at=lease_until
        )
    ]
    return list(StatementOutbox.objects.filter(pk__in=claimed).order_by("created_at", "pk"))


def _failed(row: StatementOutbox, error: str, now: datetime) -> None:
    attempts = row.attempts + 1
    StatementOutbox.objects.filter(pk=row.pk, state__in=UNSENT).update(
        state=State.FAILING,
        attempts=attempts,
        last_error=error[:2000],
        next_attempt_at=now + _backoff(attempts),
    )


def _send_connection(connection: LrsConnection, now: datetime) -> int:
    rows = _claim(connection, now)
    if not rows:
        return 0
    session = requests.Session()
    session.auth = (connection.key, connection.secret)
    session.headers["X-Experience-API-Version"] = XAPI_VERSION
    sent = 0
    try:
        for index, row in enumerate(rows):
            try:
                response = session.put(
                    connection.statements_url,
                    params={"statementId": str(row.statement_id)},
                    json=row.statement,
                    timeout=conf.timeout_seconds(),
                )
            except requests.RequestException as error:
                # The LRS cannot be reached: the rest of the batch would fail the same way.
                for waiting in rows[index:]:
                    _failed(waiting, f"{type(error).__name__}: {error}", now)
                break
            if 200 <= response.status_code < 300:
                StatementOutbox.objects.filter(pk=row.pk, state__in=UNSENT).update(
                    state=State.SENT,
                    sent_at=timezone.now(),
                    attempts=F("attempts") + 1,
                    last_error="",
                )
                sent += 1
            else:
                _failed(row, f"HTTP {response.status_code}: {response.text[:500]}", now)
    finally:
        session.close()
    return sent


def send_due(*, now: datetime | None = None) -> int:
    """Send the statements whose time has come, per enabled LRS, oldest first. Safe to run
    twice and from several workers at once. Returns how many the LRSs accepted."""
    now = now or timezone.now()
    connections = LrsConnection.objects.filter(
        enabled=True,
        pk__in=StatementOutbox.objects.filter(state__in=UNSENT, next_attempt_at__lte=now).values(
            "connection_id"
        ),
    )
    return sum(_send_connection(connection, now) for connection in connections)
