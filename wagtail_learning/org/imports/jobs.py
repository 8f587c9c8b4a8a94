"""An import started in the admin, kept as a StaffImport: the file in protected storage
(no URL maps to it: it holds personal data), the dry run computed once per mapping and
stored, then the real run as a django-q2 task that reports its progress.

The queue delivers at least once, so the run claims the import by a status transition
(queued -> running) and a redelivered task finds it claimed; the report and the "done"
status are saved in the import's own transaction, so a worker killed after the commit
leaves nothing to redo, and one killed before it rolled everything back.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ..errors import InvalidInput, OrgError, OutOfScope
from ..models import Organisation, StaffImport
from ..wall import scope_queryset
from .mapping import FIELDS, suggest_mapping
from .parse import read_table
from .plan import ImportReport
from .service import can_import_into, import_staff

__all__ = [
    "check_staff_import",
    "delete_file_on_commit",
    "expire_stale_imports",
    "get_visible_imports",
    "queue_staff_import",
    "run_staff_import",
    "run_staff_import_check",
    "start_staff_import",
    "sweep_staff_imports",
]

IMPORTS_DIR = "imports"
MAX_AGE = timedelta(days=1)  # an upload not imported by then is removed
# A running import whose claim is older than this lost its worker: django-q2 stops a
# task at the cluster's timeout (120 s) and redelivers it after `retry` (300 s).
LEASE = timedelta(minutes=10)
QUEUED_GRACE = timedelta(minutes=5)  # queued longer than this: the task was lost
# The task's own time limit: above the cluster's 120 s (a 50 000-row import with
# enrolments takes about a minute on a good day), below its `retry` (300 s), so the
# broker never hands a running import to a second worker.
TASK_TIMEOUT = 280
TASK = "wagtail_learning.org.tasks.run_staff_import_task"
CHECK_TASK = "wagtail_learning.org.tasks.check_staff_import_task"
# A dry run expected to cost more than this many seconds runs as a task too, not in the
# request. CPU per MB of file, measured with bench/import_staff.py at 50 000 rows: CSV
# 0.3 s into an empty tree, 0.94 s with everyone known (6.6 MB: 2.1 s, 6.2 s); XLSX about
# 5 s into an empty tree (2.6 MB: 12.9 s, openpyxl's parsing), so ~6.5 s with everyone
# known. Inline: CSV up to ~2 MB (~15 000 rows), XLSX up to ~300 KB (~6 000 rows).
INLINE_CHECK_SECONDS = 2.0
_SECONDS_PER_MB = {"csv": 1.0, "xlsx": 6.5}


def _storage():
    return storages["protected"]


def get_visible_imports(user) -> QuerySet[StaffImport]:
    """The imports `user` may see: those into their reporting scope (superusers: all),
    newest first; none without the import permission."""
    if not user.has_perm("org.import_staff"):
        return StaffImport.objects.none()
    return (
        scope_queryset(user, StaffImport.objects.all())
        .select_related("scope", "created_by")
        .order_by("-created_at", "-pk")
    )


def start_staff_import(
    *, data: bytes, filename: str, scope: Organisation, full: bool, create_units: bool, user
) -> StaffImport:
    """Store an upload and its dry run with the recognised mapping. Raises OutOfScope when
    `user` may not import into `scope`, InvalidInput for a file that cannot be read
    (then nothing is stored)."""
    if not can_import_into(user, scope):
        raise OutOfScope(_("You may not import staff into this organisation."))
    headings, _rows = read_table(data, filename)
    expire_stale_imports()
    token = secrets.token_urlsafe(18)
    name = _storage().save(f"{IMPORTS_DIR}/{token}.upload", ContentFile(data))
    staff_import = StaffImport.objects.create(
        token=token,
        created_by=user,
        scope=scope,
        filename=filename[:255],
        file=name,
        full=full,
        create_units=create_units,
        headings=headings,
        mapping={name: "" for name in FIELDS} | suggest_mapping(headings),
    )
    return check_staff_import(staff_import, mapping=staff_import.mapping, user=user, size=len(data))


def _data_of(staff_import: StaffImport) -> bytes:
    try:
        with _storage().open(staff_import.file, "rb") as handle:
            return handle.read()
    except (FileNotFoundError, ValueError) as exc:
        raise InvalidInput(_("The uploaded file is no longer available.")) from exc


def _checks_inline(staff_import: StaffImport, size: int) -> bool:
    kind = "xlsx" if staff_import.filename.lower().endswith(".xlsx") else "csv"
    return size / 1e6 * _SECONDS_PER_MB[kind] <= INLINE_CHECK_SECONDS


def check_staff_import(
    staff_import: StaffImport, *, mapping: dict, user, size: int | None = None
) -> StaffImport:
    """Ask for the dry run of `mapping` and store it (with the mapping, the counts and the
    number of rows), so showing it again costs nothing. A small file is checked here; a
    large one by a task (the import is "checking" until it has stored the result). Only
    before the import is queued; a file or mapping that cannot be used is stored as the
    import's `error`. Raises OutOfScope, or InvalidInput when the import is past
    checking."""
    if staff_import.status != StaffImport.Status.CHECKED:
        raise InvalidInput(_("This import has already been started."))
    if not can_import_into(user, staff_import.scope):
        raise OutOfScope(_("You may not import staff into this organisation."))
    if size is None:
        try:
            size = _storage().size(staff_import.file)
        except (FileNotFoundError, ValueError) as exc:
            raise InvalidInput(_("The uploaded file is no longer available.")) from exc
    version = staff_import.checks + 1
    inline = _checks_inline(staff_import, size)
    asked = StaffImport.objects.filter(
        pk=staff_import.pk, status=StaffImport.Status.CHECKED, checks=staff_import.checks
    ).update(
        mapping=mapping,
        checks=version,
        checked_at=timezone.now(),
        **(
            {}
            if inline
            else {"status": StaffImport.Status.CHECKING, "dry_run_report": None, "error": ""}
        ),
    )
    if not asked:  # someone else asked meanwhile: theirs stands
        staff_import.refresh_from_db()
        return staff_import
    if inline:
        _check(staff_import.pk, version, user=user)
    else:
        pk = staff_import.pk
        transaction.on_commit(lambda: _enqueue_check(pk, version))
    staff_import.refresh_from_db()
    return staff_import


def run_staff_import_check(pk: int, version: int) -> str:
    """The dry run a task was asked for, as the person who started the import; stored
    only if it is still the latest asked for. Idempotent (a dry run writes nothing)."""
    staff_import = StaffImport.objects.select_related("created_by").filter(pk=pk).first()
    if staff_import is None:
        return "missing"
    if staff_import.status != StaffImport.Status.CHECKING or staff_import.checks != version:
        return staff_import.status
    if staff_import.created_by is None:
        _store_check(pk, version, report=None, total=0, error=_no_user_message())
        return StaffImport.Status.CHECKED
    _check(pk, version, user=staff_import.created_by)
    return StaffImport.Status.CHECKED


def _no_user_message() -> str:
    return _("The person who started this import no longer has an account.")


def _check(pk: int, version: int, *, user) -> None:
    staff_import = StaffImport.objects.select_related("scope").get(pk=pk)
    rows = {"total": 0}
    report: ImportReport | None = None
    error = ""
    try:
        report = import_staff(
            _data_of(staff_import),
            filename=staff_import.filename,
            mapping=staff_import.mapping,
            scope=staff_import.scope,
            full=staff_import.full,
            create_units=staff_import.create_units,
            dry_run=True,
            user=user,
            progress=lambda done, _errors: rows.update(total=done),
        )
    except OrgError as exc:  # also OutOfScope: the rights changed since
        error = exc.message
    _store_check(pk, version, report=report, total=rows["total"], error=error)


def _store_check(pk: int, version: int, *, report, total: int, error: str) -> None:
    StaffImport.objects.filter(
        pk=pk,
        status__in=[StaffImport.Status.CHECKED, StaffImport.Status.CHECKING],
        checks=version,
    ).update(
        status=StaffImport.Status.CHECKED,
        dry_run_report=report.to_dict() if report else None,
        counts=report.counts() if report else {},
        error=error,
        rows_total=total,
    )


def _enqueue_check(pk: int, version: int) -> None:
    from django_q.tasks import async_task

    async_task(
        CHECK_TASK,
        pk,
        version,
        task_name=f"staff-import-check-{pk}-{version}",
        group="org",
        timeout=TASK_TIMEOUT,
    )


def queue_staff_import(staff_import: StaffImport, *, mapping: dict, user) -> bool:
    """Queue the real run, provided `mapping` is the one the stored dry run used (False:
    it changed; check again first). Idempotent: an import queued, running or done already
    is not queued again. Raises OutOfScope, InvalidInput when there is no usable dry run
    or the import expired."""
    if not can_import_into(user, staff_import.scope):
        raise OutOfScope(_("You may not import staff into this organisation."))
    if staff_import.status != StaffImport.Status.CHECKED:
        if staff_import.status == StaffImport.Status.EXPIRED:
            raise InvalidInput(_("The uploaded file is no longer available."))
        if staff_import.status == StaffImport.Status.CHECKING:
            raise InvalidInput(_("The dry run is still running; import when it is shown."))
        return True
    if mapping != staff_import.mapping:
        return False
    if staff_import.dry_run_report is None:
        raise InvalidInput(staff_import.error or _("Check the file first."))
    claimed = StaffImport.objects.filter(
        pk=staff_import.pk, status=StaffImport.Status.CHECKED
    ).update(
        status=StaffImport.Status.QUEUED, queued_at=timezone.now(), rows_done=0, errors_so_far=0
    )
    if claimed:
        pk = staff_import.pk
        transaction.on_commit(lambda: _enqueue(pk))
    staff_import.refresh_from_db()
    return True


def _enqueue(pk: int) -> None:
    from django_q.tasks import async_task

    async_task(
        TASK,
        pk,
        task_name=f"staff-import-{pk}-{timezone.now():%Y%m%d%H%M%S%f}",
        group="org",
        timeout=TASK_TIMEOUT,
    )


def run_staff_import(pk: int) -> str:
    """Run a queued import for real, as the person who started it; returns the status it
    ends in. Claimed by a status transition (queued -> running, or running with a claim
    older than LEASE), so a redelivered task does not import twice. Progress (rows
    checked, rows with errors) is saved while the rows are checked; the writes, the audit
    entry, the report and "done" commit together. A file or rights problem ends as
    "failed" with its message; an unexpected error too, and is re-raised."""
    now = timezone.now()
    Status = StaffImport.Status
    claimed = (
        StaffImport.objects.filter(pk=pk)
        .filter(Q(status=Status.QUEUED) | Q(status=Status.RUNNING, started_at__lt=now - LEASE))
        .update(status=Status.RUNNING, started_at=now, rows_done=0, errors_so_far=0)
    )
    staff_import = StaffImport.objects.select_related("scope", "created_by").filter(pk=pk).first()
    if staff_import is None:
        return "missing"
    if not claimed:
        return staff_import.status

    def progress(done: int, errors: int) -> None:
        StaffImport.objects.filter(pk=pk).update(rows_done=done, errors_so_far=errors)

    def saved(report: ImportReport) -> None:  # inside the import's transaction
        StaffImport.objects.filter(pk=pk).update(
            status=Status.DONE,
            report=report.to_dict(),
            counts=report.counts(),
            errors_so_far=report.rows_with_errors,
            finished_at=timezone.now(),
        )

    try:
        if staff_import.created_by is None:
            raise InvalidInput(_("The person who started this import no longer has an account."))
        import_staff(
            _data_of(staff_import),
            filename=staff_import.filename,
            mapping=staff_import.mapping,
            scope=staff_import.scope,
            full=staff_import.full,
            create_units=staff_import.create_units,
            dry_run=False,
            user=staff_import.created_by,
            source="task",
            progress=progress,
            on_saved=saved,
        )
    except OrgError as exc:
        _fail(pk, exc.message or _("The import could not be carried out."))
        return Status.FAILED
    except Exception:
        _fail(pk, _("The import stopped because of an unexpected error; nothing was saved."))
        raise
    _delete_file(staff_import)
    return Status.DONE


def _fail(pk: int, message: str) -> None:
    StaffImport.objects.filter(pk=pk).update(
        status=StaffImport.Status.FAILED, error=message, finished_at=timezone.now()
    )
    staff_import = StaffImport.objects.filter(pk=pk).first()
    if staff_import is not None:
        _delete_file(staff_import)


def _delete_file(staff_import: StaffImport) -> None:
    if staff_import.file:
        _storage().delete(staff_import.file)


def delete_file_on_commit(staff_import: StaffImport) -> None:
    """Delete an import's uploaded file once its deletion is committed (the object in the
    bucket, or the file on disk; already gone after the import ran: nothing happens)."""
    if staff_import.file:
        transaction.on_commit(lambda name=staff_import.file: _storage().delete(name))


def expire_stale_imports(*, now=None) -> int:
    """Remove the files of uploads checked but not imported within MAX_AGE (the import
    becomes "expired"), and stored files no import refers to any more. Returns how many
    imports expired."""
    now = now or timezone.now()
    cutoff = now - MAX_AGE
    waiting = [StaffImport.Status.CHECKED, StaffImport.Status.CHECKING]
    stale = StaffImport.objects.filter(status__in=waiting, created_at__lt=cutoff)
    expired = 0
    for staff_import in stale:
        expired += StaffImport.objects.filter(pk=staff_import.pk, status__in=waiting).update(
            status=StaffImport.Status.EXPIRED
        )
        _delete_file(staff_import)
    storage = _storage()
    try:
        _dirs, files = storage.listdir(IMPORTS_DIR)
    except FileNotFoundError:
        files = []
    in_use = set(
        StaffImport.objects.filter(
            status__in=[
                StaffImport.Status.CHECKING,
                StaffImport.Status.CHECKED,
                StaffImport.Status.QUEUED,
                StaffImport.Status.RUNNING,
            ]
        ).values_list("file", flat=True)
    )
    for name in files:
        path = f"{IMPORTS_DIR}/{name}"
        try:
            if path not in in_use and storage.get_modified_time(path) < cutoff:
                storage.delete(path)
        except FileNotFoundError:
            continue  # removed by a parallel request
    return expired


def sweep_staff_imports(*, now=None) -> int:
    """Queue again the imports whose task was lost: queued (or their dry run asked for)
    longer than QUEUED_GRACE ago, or running with a claim older than LEASE. Run
    periodically. Returns how many."""
    now = now or timezone.now()
    Status = StaffImport.Status
    lost = StaffImport.objects.filter(
        Q(status=Status.QUEUED, queued_at__lt=now - QUEUED_GRACE)
        | Q(status=Status.RUNNING, started_at__lt=now - LEASE)
    ).values_list("pk", flat=True)
    ids = list(lost)
    for pk in ids:
        _enqueue(pk)
    checks = list(
        StaffImport.objects.filter(
            status=Status.CHECKING, checked_at__lt=now - QUEUED_GRACE
        ).values_list("pk", "checks")
    )
    for pk, version in checks:
        _enqueue_check(pk, version)
    return len(ids) + len(checks)
