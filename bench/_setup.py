"""Shared set-up for benchmarks: Django with the test settings on a throwaway database
(SQLite, or PostgreSQL when DATABASE_URL points there)."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


@contextmanager
def django_test_database(*, keep: bool = False):
    """`keep`: reuse the test database if it exists and leave it afterwards (to measure
    again without building the data again)."""
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, keepdb=keep, serialize=False
    )
    try:
        yield connection
    finally:
        if not keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]
