"""The staff import as one call, and who may import where."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ..errors import InvalidInput, OutOfScope
from ..models import Organisation
from ..scopes import can_see_unit, get_scope_units
from .apply import apply_plan
from .audit import log_import
from .mapping import resolve_mapping
from .parse import read_table
from .plan import ImportReport, check_rows, make_plan
from .statistics import analyse_tables, recording_written_tables

__all__ = ["can_import_into", "get_import_units", "import_staff"]


def get_import_units(user) -> QuerySet[Organisation]:
    """The organisations `user` may import staff into: the top units of their reporting
    scope (superusers: the roots); none without the `org.import_staff` permission."""
    if not user.has_perm("org.import_staff"):
        return Organisation.objects.none()
    return get_scope_units(user)


def can_import_into(user, unit: Organisation) -> bool:
    """Whether `user` may import staff into `unit`: the permission, and `unit` inside
    their reporting scope (their own, or a group's; superusers everywhere)."""
    return user.has_perm("org.import_staff") and can_see_unit(user, unit)


def import_staff(
    data: bytes,
    *,
    filename: str,
    mapping: dict[str, str] | None = None,
    scope: Organisation | None = None,
    full: bool = False,
    create_units: bool = False,
    dry_run: bool = True,
    today: date | None = None,
    user=None,
    source: str | None = None,
    progress=None,
    on_saved=None,
) -> ImportReport:
    """Import staff from an HR export: upsert by employee number.

    Bad rows are reported (row, column, what is wrong) and skipped; good rows are
    imported. With `scope`, every unit path must lie in its subtree and people already
    registered elsewhere are not touched. With `full`, people in `scope`'s subtree whom
    the file does not mention (on any row, good or bad) are marked as left (never
    deleted). Units missing from the tree are created only with `create_units`. New and
    changed people get the enrolments of the assignments that now cover them.

    `user` is who imports (None: the operator, through the command). An admin user must
    be allowed to import into `scope`. Whoever imports, the names and email of an account
    with admin rights (see `privileged_user_ids`) or of someone also placed outside
    `scope` are never changed, and someone placed in no unit is placed only by a
    superuser or the operator: such rows are row errors.

    A dry run only reads: it reports what a real run would do and writes nothing. A real
    run is atomic, and real runs into the same scope take turns (a row lock on
    PostgreSQL; SQLite has one writer anyway); a second run of the same file changes
    nothing. Every real run is audit-logged (`audit.log_import`) in its transaction;
    `source` ("admin", "command", "task") defaults to "admin" with a `user`, else
    "command". `progress(rows_done, errors)`, if given, is called while the rows are
    checked (before the write transaction); `on_saved(report)`, if given, inside the
    write transaction after the writes (what it saves commits with them). After a real
    run, PostgreSQL's statistics of the tables it wrote are refreshed (ANALYZE, see
    `statistics`), so reports are planned for the new row counts at once. Raises
    InvalidInput for an unreadable file, missing or unknown columns, a full import without
    a scope, or a conflicting concurrent import; OutOfScope when `user` may not import
    into `scope`.
    """
    headings, rows = read_table(data, filename)
    columns = resolve_mapping(headings, mapping)
    if full and scope is None:
        raise InvalidInput(_("A full import needs the organisation it covers."))
    if user is not None and not (
        user.is_superuser if scope is None else can_import_into(user, scope)
    ):
        raise OutOfScope(_("You may not import staff into this organisation."))
    today = today or timezone.localdate()
    report = ImportReport(dry_run=dry_run)
    good, mentioned = check_rows(rows, columns, headings, report, progress=progress)
    options = {
        "columns": columns,
        "headings": headings,
        "create_units": create_units,
        # Someone in no unit is in nobody's scope but a superuser's.
        "may_place_unplaced": user is None or user.is_superuser,
    }
    if dry_run:
        if scope is not None:
            scope = _fresh(scope, lock=False)
        make_plan(good, mentioned, scope=scope, full=full, report=report, **options)
    else:
        try:
            with recording_written_tables() as written, transaction.atomic():
                if scope is not None:
                    scope = _fresh(scope, lock=True)
                plan = make_plan(good, mentioned, scope=scope, full=full, report=report, **options)
                apply_plan(plan, today=today)
                log_import(
                    report,
                    scope=scope,
                    user=user,
                    filename=filename,
                    full=full,
                    create_units=create_units,
                    source=source or ("admin" if user is not None else "command"),
                )
                if on_saved is not None:
                    report.errors.sort(key=lambda e: (e.row, e.column))
                    on_saved(report)
        except IntegrityError as exc:
            raise InvalidInput(
                _(
                    "Another change to the same people was saved while this import ran. "
                    "Run it again."
                )
            ) from exc
        # The planner's statistics for the tables written, hooks' included (PostgreSQL).
        analyse_tables(written)
    report.errors.sort(key=lambda e: (e.row, e.column))
    return report


def _fresh(scope: Organisation, *, lock: bool) -> Organisation:
    # The caller's instance may have a stale path (sorted inserts move siblings); locking
    # the row makes two real imports into one organisation take turns.
    query = Organisation.objects.filter(pk=scope.pk)
    found = (query.select_for_update() if lock else query).first()
    if found is None:
        raise InvalidInput(_("The organisation no longer exists."))
    return found
