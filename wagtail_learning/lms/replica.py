"""Report reads on a read replica (issue 26, decision 0049).

One mechanism: the report views are wrapped in `reads_from_replica` where their URLs are
registered; while such a view answers a GET or HEAD (its template rendered, its export
streamed), the database router sends reads to the alias named by LMS_REPORTS_DATABASE.
Everything else reads and writes the primary ("default"):

- every write, always, even of an object read from the replica (Django would otherwise
  write an object back to the database it came from);
- every read inside a transaction on the primary (a read that may lead to a write, or
  that must see one made earlier in the same transaction);
- the tables that decide who may read what (groups, permissions, sessions, reporting
  scopes, editorial groups): a right just taken away must not live on for the replica's lag;
- any request not to a marked view: the learner's own pages, the heartbeat, HR's
  assignments, imports and edits, the admin.

With LMS_REPORTS_DATABASE empty (the default) the router has no opinion and Django does
what it does without one.
"""

from __future__ import annotations

import functools
from contextvars import ContextVar

from django.core.signals import request_started
from django.db import DEFAULT_DB_ALIAS, connections, router

from wagtail_learning.defaults import value

# True while a report view (and the rendering and streaming of its response) runs.
_REPORT_READS: ContextVar[bool] = ContextVar("lms_report_reads", default=False)

SAFE_METHODS = frozenset({"GET", "HEAD"})
# Who may read what: always the primary. (app label, model name); None: the whole app.
# Users themselves are report data (the programme report counts them): a report view's
# request.user is loaded before the view, by the middleware and Wagtail's admin check.
PRIMARY_ONLY = frozenset(
    {
        ("auth", "permission"),
        ("auth", "group"),
        ("auth", "group_permissions"),
        ("auth", "user_groups"),
        ("auth", "user_user_permissions"),
        ("sessions", None),
        ("axes", None),
        ("org", "reportingscope"),
        ("org", "editorialgroup"),
    }
)


def reports_database() -> str:
    """The alias report views read from, or "" when reports read the primary."""
    alias = value("LMS_REPORTS_DATABASE")
    return alias if alias and alias in connections.databases else ""


def _primary_only(model) -> bool:
    meta = model._meta
    return (meta.app_label, None) in PRIMARY_ONLY or (
        meta.app_label,
        meta.model_name,
    ) in PRIMARY_ONLY


class ReplicaRouter:
    """DATABASE_ROUTERS entry: report views' reads to LMS_REPORTS_DATABASE, the rest to the
    primary."""

    def db_for_read(self, model, **hints):
        alias = reports_database()
        if not alias:
            return None
        if (
            _REPORT_READS.get()
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
            and not _primary_only(model)
        ):
            return alias
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        # Explicit: without it an object read from the replica is saved back to the replica.
        return DEFAULT_DB_ALIAS if reports_database() else None

    def allow_relation(self, obj1, obj2, **hints):
        alias = reports_database()
        if alias and {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, alias}:
            return True  # one database and its copy
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica is a copy of the primary: migrations run on the primary only.
        if db != DEFAULT_DB_ALIAS and db == value("LMS_REPORTS_DATABASE"):
            return False
        return None


def reading_connection(model):
    """The connection a report's raw SQL over `model`'s table runs on: the replica inside a
    report view (when one is configured), else the primary. Raw SQL on
    `django.db.connection` would always run on the primary."""
    return connections[router.db_for_read(model)]


def in_report_reads() -> bool:
    """Whether this request's reads go to the replica now (for tests and diagnostics)."""
    return _REPORT_READS.get()


def _end_report_reads(**kwargs) -> None:
    _REPORT_READS.set(False)


# A thread serves one request after another: a flag a crashed response left set must not
# send the next request's reads (a learner's heartbeat) to the replica.
request_started.connect(_end_report_reads, dispatch_uid="lms_replica_request_started")


def reads_from_replica(view):
    """Mark a report view: its GET and HEAD requests read from the replica (when one is
    configured) until the response is closed, so that rendering its template and streaming
    its export read there too. Other methods (a form posted to the same address) read and
    write the primary. Writes the view makes (the export's audit entry) go to the primary
    either way."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in SAFE_METHODS:
            return view(request, *args, **kwargs)
        token = _REPORT_READS.set(True)
        try:
            response = view(request, *args, **kwargs)
        except BaseException:
            _REPORT_READS.reset(token)
            raise
        # The response's close() (the WSGI server calls it after sending the last byte)
        # ends the reads; request_started ends them too, should close never come.
        response._resource_closers.append(_end_report_reads)
        return response

    wrapper.reads_from_replica = True
    return wrapper
