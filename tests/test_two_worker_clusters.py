"""Two worker clusters on one Redis broker: two real `manage.py qcluster` processes take
tasks from the same Redis list (as two worker servers would). Every task is queued more
than once, as a sweep re-enqueueing lost work or a person clicking twice does, so the
clusters race on the same certificates and reminders; each effect still happens once:
one PDF and one email per certificate, one reminder per learner."""

from __future__ import annotations

import email
import functools
import os
import re
from datetime import timedelta
from pathlib import Path

import django_q.tasks
import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_q.brokers.redis_broker import Redis as RedisBroker

from tests.certificates.conftest import complete_course, make_certified_course
from tests.factories import CoursePageFactory, UserFactory, enrolled_learner
from tests.qcluster import read_sqlite, running_qcluster, share_database
from wagtail_learning.certificates.models import Certificate, CertificateDesign
from wagtail_learning.compliance.models import Reminder
from wagtail_learning.lms import api as lms
from wagtail_learning.lms.models import Enrolment

pytestmark = pytest.mark.django_db(transaction=True)

# A Redis database of the tests' own; flushed before and after, no other.
REDIS_URL = os.environ.get("LMS_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")
LEARNERS = 50  # certificates to render, and learners to remind
RENDER_COPIES = 2  # each render task queued twice
REMINDER_RUNS = 4  # the reminder job queued four times
WAIT_SECONDS = 300
RENDER = "wagtail_learning.certificates.tasks.render_certificate_task"
REMIND = "wagtail_learning.compliance.tasks.send_due_reminders_task"


@pytest.fixture
def redis_broker(monkeypatch):
    """django-q2's Redis broker on the tests' Redis database; this process's async_task
    puts its tasks there (test settings run tasks inline otherwise)."""
    connection_ = redis.from_url(REDIS_URL)
    try:
        connection_.ping()
    except redis.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    connection_.flushdb()
    broker = RedisBroker(list_key=settings.Q_CLUSTER["name"])
    broker.connection = connection_
    monkeypatch.setattr(
        django_q.tasks,
        "async_task",
        functools.partial(django_q.tasks.async_task, sync=False, broker=broker),
    )
    yield broker
    connection_.flushdb()


def email_messages(folder: Path) -> list[email.message.Message]:
    """The messages the file backend wrote (several to a file, each ending in a line of
    79 dashes)."""
    messages = []
    for path in sorted(folder.glob("*.log")):
        for part in path.read_text().split("-" * 79):
            if part.strip():
                messages.append(email.message_from_string(part.strip()))
    return messages


def test_two_clusters_on_one_redis_do_each_thing_once(redis_broker, tmp_path):
    # One certificate per learner, the course's: without the default design the module
    # (which names none) issues none of its own.
    CertificateDesign.objects.filter(is_default=True).delete()
    certified = make_certified_course()
    certificate_learners = [enrolled_learner(certified.course) for _ in range(LEARNERS)]
    for learner in certificate_learners:
        complete_course(learner, certified)  # commits: issued, its render queued on Redis
    certificates = list(Certificate.objects.order_by("pk"))
    assert len(certificates) == LEARNERS
    for _copy in range(RENDER_COPIES - 1):  # as the sweep queues a render it thinks lost
        for certificate in certificates:
            django_q.tasks.async_task(RENDER, certificate.pk)

    course = CoursePageFactory(title="Diskrimineringslagen & du")
    reminded = []
    for _ in range(LEARNERS):
        enrolment, _created = lms.enrol_learner(
            UserFactory(),
            course=course,
            source=Enrolment.Source.ADMIN,
            due_at=timezone.now() + timedelta(days=3),
        )
        reminded.append(enrolment)
    for _run in range(REMINDER_RUNS):
        django_q.tasks.async_task(REMIND)
    queued = LEARNERS * RENDER_COPIES + REMINDER_RUNS
    assert redis_broker.queue_size() == queued

    shared = share_database(connection, tmp_path)

    def scalar(sql: str, *params):
        if shared.copied:
            return read_sqlite(shared.name, sql.replace("%s", "?"), params)[0][0]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]

    def finished() -> bool:
        # Every queued task taken and its result saved (the scheduler's own tasks too).
        return (
            redis_broker.queue_size() == 0
            and scalar("SELECT COUNT(*) FROM django_q_task WHERE func = %s", RENDER)
            >= LEARNERS * RENDER_COPIES
            and scalar("SELECT COUNT(*) FROM django_q_task WHERE func = %s", REMIND)
            >= REMINDER_RUNS
        )

    mail = tmp_path / "mail"
    mail.mkdir()
    clusters = {
        "one": {"workers": 2, "redis_url": REDIS_URL, "email_dir": mail, "name": "cluster-one"},
        "two": {"workers": 2, "redis_url": REDIS_URL, "email_dir": mail, "name": "cluster-two"},
    }
    folders = {
        "database": shared.name,
        "media_root": settings.MEDIA_ROOT,
        "protected_media_root": settings.PROTECTED_MEDIA_ROOT,
        "workdir": tmp_path,
    }
    with (
        running_qcluster(**folders, **clusters["one"]) as one,
        running_qcluster(**folders, **clusters["two"]) as two,
    ):
        done = one.wait_for(lambda: (two.check_alive(), finished())[1], timeout=WAIT_SECONDS)
        assert done, f"not done after {WAIT_SECONDS} s:\n{one.log()}\n{two.log()}"
    assert (one.process.returncode, two.process.returncode) == (0, 0), one.log() + two.log()
    shared.bring_back()

    # Both clusters took tasks from the one list.
    for cluster in (one, two):
        taken = re.findall(r"processing \S+ '(\S+)'", cluster.log_path.read_text())
        assert RENDER in taken, cluster.log()

    # One render each: a second run found the certificate ready, or its render claimed.
    rendered = Certificate.objects.order_by("pk")
    assert [c.status for c in rendered] == [Certificate.Status.READY] * LEARNERS
    assert {c.render_attempts for c in rendered} == {1}
    # A second render would have stored a second file (the storage adds a suffix to the
    # name), and deleted none: one file per certificate.
    stored = Path(settings.PROTECTED_MEDIA_ROOT)
    assert [len(list(stored.rglob(f"{c.code}*.pdf"))) for c in rendered] == [1] * LEARNERS

    # One email per certificate and one reminder per learner, whichever cluster sent it.
    recipients = [message["To"] for message in email_messages(mail)]
    expected = [u.email for u in certificate_learners] + [e.user.email for e in reminded]
    assert sorted(recipients) == sorted(expected)
    assert Reminder.objects.count() == LEARNERS
    assert set(Reminder.objects.values_list("enrolment_id", flat=True)) == {e.pk for e in reminded}
