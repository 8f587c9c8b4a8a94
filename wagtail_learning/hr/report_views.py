"""HR's compliance views in the Wagtail admin: thin views over compliance.api."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest, HttpResponseNotFound
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.models import Page

from wagtail_learning.compliance.api import (
    Assignment,
    AudienceFilter,
    ComplianceStatus,
    PageOutOfRange,
    get_compliance_charts,
    get_compliance_matrix,
    get_training_record_for_hr,
    get_unit_people_page,
    iter_unit_people,
)
from wagtail_learning.lms import api as lms
from wagtail_learning.lms.http import query_without
from wagtail_learning.lms.http.exports import export_response
from wagtail_learning.org.api import Organisation, can_see_unit, get_scope_units, is_in_scope

from .charts import line_chart_svg


class FilterForm(forms.Form):
    course = forms.ModelChoiceField(
        label=gettext_lazy("Course"),
        required=False,
        queryset=Page.objects.filter(
            pk__in=Assignment.objects.filter(active=True).values("course_id")
        ).order_by("title"),
        empty_label=gettext_lazy("All assigned courses"),
    )
    audience = forms.ChoiceField(
        label=gettext_lazy("People"), required=False, choices=AudienceFilter.choices
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All")), *ComplianceStatus.choices],
    )
    # Both ends included: not an assignment's "hired after", which excludes its date.
    hired_from = forms.DateField(
        label=gettext_lazy("Hired on or after"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    hired_to = forms.DateField(
        label=gettext_lazy("Hired on or before"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    export = forms.ChoiceField(required=False, choices=[("", ""), ("csv", "CSV"), ("xlsx", "XLSX")])
    page = forms.IntegerField(label=gettext_lazy("Page"), required=False, min_value=1)


PEOPLE_PER_PAGE = 100


def export_row_label(row) -> str:
    """A report row's first cell in an export: the unit, "Directly in <unit>" for the
    people placed directly in it, "Total" for the total row."""
    if row.direct:
        return _("Directly in %(unit)s") % {"unit": row.label}
    return row.label or _("Total")


def _require_reports(request):
    if not request.user.has_perm("compliance.view_compliance"):
        raise PermissionDenied


def _filters(request) -> dict:
    form = FilterForm(request.GET)
    if not form.is_valid():
        raise _BadFilter(form)
    data = form.cleaned_data
    return {
        "course": data["course"],
        "audience": data["audience"] or AudienceFilter.ALL,
        "status": data["status"] or None,
        "hired_from": data["hired_from"],
        "hired_to": data["hired_to"],
        "export": data["export"],
        "page": data["page"] or 1,
        "form": form,
    }


class _BadFilter(Exception):
    def __init__(self, form):
        self.form = form


def _bad_filter(request, error: _BadFilter):
    messages = "; ".join(f"{field}: {' '.join(errs)}" for field, errs in error.form.errors.items())
    return HttpResponseBadRequest(_("Check the filters: %(errors)s") % {"errors": messages})


def _unit_or_404(unit_id) -> Organisation:
    return get_object_or_404(Organisation, pk=unit_id)


def report_parent(request, unit_id) -> Organisation | None:
    """The unit a unit report (the matrix, the forecast) looks at: `unit_id` (its
    `?unit=`), else the reader's one scope unit, else None (all the reader's units)."""
    if unit_id:
        return _unit_or_404(unit_id)
    scope = list(get_scope_units(request.user))
    return scope[0] if len(scope) == 1 else None


def unit_report_context(request, parent, *, title, icon, url_name, filter_fields) -> dict:
    """The header every unit report shares (`hr/reports/_unit_report_header.html`): the
    title, the way up the tree (only the units the reader may see) and the filters."""
    ancestors = list(parent.get_ancestors()) if parent is not None else []
    return {
        "header_title": title,
        "page_title": title,
        "page_subtitle": parent.name if parent else "",
        "header_icon": icon,
        "parent": parent,
        "ancestors": [a for a in ancestors if can_see_unit(request.user, a)],
        "report_url": reverse(url_name),
        "filter_fields": filter_fields,
    }


def _share(cell) -> str:
    return "–" if cell.share is None else f"{cell.share:.0f} %"


def compliance(request):
    """Units x assigned courses, with drill-down to a unit's children and its people."""
    _require_reports(request)
    try:
        filters = _filters(request)
    except _BadFilter as error:
        return _bad_filter(request, error)
    unit_id = request.GET.get("unit", "")
    if unit_id and not unit_id.isdigit():
        return HttpResponseBadRequest(_("The unit must be a number."))
    parent = report_parent(request, unit_id)
    try:
        matrix = get_compliance_matrix(
            user=request.user,
            parent=parent,
            course_ids=[filters["course"].pk] if filters["course"] else None,
            audience=filters["audience"],
            hired_from=filters["hired_from"],
            hired_to=filters["hired_to"],
        )
    except lms.AccessDenied as error:
        raise PermissionDenied(error.message) from error
    if filters["export"]:
        header = [_("Unit")]
        for course in matrix.courses:
            header += [
                f"{course.title}: " + _("audience"),
                _("compliant"),
                _("share (%)"),
                _("target (%)"),
                _("overdue"),
                _("not yet due"),
                _("in progress"),
            ]

        def rows():
            for row in [*matrix.rows, matrix.total]:
                cells = [export_row_label(row)]
                for course in matrix.courses:
                    cell = row.cells[course.course_id]
                    cells += [
                        cell.audience,
                        cell.compliant,
                        round(cell.share) if cell.share is not None else None,
                        cell.target,
                        cell.overdue,
                        cell.not_due,
                        cell.in_progress,
                    ]
                yield cells

        # Several top units (or a superuser's whole tree): an entry on each, never on a
        # unit outside the exporter's scope.
        audit = [parent] if parent is not None else list(get_scope_units(request.user))
        taken = timezone.localtime()
        return export_response(
            request,
            fmt=filters["export"],
            filename="efterlevnad" + (f"-{parent.name}" if parent is not None else ""),
            header=header,
            rows=rows(),
            audit_units=audit,
            what="compliance matrix",
            title_lines=[
                _("Compliance: %(unit)s")
                % {"unit": parent.name if parent is not None else _("all my units")},
                _("Taken %(when)s") % {"when": f"{taken:%Y-%m-%d %H:%M}"},
            ],
            widths=[32] + [14] * (len(header) - 1),
        )
    charts = []
    if parent is not None:
        # Past months from the stored daily snapshots (one query); today from the matrix's
        # total, which is the unit's figures when no people filter narrows it.
        totals = matrix.total
        if (
            filters["audience"] != AudienceFilter.ALL
            or filters["hired_from"]
            or filters["hired_to"]
        ):
            totals = get_compliance_matrix(
                user=request.user,
                parent=parent,
                course_ids=[filters["course"].pk] if filters["course"] else None,
            ).total
        history = get_compliance_charts(
            user=request.user,
            unit=parent,
            today={cid: (cell.audience, cell.compliant) for cid, cell in totals.cells.items()},
        )
        for course in matrix.courses:
            points = history[course.course_id]
            charts.append(
                {
                    "course": course,
                    "svg": line_chart_svg(points, target=course.target, title=course.title),
                    "points": points,
                }
            )
    from .certification_views import states_by_unit

    rule_states = states_by_unit(
        user=request.user,
        units=[row.unit for row in matrix.rows if row.unit is not None and not row.direct],
        on=timezone.localdate(),
    )
    return TemplateResponse(
        request,
        "hr/reports/compliance.html",
        {
            **unit_report_context(
                request,
                parent,
                title=_("Compliance"),
                icon="tasks",
                url_name="hr_compliance",
                filter_fields=[
                    field
                    for field in filters["form"]
                    if field.name not in ("status", "export", "page")
                ],
            ),
            "matrix": matrix,
            "form": filters["form"],
            "charts": charts,
            "rule_states": rule_states,
            "query": query_without(request, "export", "page"),
        },
    )


def unit_people(request, unit_id: int, course_id: int):
    """The people of a unit (and below) for one course, with their status."""
    _require_reports(request)
    try:
        filters = _filters(request)
    except _BadFilter as error:
        return _bad_filter(request, error)
    unit = _unit_or_404(unit_id)
    course = get_object_or_404(Page, pk=course_id)
    common = {
        "user": request.user,
        "unit": unit,
        "course_id": course.pk,
        "status": filters["status"],
        "audience": filters["audience"],
        "hired_from": filters["hired_from"],
        "hired_to": filters["hired_to"],
    }
    try:
        if filters["export"]:
            # The whole list, read as it is written (memory stays flat); no page.
            people = iter_unit_people(**common)
        else:
            page = get_unit_people_page(page=filters["page"], per_page=PEOPLE_PER_PAGE, **common)
    except lms.AccessDenied as error:
        raise PermissionDenied(error.message) from error
    except PageOutOfRange:
        return HttpResponseNotFound(_("There is no such page of people."))
    if filters["export"]:
        return _export_people(request, filters, unit, course, people)
    return TemplateResponse(
        request,
        "hr/reports/unit_people.html",
        {
            "header_title": f"{unit.name}: {course.title}",
            "page_title": unit.name,
            "page_subtitle": course.title,
            "header_icon": "group",
            "unit": unit,
            "course": course,
            "people": page.people,
            "people_page": page,
            "statuses": ComplianceStatus,
            "form": filters["form"],
            "query": query_without(request, "page", "export"),
        },
    )


def _export_people(request, filters, unit, course, people):
    """The whole people list of a unit and course; the file says which course, which unit
    and when (the XLSX in its title rows and every file in its name)."""
    header = [
        _("Name"),
        _("Employee number"),
        _("Unit"),
        _("Job title"),
        _("Manager"),
        _("Status"),
        _("Progress (%)"),
        _("Due"),
        _("Completed"),
        _("Expires"),
    ]

    def day(value):
        return timezone.localdate(value) if value else None

    rows = (
        [
            p.name,
            p.employee_number,
            p.unit,
            p.job_title,
            _("yes") if p.is_manager else _("no"),
            str(p.status.label),
            p.percent,
            day(p.due_at),
            day(p.completed_at),
            day(p.expires_at),
        ]
        for p in people
    )
    taken = timezone.localtime()
    described = []
    for field in filters["form"]:
        value = field.value()
        if field.name in ("status", "audience", "hired_from", "hired_to") and value:
            shown = dict(getattr(field.field, "choices", ())).get(value, value)
            described.append(f"{field.label}: {shown}")
    return export_response(
        request,
        fmt=filters["export"],
        filename=f"personer-{unit.name}-{course.title}",
        header=header,
        rows=rows,
        audit_units=[unit],
        what=f"people: {course.title}",
        title_lines=[
            _("People: %(course)s, %(unit)s") % {"course": course.title, "unit": unit.name},
            _("Taken %(when)s") % {"when": f"{taken:%Y-%m-%d %H:%M}"},
            *([_("Filters: %(filters)s") % {"filters": "; ".join(described)}] if described else []),
        ],
        widths=[28, 14, 26, 22, 9, 14, 12, 12, 12, 12],
    )


def person_record(request, user_id: int):
    """One person's training record: courses, steps, quiz results, certificates."""
    _require_reports(request)
    person = get_object_or_404(get_user_model(), pk=user_id)
    if not is_in_scope(request.user, person=person):
        raise PermissionDenied
    record = get_training_record_for_hr(person)
    return TemplateResponse(
        request,
        "hr/reports/person.html",
        {
            "header_title": person.get_full_name() or person.get_username(),
            "page_title": person.get_full_name() or person.get_username(),
            "header_icon": "user",
            "person": person,
            "record": record,
        },
    )
