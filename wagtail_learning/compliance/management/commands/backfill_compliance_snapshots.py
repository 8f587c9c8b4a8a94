"""Back-fill the daily compliance snapshots the charts read, for days before the schedule
wrote them (or days it missed).

    manage.py backfill_compliance_snapshots --days 365
    manage.py backfill_compliance_snapshots --from 2025-12-01 --to 2026-11-29

Each day is reconstructed as of its last moment: today's memberships and assignments, the
completions done by then, leavers by their leave date; enrolment states are today's (no
history of them is kept). Days the schedule measured are kept, not overwritten; run with
--month-ends to write only the last day of each month (what the charts show)."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from wagtail_learning.compliance.snapshots import end_of_day, write_compliance_snapshots


class Command(BaseCommand):
    help = "Write the daily compliance snapshots of past days (kept where they exist)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, help="the last N days before today")
        parser.add_argument("--from", dest="start", type=date.fromisoformat)
        parser.add_argument("--to", dest="end", type=date.fromisoformat)
        parser.add_argument(
            "--month-ends", action="store_true", help="only the last day of each month"
        )

    def handle(self, *args, days=None, start=None, end=None, month_ends=False, **options):
        today = timezone.localdate()
        if days:
            start, end = today - timedelta(days=days), today - timedelta(days=1)
        if not start:
            raise CommandError("Give --days N or --from DATE (and optionally --to DATE).")
        end = min(end or today - timedelta(days=1), today - timedelta(days=1))
        written = 0
        day = start
        while day <= end:
            if not month_ends or (day + timedelta(days=1)).day == 1:
                counts = write_compliance_snapshots(now=end_of_day(day), backfill=True)
                written += counts["snapshots"]
            day += timedelta(days=1)
        self.stdout.write(f"{written} snapshots considered from {start} to {end}")
