"""HR's compliance views in the Wagtail admin: thin views over compliance.api."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.models import Page

from compliance.api import (
    Assignment,
    AudienceFilter,
    ComplianceStatus,
    get_compliance_history,
    get_compliance_matrix,
    get_training_record_for_hr,
    get_unit_people,
    iter_unit_people,
)
from lms import api as lms
from org.api import Organisation, can_see_unit, get_scope_units, is_in_scope

from .charts import line_chart_svg
from .exports import export_response


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


def _share(cell) -> str:
    return "–" if cell.share is None else f"{cell.share:.0f} %"


def compliance(request):
    """Units x assigned courses, with drill-down to a unit's children and its people."""
    _require_reports(request)
    try:
        filters = _filters(request)
    except _BadFilter as error:
        return _bad_filter(request, error)
    parent = None
    unit_id = request.GET.get("unit", "")
    if unit_id:
        if not unit_id.isdigit():
            return HttpResponseBadRequest(_("The unit must be a number."))
        parent = _unit_or_404(unit_id)
    else:
        scope = list(get_scope_units(request.user))
        if len(scope) == 1:
            parent = scope[0]
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
                _("in progress"),
            ]

        def rows():
            for row in [*matrix.rows, matrix.total]:
                label = row.label or _("Total")
                if row.direct:
                    label = _("Directly in %(unit)s") % {"unit": row.label}
                cells = [label]
                for course in matrix.courses:
                    cell = row.cells[course.course_id]
                    cells += [
                        cell.audience,
                        cell.compliant,
                        round(cell.share, 1) if cell.share is not None else "",
                        cell.target,
                        cell.overdue,
                        cell.in_progress,
                    ]
                yield cells

        # Several top units (or a superuser's whole tree): an entry on each, never on a
        # unit outside the exporter's scope.
        audit = [parent] if parent is not None else list(get_scope_units(request.user))
        return export_response(
            request,
            fmt=filters["export"],
            filename="efterlevnad",
            header=header,
            rows=rows(),
            audit_units=audit,
            what="compliance matrix",
        )
    charts = []
    if parent is not None:
        for course in matrix.courses:
            points = get_compliance_history(
                user=request.user, unit=parent, course_id=course.course_id
            )
            charts.append(
                {
                    "course": course,
                    "svg": line_chart_svg(points, target=course.target, title=course.title),
                    "points": points,
                }
            )
    ancestors = list(parent.get_ancestors()) if parent is not None else []
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
            "header_title": _("Compliance"),
            "page_title": _("Compliance"),
            "page_subtitle": parent.name if parent else "",
            "header_icon": "tasks",
            "matrix": matrix,
            "parent": parent,
            "ancestors": [a for a in ancestors if can_see_unit(request.user, a)],
            "form": filters["form"],
            "charts": charts,
            "rule_states": rule_states,
            "query": request.GET.urlencode(),
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
    # An export reads the people as it writes them (memory stays flat); the page lists them.
    read = iter_unit_people if filters["export"] else get_unit_people
    try:
        people = read(
            user=request.user,
            unit=unit,
            course_id=course.pk,
            status=filters["status"],
            audience=filters["audience"],
            hired_from=filters["hired_from"],
            hired_to=filters["hired_to"],
        )
    except lms.AccessDenied as error:
        raise PermissionDenied(error.message) from error
    if filters["export"]:
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

        def fmt(value):
            return value.date().isoformat() if value else ""

        rows = (
            [
                p.name,
                p.employee_number,
                p.unit,
                p.job_title,
                _("yes") if p.is_manager else _("no"),
                str(p.status.label),
                p.percent,
                fmt(p.due_at),
                fmt(p.completed_at),
                fmt(p.expires_at),
            ]
            for p in people
        )
        return export_response(
            request,
            fmt=filters["export"],
            filename=f"personer-{unit.name}",
            header=header,
            rows=rows,
            audit_units=[unit],
            what=f"people: {course.title}",
        )
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
            "people": people,
            "statuses": ComplianceStatus,
            "form": filters["form"],
            "query": request.GET.urlencode(),
        },
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
