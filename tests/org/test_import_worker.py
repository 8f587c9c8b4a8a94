"""A staff import queued as in the admin runs to completion in a real `manage.py qcluster`
process (ORM broker, not sync mode), reporting its progress in the stored import."""

from __future__ import annotations

import functools

import django_q.tasks
import pytest
from django.conf import settings
from django.db import connection
from django_q.models import OrmQ, Success

from tests.factories import SuperuserFactory, hr_export, hr_row, unit_at
from tests.qcluster import read_sqlite, running_qcluster, share_database
from wagtail_learning.org.api import find_unit, queue_staff_import, start_staff_import
from wagtail_learning.org.models import LearnerProfile, StaffImport

pytestmark = pytest.mark.django_db(transaction=True)

WAIT_SECONDS = 60


@pytest.fixture
def queue_for_real(monkeypatch):
    """Enqueue on the ORM broker instead of running in-process (see tests/certificates)."""
    monkeypatch.setattr(
        django_q.tasks, "async_task", functools.partial(django_q.tasks.async_task, sync=False)
    )


def test_a_qcluster_process_runs_the_import(queue_for_real, tmp_path):
    unit_at("Huddinge/Socialförvaltningen/Enhet A")
    user = SuperuserFactory()
    data, name = hr_export([hr_row(f"{1000 + n}", "Anna") for n in range(25)])
    staff_import = start_staff_import(
        data=data,
        filename=name,
        scope=find_unit("Huddinge"),
        full=False,
        create_units=False,
        user=user,
    )
    assert queue_staff_import(staff_import, mapping=staff_import.mapping, user=user)
    assert StaffImport.objects.get().status == StaffImport.Status.QUEUED
    assert OrmQ.objects.count() == 1
    assert not LearnerProfile.objects.exists()

    shared = share_database(connection, tmp_path)

    def scalar(sql: str, *params):
        if shared.copied:
            return read_sqlite(shared.name, sql.replace("%s", "?"), params)[0][0]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]

    def finished() -> bool:
        status = scalar("SELECT status FROM org_staffimport WHERE id = %s", staff_import.pk)
        saved = scalar(
            "SELECT COUNT(*) FROM django_q_task WHERE func = %s AND success = %s",
            "wagtail_learning.org.tasks.run_staff_import_task",
            True,
        )
        return status == "done" and saved == 1

    with running_qcluster(
        database=shared.name,
        media_root=settings.MEDIA_ROOT,
        protected_media_root=settings.PROTECTED_MEDIA_ROOT,
        workdir=tmp_path,
    ) as cluster:
        done = cluster.wait_for(finished, timeout=WAIT_SECONDS)
        assert done, f"not done after {WAIT_SECONDS} s:\n{cluster.log()}"
    assert cluster.process.returncode == 0, cluster.log()
    shared.bring_back()

    staff_import.refresh_from_db()
    assert staff_import.status == StaffImport.Status.DONE
    assert (staff_import.rows_done, staff_import.rows_total) == (25, 25)
    assert staff_import.counts["created"] == 25
    assert LearnerProfile.objects.count() == 25
    task = Success.objects.get(func="wagtail_learning.org.tasks.run_staff_import_task")
    assert task.args == (staff_import.pk,)
    assert task.result == "done"
