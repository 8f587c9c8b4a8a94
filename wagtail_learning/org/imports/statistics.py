"""The planner's statistics after a bulk write: which tables a block of code wrote to, and
ANALYZE for them on PostgreSQL.

A staff import can multiply the rows of users, profiles, memberships and enrolments at
once. Until autovacuum analyses them (it waits for 10 % of a table to change, and then for
its next round), PostgreSQL plans the compliance reports from the old row counts: 8.5x the
time for 10x the people (issue 26). The tables are found from the statements themselves,
so what the import's hooks write (compliance's enrolments) is included without the
organisation layer naming another app's tables.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

__all__ = ["analyse_tables", "recording_written_tables"]

_WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([\w.]+)"?', re.IGNORECASE)


@contextmanager
def recording_written_tables() -> Iterator[set[str]]:
    """Yields a set that fills with the names of the tables written (INSERT, UPDATE,
    DELETE) on the default connection inside the block."""
    tables: set[str] = set()

    def record(execute, sql, params, many, context):
        match = _WRITE.match(sql)
        if match:
            tables.add(match.group(1))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield tables


def analyse_tables(tables: set[str]) -> None:
    """ANALYZE `tables` in one statement on PostgreSQL (it samples, so it costs little
    and takes no lock that blocks reads or writes); nothing elsewhere."""
    if connection.vendor != "postgresql" or not tables:
        return
    names = ", ".join(connection.ops.quote_name(name) for name in sorted(tables))
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {names}")
