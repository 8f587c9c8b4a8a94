"""The registration rush (issue 21): N people register at once for an event's last K seats.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rush_bench \
        .venv/bin/python bench/registration_rush.py [--registrants 200] [--seats 20] \
        [--workers 20] [--rounds 3]

PostgreSQL only (SQLite serialises every writer: there is no row lock to queue on). Each
round builds two fresh events whose seats are all taken (`--taken`) but the last
`--seats`, then releases `--workers` processes together (each its own connection, as the
worker processes of app servers are), which share the `--registrants` people between them:

- register: `events.services.register` as the page calls it, all of it: the audience and
  the questions, the locked transaction, then the invitation and the mail (Django's
  local-memory outbox) after the commit;
- baseline: for the same people on the other event, a bare insert of the registration
  under the same row lock (SELECT ... FOR UPDATE on the event, INSERT, COMMIT): the least
  any exact registration can do.

Prints for each round and both: registrations/s (all registrants over the time from the
release to the last one done) and how long one registration held the event's lock (from
its SELECT ... FOR UPDATE returning to its commit; the rate the lock allows is one over
it, whatever the CPU); the exact-seat check; the ratios register/baseline of both. Then
the median ratios. The two alternate which goes first from round to round.

On a machine whose CPU is the limit (2 cores shared with PostgreSQL and the workers),
registrations/s measures the CPU each registration costs, in or out of the lock; the time
held measures what the rush queues on, the part no further app server can add to.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import time

from _setup import django_test_database


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--registrants", type=int, default=200)
    parser.add_argument("--seats", type=int, default=20, help="the last seats left")
    parser.add_argument("--taken", type=int, default=80, help="seats already taken")
    parser.add_argument("--workers", type=int, default=20, help="processes (connections)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only: set DATABASE_URL (SQLite has no row locks to queue on)")
    # The database named in DATABASE_URL is used (dropped and made again) as is.
    connection.settings_dict["TEST"]["NAME"] = connection.settings_dict["NAME"]
    with django_test_database():
        run(args)


def run(args) -> None:
    from django.db import connections, transaction
    from django.utils import timezone

    from tests.events.helpers import make_event, people
    from tests.factories import org_unit
    from wagtail_learning.events.models import Invitation, Registration, RegistrationEntry
    from wagtail_learning.events.services import _lock_event, organisation_of, register

    unit = org_unit("Huddinge kommun")
    crowd = people(unit, args.registrants, prefix="rush")
    early = people(unit, args.taken, prefix="early")
    organisation = organisation_of(crowd[0])

    def fresh_event(title: str):
        event = make_event(title=title, seats=args.taken + args.seats)
        Registration.objects.bulk_create(
            Registration(
                event=event, user=person, organisation=organisation,
                status=Registration.Status.REGISTERED, queued_at=timezone.now(),
            )
            for person in early
        )  # fmt: skip
        return event

    def real(person, event) -> None:
        register(person, event=event)

    def bare(person, event) -> None:
        with transaction.atomic():
            _lock_event(event)
            Registration.objects.create(
                event=event, user=person, organisation=organisation,
                status=Registration.Status.REGISTERED, queued_at=timezone.now(),
            )  # fmt: skip

    # Warm up (templates, translations, the ORM's caches) before the workers are forked.
    warm = fresh_event("Uppvärmning")
    real(crowd[0], warm)
    bare(crowd[1], warm)

    context = multiprocessing.get_context("fork")

    def rush(call, event) -> tuple[float, float]:
        """All registrants through the workers at once: registrations per second, and the
        mean time (ms) one registration held the event's lock (from the moment its
        SELECT ... FOR UPDATE returned to its commit)."""
        barrier = context.Barrier(args.workers + 1)
        spans = context.Queue()
        shares = [crowd[i :: args.workers] for i in range(args.workers)]
        connections.close_all()  # each worker opens its own

        def work(share) -> None:
            holds: list[float] = []

            def timed_lock(execute, sql, params, many, context):
                result = execute(sql, params, many, context)
                if "FOR UPDATE" in sql and '"events_eventpage"' in sql:
                    granted = time.monotonic()
                    # The first commit hook: it runs as the commit returns, before the
                    # registration's own (the invitation, the mail).
                    transaction.on_commit(lambda: holds.append(time.monotonic() - granted))
                return result

            list(Registration.objects.filter(pk=0))  # connected before the start
            barrier.wait()
            started = time.monotonic()
            try:
                with connections["default"].execute_wrapper(timed_lock):
                    for person in share:
                        call(person, event)
            except Exception as error:
                spans.put(error)
                raise
            spans.put((started, time.monotonic(), holds))
            connections.close_all()

        workers = [context.Process(target=work, args=(share,)) for share in shares]
        for worker in workers:
            worker.start()
        barrier.wait()
        got = [spans.get(timeout=600) for _ in workers]
        for worker in workers:
            worker.join()
        failed = [span for span in got if isinstance(span, Exception)]
        if failed:
            sys.exit(f"{len(failed)} workers failed: {failed[0]!r}")
        elapsed = max(end for _, end, _ in got) - min(start for start, _, _ in got)
        holds = [hold for _, _, held in got for hold in held]
        assert len(holds) == args.registrants, len(holds)
        return args.registrants / elapsed, statistics.mean(holds) * 1000

    def check(event) -> tuple[str, bool]:
        places = Registration.objects.filter(event=event, user__in=crowd)
        seated = places.filter(status=Registration.Status.REGISTERED).count()
        waiting = list(
            places.filter(status=Registration.Status.WAITLISTED)
            .order_by("queued_at", "pk")
            .values_list("pk", flat=True)
        )
        history = list(
            RegistrationEntry.objects.filter(registration__in=waiting, action="waitlisted")
            .order_by("pk")
            .values_list("registration_id", flat=True)
        )
        total = Registration.objects.filter(event=event, status="registered").count()
        invited = Invitation.objects.filter(session__page=event, user__in=crowd).count()
        exact = (
            seated == args.seats
            and total == args.taken + args.seats
            and places.count() == args.registrants
            and len(waiting) == args.registrants - args.seats
            and history == waiting
            and invited == args.seats
        )
        verdict = "exact" if exact else "NOT EXACT"
        return (
            f"{seated} seated ({total}/{args.taken + args.seats} seats), {len(waiting)} in "
            f"line in order: {history == waiting}, {invited} invitations: {verdict}"
        ), exact

    print(
        f"database: postgresql; {args.registrants} registrants for the last {args.seats} "
        f"seats ({args.taken} taken) through {args.workers} workers; {args.rounds} rounds"
    )
    ratios, lock_ratios = [], []
    all_exact = True
    for number in range(1, args.rounds + 1):
        mine, base = fresh_event(f"Rusning {number}"), fresh_event(f"Baslinje {number}")
        if number % 2:
            base_rate, base_hold = rush(bare, base)
            rate, hold = rush(real, mine)
        else:
            rate, hold = rush(real, mine)
            base_rate, base_hold = rush(bare, base)
        summary, exact = check(mine)
        all_exact = all_exact and exact
        ratios.append(rate / base_rate)
        lock_ratios.append(base_hold / hold)
        print(
            f"round {number}: register {rate:6.1f}/s (lock held {hold:5.2f} ms each), "
            f"baseline {base_rate:6.1f}/s (held {base_hold:5.2f} ms); ratio {rate / base_rate:.2f} "
            f"(what the lock allows: {base_hold / hold:.2f}); {summary}"
        )
    print(
        f"median ratio register/baseline: {statistics.median(ratios):.2f} registrations/s, "
        f"{statistics.median(lock_ratios):.2f} what the lock allows (1 / time held)"
    )
    print(f"exact seats in every round: {all_exact}")


if __name__ == "__main__":
    main()
