"""Two workers at once (django-q2 delivers at least once; the sweep may re-enqueue a task
that is still running): still one certificate and one render. Needs PostgreSQL's row locks
and real concurrent transactions."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections
from wagtail import hooks

from wagtail_learning.certificates import services
from wagtail_learning.certificates.models import Certificate
from wagtail_learning.certificates.rendering import WeasyPrintRenderer
from wagtail_learning.lms import api as lms
from wagtail_learning.lms.models import Completion

from .conftest import COMPLETED_AT

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


def at_once(target, *args, count: int = 2) -> list:
    """Run `target(*args)` in `count` threads released together; their results or errors."""
    barrier = threading.Barrier(count)
    results: list = []

    def run():
        try:
            barrier.wait()
            results.append(target(*args))
        except Exception as error:  # the test looks at them
            results.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def lost_enqueues(monkeypatch):
    lost = []
    monkeypatch.setattr(services, "enqueue_render", lost.append)
    return lost


def test_two_hooks_at_once_issue_one_certificate(certified, learner, lost_enqueues):
    completion = Completion.objects.create(
        user=learner, page=certified.course, kind="course", completed_at=COMPLETED_AT
    )

    def fire():
        for fn in hooks.get_hooks(lms.COURSE_COMPLETED):
            fn(user=learner, page=certified.course, completion=completion)

    results = at_once(fire, count=4)

    assert results == [None] * 4
    assert Certificate.objects.filter(user=learner).count() == 1


def test_two_workers_rendering_at_once_render_once(
    certified, learner, lost_enqueues, monkeypatch, mailoutbox
):
    completion = Completion.objects.create(
        user=learner, page=certified.course, kind="course", completed_at=COMPLETED_AT
    )
    certificate = services.issue_certificate(
        user=learner, page=certified.course, completion=completion
    )
    calls = []
    real = WeasyPrintRenderer.render

    def slow(self, context):
        calls.append(context["code"])
        time.sleep(0.3)  # long enough for the other worker to arrive at the lock
        return real(self, context)

    monkeypatch.setattr(WeasyPrintRenderer, "render", slow)

    results = at_once(services.render_certificate, certificate.pk)

    assert [type(result) for result in results] == [Certificate, Certificate]
    assert calls == [certificate.code]
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.READY
    assert certificate.render_attempts == 1
    assert len(mailoutbox) == 1
