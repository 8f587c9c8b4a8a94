"""The staff import in the Wagtail admin: upload a file, check the column mapping and the
dry run, import; the import runs as a task with a progress page, then a result page.
Thin views over org.api: the upload, its mapping, the stored dry run, the progress and
the report live in a StaffImport (the file in the protected storage).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from wagtail_learning.lms.http.exports import stream_csv, stream_xlsx
from wagtail_learning.org.api import (
    ImportReport,
    InvalidInput,
    OutOfScope,
    StaffImport,
    can_import_into,
    check_staff_import,
    get_import_units,
    get_visible_imports,
    queue_staff_import,
    start_staff_import,
)

from .forms import (
    FIELD_LABELS,
    TEMPLATE_HEADINGS,
    ColumnMappingForm,
    StaffImportUploadForm,
    import_columns,
)

LIST_LIMIT = 200  # people shown per list; the counts are always complete
ERROR_LIMIT = 500
RECENT_LIMIT = 20  # imports listed on the upload page
REFRESH_SECONDS = 2  # the progress page reloads itself this often


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
        try:
            staff_import = start_staff_import(
                data=upload_file.read(),
                filename=upload_file.name,
                scope=scope,
                full=form.cleaned_data["full"],
                create_units=form.cleaned_data["create_units"],
                user=request.user,
            )
        except OutOfScope:
            return _outside_scope(request)
        except InvalidInput as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("hr_import_preview", token=staff_import.token)
    return TemplateResponse(
        request,
        "hr/import/upload.html",
        {
            "form": form,
            "units": units,
            "imports": get_visible_imports(request.user)[:RECENT_LIMIT],
            "columns": import_columns(),
            "page_title": _("Import staff"),
            "header_icon": "group",
        },
        status=400 if request.method == "POST" else 200,
    )


def template(request, fmt: str):
    """An empty file with the headings the import recognises, as CSV or XLSX."""
    _require_permission(request)
    headings = list(TEMPLATE_HEADINGS.values())
    if fmt == "csv":
        return stream_csv("personal-mall", headings, [])
    if fmt == "xlsx":
        return stream_xlsx("personal-mall", headings, [], widths=[20] * len(headings))
    raise Http404


def _lookup(request, token: str):
    """(the import, None) or (None, the answer): 404 for an unknown or expired one, 403
    for one outside the user's scope (also when the scope was removed meanwhile)."""
    staff_import = StaffImport.objects.select_related("scope").filter(token=token).first()
    if staff_import is None or staff_import.status == StaffImport.Status.EXPIRED:
        return None, _expired(request)
    if not get_visible_imports(request.user).filter(pk=staff_import.pk).exists():
        return None, _outside_scope(request)
    return staff_import, None


def _redirect_by_status(staff_import):
    if staff_import.is_active:
        return redirect("hr_import_progress", token=staff_import.token)
    if staff_import.status in (StaffImport.Status.DONE, StaffImport.Status.FAILED):
        return redirect("hr_import_result", token=staff_import.token)
    return None


def _context(staff_import, **extra) -> dict:
    return {
        "staff_import": staff_import,
        "pending": staff_import,
        "token": staff_import.token,
        "scope": staff_import.scope,
        "header_icon": "group",
        "list_limit": LIST_LIMIT,
        "error_limit": ERROR_LIMIT,
        **extra,
    }


def preview(request, token: str):
    """Step 2: the column mapping and the stored dry run; "Check again" stores the dry
    run of a new mapping; "Import" queues the real run, provided the mapping is the one
    the shown dry run used."""
    _require_permission(request)
    staff_import, answer = _lookup(request, token)
    if answer is not None:
        return answer
    if (moved := _redirect_by_status(staff_import)) is not None:
        return moved
    if staff_import.is_checking:  # a large file: a task computes the dry run
        return _checking(request, staff_import)
    context = _context(staff_import, page_title=_("Import staff: check and import"))
    status = 200
    if request.method == "POST":
        form = ColumnMappingForm(request.POST, headings=staff_import.headings)
        if not form.is_valid():
            context.update(form=form, report=None)
            return TemplateResponse(request, "hr/import/preview.html", context, status=400)
        mapping = form.mapping()
        try:
            if request.POST.get("action") == "import":
                if queue_staff_import(staff_import, mapping=mapping, user=request.user):
                    return redirect("hr_import_progress", token=staff_import.token)
                messages.warning(
                    request, _("The column mapping changed: check the new preview, then import.")
                )
            staff_import = check_staff_import(staff_import, mapping=mapping, user=request.user)
            if staff_import.is_checking:
                return redirect("hr_import_preview", token=staff_import.token)
        except OutOfScope:
            return _outside_scope(request)
        except InvalidInput as exc:
            context.update(form=form, report=None, error=exc.message)
            return TemplateResponse(request, "hr/import/preview.html", context, status=400)
        if staff_import.error:
            status = 400
    else:
        form = ColumnMappingForm(initial=staff_import.mapping, headings=staff_import.headings)
    report = (
        ImportReport.from_dict(staff_import.dry_run_report)
        if staff_import.dry_run_report is not None
        else None
    )
    context.update(
        _context(staff_import),
        form=form,
        report=report,
        lists=_lists(report),
        error=staff_import.error,
    )
    return TemplateResponse(request, "hr/import/preview.html", context, status=status)


def _checking(request, staff_import):
    context = _context(
        staff_import,
        page_title=_("Import staff: checking"),
        refresh_seconds=REFRESH_SECONDS,
        checking=True,
        refresh_url=reverse("hr_import_preview", args=[staff_import.token]),
    )
    return TemplateResponse(request, "hr/import/progress.html", context)


def progress(request, token: str):
    """While the task runs: rows checked of all, rows with errors so far; the page reloads
    itself (a meta refresh: no script) and survives a reload, as it reads the stored
    import."""
    _require_permission(request)
    staff_import, answer = _lookup(request, token)
    if answer is not None:
        return answer
    if not staff_import.is_active:
        return _redirect_by_status(staff_import) or redirect(
            "hr_import_preview", token=staff_import.token
        )
    context = _context(
        staff_import,
        page_title=_("Import staff: running"),
        refresh_seconds=REFRESH_SECONDS,
        refresh_url=reverse("hr_import_progress", args=[staff_import.token]),
        saving=staff_import.status == StaffImport.Status.RUNNING
        and staff_import.rows_total
        and staff_import.rows_done >= staff_import.rows_total,
    )
    return TemplateResponse(request, "hr/import/progress.html", context)


def result(request, token: str):
    _require_permission(request)
    staff_import, answer = _lookup(request, token)
    if answer is not None:
        return answer
    if staff_import.status not in (StaffImport.Status.DONE, StaffImport.Status.FAILED):
        return _redirect_by_status(staff_import) or redirect(
            "hr_import_preview", token=staff_import.token
        )
    report = ImportReport.from_dict(staff_import.report) if staff_import.report else None
    context = _context(
        staff_import,
        report=report,
        lists=_lists(report),
        page_title=_("Import staff: done")
        if staff_import.status == StaffImport.Status.DONE
        else _("Import staff: failed"),
    )
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
