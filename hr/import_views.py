"""The staff import in the Wagtail admin: upload a file, check the column mapping and the
dry run, then import. Thin views over org.api.import_staff.

The uploaded file is kept between the steps: in the session (base64) when small, else in
the protected storage (no URL maps to it: the file holds personal data) under a random
name. It is removed after the import, and abandoned ones after a day.
"""

from __future__ import annotations

import base64
import secrets
import time
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.api import protected_storage
from org.api import (
    FIELDS,
    InvalidInput,
    Organisation,
    OutOfScope,
    can_import_into,
    get_import_units,
    import_staff,
    read_table,
    suggest_mapping,
)

from .forms import FIELD_LABELS, ColumnMappingForm, StaffImportUploadForm

SESSION_KEY = "hr_staff_imports"
SESSION_LIMIT = 5 * 1024 * 1024  # bytes kept in the session; larger files go to storage
IMPORTS_DIR = "imports"
MAX_AGE = timedelta(days=1)
MAX_PENDING = 3  # per session
LIST_LIMIT = 200  # people shown per list; the counts are always complete
ERROR_LIMIT = 500


def _require_permission(request) -> None:
    # Wagtail answers this with a redirect to the dashboard and a message.
    if not request.user.has_perm("org.import_staff"):
        raise PermissionDenied


def _outside_scope(request):
    # A 403 of our own: Wagtail would turn PermissionDenied into a redirect.
    return TemplateResponse(
        request,
        "hr/import/forbidden.html",
        {"page_title": _("Import staff"), "header_icon": "group"},
        status=403,
    )


def upload(request):
    _require_permission(request)
    units = list(get_import_units(request.user))
    if request.method == "POST":
        form = StaffImportUploadForm(request.POST, request.FILES, units=units)
    else:
        form = StaffImportUploadForm(units=units)
    if request.method == "POST" and form.is_valid():
        scope = form.cleaned_data["organisation"]
        if not can_import_into(request.user, scope):
            return _outside_scope(request)
        upload_file = form.cleaned_data["file"]
        data = upload_file.read()
        try:
            headings, _rows = read_table(data, upload_file.name)
        except InvalidInput as exc:
            form.add_error("file", exc.message)
        else:
            mapping = {name: "" for name in FIELDS} | suggest_mapping(headings)
            token = _store(
                request,
                data=data,
                filename=upload_file.name,
                scope=scope,
                full=form.cleaned_data["full"],
                create_units=form.cleaned_data["create_units"],
                mapping=mapping,
            )
            return redirect("hr_import_preview", token=token)
    return TemplateResponse(
        request,
        "hr/import/upload.html",
        {"form": form, "units": units, "page_title": _("Import staff"), "header_icon": "group"},
        status=400 if request.method == "POST" else 200,
    )


def preview(request, token: str):
    """Step 2: the column mapping and the dry run; "Import" runs it for real, provided the
    mapping is the one the shown dry run used."""
    _require_permission(request)
    pending = _pending(request, token)
    data = _data_of(pending) if pending else None
    if data is None:
        return _expired(request)
    scope = Organisation.objects.filter(pk=pending["scope"]).first()
    if scope is None or not can_import_into(request.user, scope):
        return _outside_scope(request)
    headings, _rows = read_table(data, pending["filename"])
    options = {
        "filename": pending["filename"],
        "scope": scope,
        "full": pending["full"],
        "create_units": pending["create_units"],
    }
    context = {
        "token": token,
        "pending": pending,
        "scope": scope,
        "page_title": _("Import staff: check and import"),
        "header_icon": "group",
        "list_limit": LIST_LIMIT,
        "error_limit": ERROR_LIMIT,
    }
    status = 200
    if request.method == "POST":
        form = ColumnMappingForm(request.POST, headings=headings)
        if not form.is_valid():
            context.update(form=form, report=None)
            return TemplateResponse(request, "hr/import/preview.html", context, status=400)
        mapping = form.mapping()
        if request.POST.get("action") == "import":
            if mapping == pending["mapping"]:
                return _run_import(request, token, data, form, options, context)
            messages.warning(
                request, _("The column mapping changed: check the new preview, then import.")
            )
        pending["mapping"] = mapping
        request.session.modified = True
    else:
        form = ColumnMappingForm(initial=pending["mapping"], headings=headings)
    try:
        report = import_staff(
            data, mapping=pending["mapping"], dry_run=True, user=request.user, **options
        )
    except OutOfScope:
        return _outside_scope(request)
    except InvalidInput as exc:
        report = None
        context["error"] = exc.message
        status = 400 if request.method == "POST" else 200
    context.update(form=form, report=report, lists=_lists(report))
    return TemplateResponse(request, "hr/import/preview.html", context, status=status)


def _run_import(request, token, data, form, options, context):
    mapping = form.mapping()
    try:
        # The engine audit-logs the import.
        report = import_staff(data, mapping=mapping, dry_run=False, user=request.user, **options)
    except OutOfScope:
        return _outside_scope(request)
    except InvalidInput as exc:
        context.update(form=form, report=None, error=exc.message)
        return TemplateResponse(request, "hr/import/preview.html", context, status=400)
    _discard(request, token)
    context.update(report=report, lists=_lists(report), page_title=_("Import staff: done"))
    return TemplateResponse(request, "hr/import/result.html", context)


def _lists(report) -> list[tuple[str, list[str]]]:
    if report is None:
        return []
    change_label = {**FIELD_LABELS, "unit": _("Unit"), "membership": _("Unit membership")}
    updated = [
        f"{person}: {', '.join(str(change_label.get(name, name)) for name in changes)}"
        for person, changes in zip(report.updated, report.changes, strict=True)
    ]
    dry = report.dry_run
    return [
        (_("Would be created") if dry else _("Created"), report.created),
        (_("Would be updated") if dry else _("Updated"), updated),
        (_("Would be marked as left") if dry else _("Marked as left"), report.left),
        (_("Units that would be created") if dry else _("Units created"), report.units_created),
    ]


def _expired(request):
    units = list(get_import_units(request.user))
    form = StaffImportUploadForm(units=units)
    return TemplateResponse(
        request,
        "hr/import/upload.html",
        {
            "form": form,
            "units": units,
            "page_title": _("Import staff"),
            "header_icon": "group",
            "expired": True,
        },
        status=404,
    )


# --- Keeping the file between the steps -----------------------------------------------------


def _store(request, *, data: bytes, filename: str, scope, full, create_units, mapping) -> str:
    pending = _prune(request)
    token = secrets.token_urlsafe(18)
    entry = {
        "filename": filename,
        "scope": scope.pk,
        "full": full,
        "create_units": create_units,
        "mapping": mapping,
        "stored_at": time.time(),
    }
    if len(data) < SESSION_LIMIT:
        entry["data"] = base64.b64encode(data).decode("ascii")
    else:
        entry["file"] = protected_storage().save(f"{IMPORTS_DIR}/{token}.upload", ContentFile(data))
    pending[token] = entry
    request.session[SESSION_KEY] = pending
    return token


def _pending(request, token: str) -> dict | None:
    entry = request.session.get(SESSION_KEY, {}).get(token)
    if entry is None or time.time() - entry["stored_at"] > MAX_AGE.total_seconds():
        return None
    return entry


def _data_of(entry: dict) -> bytes | None:
    if "data" in entry:
        return base64.b64decode(entry["data"])
    try:
        with protected_storage().open(entry["file"], "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def _delete_file(entry: dict) -> None:
    if "file" in entry:
        protected_storage().delete(entry["file"])


def _discard(request, token: str) -> None:
    pending = request.session.get(SESSION_KEY, {})
    entry = pending.pop(token, None)
    if entry is not None:
        _delete_file(entry)
    request.session[SESSION_KEY] = pending


def _prune(request) -> dict:
    """The session's pending uploads without expired ones (and room for one more); also
    removes stored files that every session has abandoned."""
    now = time.time()
    pending = dict(request.session.get(SESSION_KEY, {}))
    for token, entry in sorted(pending.items(), key=lambda item: item[1]["stored_at"]):
        if now - entry["stored_at"] > MAX_AGE.total_seconds() or len(pending) >= MAX_PENDING:
            _delete_file(entry)
            del pending[token]
    storage = protected_storage()
    try:
        _dirs, files = storage.listdir(IMPORTS_DIR)
    except FileNotFoundError:
        files = []
    cutoff = timezone.now() - MAX_AGE
    for name in files:
        path = f"{IMPORTS_DIR}/{name}"
        try:
            if storage.get_modified_time(path) < cutoff:
                storage.delete(path)
        except FileNotFoundError:
            continue  # removed by a parallel request
    return pending
