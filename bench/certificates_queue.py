"""500 certificates through a real django-q2 cluster (ORM broker, two workers).

    .venv/bin/python bench/certificates_queue.py [--count 500] [--workers 2] [--timeout 600]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \
        .venv/bin/python bench/certificates_queue.py

Creates the pending certificates in bulk (with a design), enqueues their render tasks on the
ORM broker, starts `manage.py qcluster` (settings tests.qcluster_settings, Q_WORKERS), waits
until all are ready or the timeout passes, then stops the cluster with SIGTERM. SQLite runs
on a file database (the cluster is another process). Prints throughput and how many were
lost (not ready), failed, or rendered more than once.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from _setup import django_test_database


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-certificates-queue-"))
    import django

    django.setup()
    from django.db import connection

    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = str(workdir / "bench.sqlite3")

    try:
        with django_test_database() as connection:
            run(args, connection, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(args, connection, workdir: Path) -> None:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db.models import Max, Min, Sum
    from django.utils import timezone
    from django_q.models import Failure, OrmQ
    from django_q.tasks import async_task

    from tests.factories import CertificateDesignFactory
    from tests.qcluster import running_qcluster, share_database
    from wagtail_learning.certificates.codes import new_code
    from wagtail_learning.certificates.models import Certificate

    design = CertificateDesignFactory(validity_months=24, revision=True)
    users = get_user_model().objects.bulk_create(
        get_user_model()(
            username=f"bench{n}",
            email=f"bench{n}@example.se",
            first_name="Lena",
            last_name=f"Larsson {n}",
        )
        for n in range(args.count)
    )
    now = timezone.now()
    certificates = Certificate.objects.bulk_create(
        Certificate(
            user=user,
            design=design,
            design_revision=design.latest_revision,
            code=new_code(),
            kind="course",
            learner_name=user.get_full_name(),
            title="Jämlik styrning i praktiken",
            organisation=design.organisation,
            language="sv",
            completed_at=now,
            expires_at=now.replace(year=now.year + 2),
        )
        for user in users
    )
    ids = [c.pk for c in certificates] or list(Certificate.objects.values_list("pk", flat=True))
    started = time.perf_counter()
    for certificate_id in ids:
        # What services.enqueue_render does, on the ORM broker: this process's Conf.SYNC
        # is True (test settings), and an explicit sync=False wins over it.
        async_task(
            "wagtail_learning.certificates.tasks.render_certificate_task",
            certificate_id,
            group="certificates",
            sync=False,
        )
    enqueue_seconds = time.perf_counter() - started
    assert OrmQ.objects.count() == args.count

    def ready() -> int:
        return Certificate.objects.filter(status=Certificate.Status.READY).count()

    shared = share_database(connection, workdir)
    assert not shared.copied  # a file or PostgreSQL database: the cluster shares it
    first_ready_at = None
    with running_qcluster(
        database=shared.name,
        media_root=settings.MEDIA_ROOT,
        protected_media_root=settings.PROTECTED_MEDIA_ROOT,
        workdir=workdir,
        workers=args.workers,
    ) as cluster:
        started = time.perf_counter()

        def all_ready() -> bool:
            nonlocal first_ready_at
            count = ready()
            if count and first_ready_at is None:
                first_ready_at = time.perf_counter() - started
            return count >= args.count

        finished = cluster.wait_for(all_ready, timeout=args.timeout, every=0.2)
        elapsed = time.perf_counter() - started
        stop_started = time.perf_counter()
    stop_seconds = time.perf_counter() - stop_started
    log = cluster.log()

    done = ready()
    stats = Certificate.objects.filter(status=Certificate.Status.READY).aggregate(
        first=Min("rendered_at"), last=Max("rendered_at"), attempts=Sum("render_attempts")
    )
    span = (stats["last"] - stats["first"]).total_seconds() if done > 1 else 0
    print(
        f"database: {connection.vendor}; {args.count} certificates; "
        f"{args.workers} workers; ORM broker"
    )
    print(f"enqueue: {enqueue_seconds:.2f} s ({args.count / enqueue_seconds:.0f} tasks/s)")
    if first_ready_at is not None:
        print(f"cluster start -> first ready: {first_ready_at:.1f} s")
    print(
        f"cluster start -> {'all' if finished else 'timeout,'} {done} ready: {elapsed:.1f} s "
        f"-> {done / elapsed:.1f} certificates/s overall"
    )
    if span:
        print(f"first -> last rendered_at: {span:.1f} s -> {(done - 1) / span:.1f} certificates/s")
    print(f"lost (not ready): {args.count - done}")
    print(
        f"failed: {Certificate.objects.filter(status=Certificate.Status.FAILED).count()}; "
        f"rendered more than once: {(stats['attempts'] or 0) - done}; "
        f"failed tasks: {Failure.objects.count()}; left in queue: {OrmQ.objects.count()}"
    )
    print(f"cluster stop (SIGTERM): {stop_seconds:.1f} s, exit code {cluster.process.returncode}")
    if not finished or cluster.process.returncode:
        print("--- qcluster log (tail) ---")
        print(log)


if __name__ == "__main__":
    main()
