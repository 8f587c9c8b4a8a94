"""HR's forecast (issue 24, decision 0044): thin views over compliance.api's forecast.

The scope is the reports' own: the engine raises AccessDenied for a unit outside the
user's reporting scope (org.api.can_see_unit), answered here with a 403, as the
compliance matrix and people list are."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.models import Page

from wagtail_learning.compliance.api import (
    HORIZONS,
    Assignment,
    ForecastReason,
    forecast_people,
    get_forecast,
    iter_forecast_people,
)
from wagtail_learning.lms import api as lms
from wagtail_learning.lms.http import page_of, query_without
from wagtail_learning.lms.http.exports import export_response
from wagtail_learning.org.api import Organisation, get_scope_units

from .charts import forecast_bars_svg
from .report_views import (
    _require_reports,
    export_row_label,
    report_parent,
    unit_report_context,
)

PEOPLE_PER_PAGE = 100


class ForecastForm(forms.Form):
    unit = forms.IntegerField(required=False, min_value=1)
    course = forms.ModelChoiceField(
        label=gettext_lazy("Course"),
        required=False,
        queryset=Page.objects.filter(
            pk__in=Assignment.objects.filter(active=True).values("course_id")
        ).order_by("title"),
        empty_label=gettext_lazy("All assigned courses"),
    )
    days = forms.TypedChoiceField(
        label=gettext_lazy("Within"),
        required=False,
        coerce=int,
        choices=[(d, gettext_lazy("%(days)s days") % {"days": d}) for d in HORIZONS],
        empty_value=HORIZONS[-1],
    )
    export = forms.ChoiceField(required=False, choices=[("", ""), ("csv", "CSV"), ("xlsx", "XLSX")])


def _form(request) -> ForecastForm | HttpResponseBadRequest:
    form = ForecastForm(request.GET)
    if not form.is_valid():
        errors = "; ".join(f"{name}: {' '.join(e)}" for name, e in form.errors.items())
        return HttpResponseBadRequest(_("Check the filters: %(errors)s") % {"errors": errors})
    return form


def forecast(request):
    """Per unit and assigned course: who lapses or comes due within 30, 60 and 90 days,
    and whether the unit is on course to reach its target by the due date."""
    _require_reports(request)
    form = _form(request)
    if isinstance(form, HttpResponseBadRequest):
        return form
    data = form.cleaned_data
    parent = report_parent(request, data["unit"])
    try:
        result = get_forecast(
            user=request.user,
            parent=parent,
            course_ids=[data["course"].pk] if data["course"] else None,
        )
    except lms.AccessDenied as error:
        raise PermissionDenied(error.message) from error
    if data["export"]:
        return _export_forecast(request, data["export"], parent, result)
    courses = []
    for course in result.courses:
        rows = [
            (row, cell, _horizons(row.unit, course, cell))
            for row in result.rows
            for cell in [row.cells[course.course_id]]
        ]
        total = result.total.cells[course.course_id]
        courses.append(
            {
                "course": course,
                "rows": rows,
                "total": total,
                "total_horizons": _horizons(parent, course, total),
                "due": total.due,
                "chart": forecast_bars_svg(
                    [
                        (
                            _("Directly in %(unit)s") % {"unit": row.label}
                            if row.direct
                            else row.label,
                            cell.share,
                            cell.projected_share,
                        )
                        for row, cell, _h in rows
                        if cell.audience
                    ],
                    target=course.target,
                    title=_("%(course)s: compliant now and projected at the due date")
                    % {"course": course.title},
                    key=str(course.course_id),
                ),
            }
        )
    return TemplateResponse(
        request,
        "hr/reports/forecast.html",
        {
            **unit_report_context(
                request,
                parent,
                title=_("Forecast"),
                icon="date",
                url_name="hr_forecast",
                filter_fields=[form["course"]],
            ),
            "forecast": result,
            "courses": courses,
            "form": form,
            "horizons": HORIZONS,
            "query": query_without(request, "export"),
        },
    )


def _horizons(unit, course, cell) -> list[tuple[int, int, str]]:
    """The cell's lapsing then coming-due counts per horizon, each with the link to its
    people (none for a zero or without a unit): one URL reversed per row and course, not
    one per figure in the template."""
    people = (
        reverse("hr_forecast_people", args=[unit.pk, course.course_id]) if unit is not None else ""
    )
    return [
        (days, n, f"{people}?days={days}" if n and people else "")
        for counts in (cell.lapsing, cell.coming_due)
        for days in HORIZONS
        for n in [counts.get(days) or 0]
    ]


def _export_forecast(request, fmt, parent, result):
    header = [_("Unit"), _("Course"), _("Audience"), _("Compliant now"), _("Overdue now")]
    header += [_("Lapses within %(days)s days") % {"days": d} for d in HORIZONS]
    header += [_("Becomes overdue within %(days)s days") % {"days": d} for d in HORIZONS]
    header += [
        _("Due date"),
        _("Completed in the last %(days)s days") % {"days": result.pace_window},
        _("Lapses by the due date"),
        _("Projected compliant at the due date"),
        _("Projected share (%)"),
        _("Target (%)"),
        _("On course"),
        _("Short of the target"),
    ]

    def rows():
        for row in [*result.rows, result.total]:
            label = export_row_label(row)
            for course in result.courses:
                cell = row.cells[course.course_id]
                yield [
                    label,
                    course.title,
                    cell.audience,
                    cell.compliant,
                    cell.overdue,
                    *(cell.lapsing[d] for d in HORIZONS),
                    *(cell.coming_due[d] for d in HORIZONS),
                    cell.due,
                    cell.recent,
                    cell.lapsing_by_due,
                    cell.projected,
                    round(cell.projected_share) if cell.projected_share is not None else None,
                    cell.target,
                    None if cell.on_course is None else (_("yes") if cell.on_course else _("no")),
                    cell.shortfall,
                ]

    audit = [parent] if parent is not None else list(get_scope_units(request.user))
    taken = timezone.localtime()
    return export_response(
        request,
        fmt=fmt,
        filename="prognos" + (f"-{parent.name}" if parent is not None else ""),
        header=header,
        rows=rows(),
        audit_units=audit,
        what="forecast",
        title_lines=[
            _("Forecast: %(unit)s")
            % {"unit": parent.name if parent is not None else _("all my units")},
            _("Taken %(when)s") % {"when": f"{taken:%Y-%m-%d %H:%M}"},
            _(
                "Projected: compliant now, less those whose completion lapses by the due date, "
                "plus the completions of the last %(days)s days at the same pace."
            )
            % {"days": result.pace_window},
        ],
        widths=[30, 30] + [12] * (len(header) - 2),
    )


def forecast_unit_people(request, unit_id: int, course_id: int):
    """Who in a unit (and below) lapses or becomes overdue for a course within 30, 60 or
    90 days (`?days=`, 90 unless told)."""
    _require_reports(request)
    form = _form(request)
    if isinstance(form, HttpResponseBadRequest):
        return form
    days, fmt = form.cleaned_data["days"], form.cleaned_data["export"]
    unit = get_object_or_404(Organisation, pk=unit_id)
    course = get_object_or_404(Page, pk=course_id)
    try:
        if fmt:
            people = iter_forecast_people(
                user=request.user, unit=unit, course_id=course.pk, days=days
            )
        else:
            listed, person = forecast_people(
                user=request.user, unit=unit, course_id=course.pk, days=days
            )
    except lms.AccessDenied as error:
        raise PermissionDenied(error.message) from error
    if fmt:
        return _export_people(request, fmt, unit, course, days, people)
    page = page_of(request, listed, PEOPLE_PER_PAGE)
    return TemplateResponse(
        request,
        "hr/reports/forecast_people.html",
        {
            "header_title": f"{unit.name}: {course.title}",
            "page_title": unit.name,
            "page_subtitle": course.title,
            "header_icon": "date",
            "unit": unit,
            "course": course,
            "days": days,
            "horizons": HORIZONS,
            "people": [person(profile) for profile in page.object_list],
            "people_page": page,
            "reasons": ForecastReason,
            "query": query_without(request, "page", "export"),
            "days_query": query_without(request, "page", "export", "days"),
        },
    )


def _export_people(request, fmt, unit, course, days, people):
    header = [
        _("Name"),
        _("Employee number"),
        _("Unit"),
        _("Job title"),
        _("Manager"),
        _("Why"),
        _("On"),
    ]
    rows = (
        [
            p.name,
            p.employee_number,
            p.unit,
            p.job_title,
            _("yes") if p.is_manager else _("no"),
            str(p.reason.label),
            p.on,
        ]
        for p in people
    )
    taken = timezone.localtime()
    return export_response(
        request,
        fmt=fmt,
        filename=f"prognos-{days}-dagar-{unit.name}-{course.title}",
        header=header,
        rows=rows,
        audit_units=[unit],
        what=f"forecast people: {course.title}",
        title_lines=[
            _("Lapses or becomes overdue within %(days)s days: %(course)s, %(unit)s")
            % {"days": days, "course": course.title, "unit": unit.name},
            _("Taken %(when)s") % {"when": f"{taken:%Y-%m-%d %H:%M}"},
        ],
        widths=[28, 14, 26, 22, 9, 22, 12],
    )
