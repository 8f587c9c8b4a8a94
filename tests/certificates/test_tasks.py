"""The render task through a real django-q2 cluster on the ORM broker (not sync mode):
complete the course here, a separate `manage.py qcluster` process renders the PDF."""

from __future__ import annotations

import functools

import django_q.tasks
import pytest
from django.conf import settings
from django.db import connection
from django_q.models import OrmQ, Success

from tests.qcluster import read_sqlite, running_qcluster, share_database
from wagtail_learning.certificates.models import Certificate

from .conftest import COMPLETED_SV, complete_course, pdf_bytes, pdf_text

pytestmark = pytest.mark.django_db(transaction=True)

WAIT_SECONDS = 60


@pytest.fixture
def queue_for_real(monkeypatch):
    """Enqueue on the ORM broker instead of running in-process.

    Conf.SYNC is True in this process (test settings); django-q2's async_task honours an
    explicit sync=False over it, and the services look async_task up when they enqueue."""
    monkeypatch.setattr(
        django_q.tasks, "async_task", functools.partial(django_q.tasks.async_task, sync=False)
    )


def test_a_qcluster_process_renders_the_certificate(certified, learner, queue_for_real, tmp_path):
    complete_course(learner, certified)  # commits: hooks fire, the task is queued

    certificate = Certificate.objects.get(user=learner)
    assert certificate.status == Certificate.Status.PENDING
    assert OrmQ.objects.count() == 1
    assert not certificate.pdf

    shared = share_database(connection, tmp_path)

    def scalar(sql: str, *params):
        """One value from the database the cluster writes to (the copy, on SQLite)."""
        if shared.copied:
            return read_sqlite(shared.name, sql.replace("%s", "?"), params)[0][0]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]

    def status() -> str:
        return scalar("SELECT status FROM certificates_certificate WHERE id = %s", certificate.pk)

    def finished() -> bool:
        # The monitor saves the task's result just after the task returns; the broker's
        # row is deleted when it is acknowledged.
        saved = scalar(
            "SELECT COUNT(*) FROM django_q_task WHERE func = %s AND success = %s",
            "wagtail_learning.certificates.tasks.render_certificate_task",
            True,
        )
        return (
            status() == "ready" and saved == 1 and scalar("SELECT COUNT(*) FROM django_q_ormq") == 0
        )

    with running_qcluster(
        database=shared.name,
        media_root=settings.MEDIA_ROOT,
        protected_media_root=settings.PROTECTED_MEDIA_ROOT,
        workdir=tmp_path,
    ) as cluster:
        done = cluster.wait_for(finished, timeout=WAIT_SECONDS)
        assert done, f"not done after {WAIT_SECONDS} s (status {status()}):\n{cluster.log()}"
    assert cluster.process.returncode == 0, cluster.log()
    shared.bring_back()

    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.READY
    assert certificate.render_attempts == 1
    assert certificate.last_error == ""
    text = pdf_text(pdf_bytes(certificate))
    assert "Åsa Öberg-Lindqvist" in text
    assert "Jämlik styrning i praktiken" in text
    assert COMPLETED_SV in text
    assert certificate.code in text
    assert Certificate.objects.count() == 1
    assert not OrmQ.objects.exists()
    task = Success.objects.get(func="wagtail_learning.certificates.tasks.render_certificate_task")
    assert task.args == (certificate.pk,)
    assert task.result == "ready"
