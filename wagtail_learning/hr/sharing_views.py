"""Courses shared between organisations: assigning a course to one's own people, the
owner's figures per participating organisation, and the funder's programme report. Thin
views over compliance.api (decision 0020)."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.models import Page

from wagtail_learning.compliance.api import (
    HORIZONS,
    Assignment,
    CourseSharing,
    NotParticipating,
    PeriodTooShort,
    Withheld,
    create_assignment,
    get_owned_courses,
    get_programme_report,
    get_shared_course_figures,
    get_shared_course_forecast,
    shortest_period_start,
)
from wagtail_learning.courses.models import CoursePage
from wagtail_learning.lms import api as lms
from wagtail_learning.lms.http.exports import export_response
from wagtail_learning.org.api import Organisation, OutOfScope, get_scope_units, scope_queryset


def _require(request, permission: str = "compliance.view_compliance"):
    if not request.user.has_perm(permission):
        raise PermissionDenied


def _scope_units(user):
    """Every unit the user may assign to: their scope units and everything below them."""
    tops = list(get_scope_units(user))
    units = Organisation.objects.none()
    for top in tops:
        units |= Organisation.objects.filter(path__startswith=top.path)
    return units.order_by("path")


class AssignmentForm(forms.ModelForm):
    """A course for an audience in the coordinator's own organisation. Every course is
    offered; one the organisation does not take part in is refused with the reason
    (Assignment.clean asks compliance's sharing rule)."""

    class Meta:
        model = Assignment
        fields = [
            "course",
            "unit",
            "audience",
            "hired_after",
            "due_mode",
            "due_date",
            "due_days",
            "recurrence_months",
            "target_share",
        ]
        widgets = {
            "hired_after": forms.DateInput(attrs={"type": "date"}),
            "due_date": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = Page.objects.type(CoursePage).order_by("title")
        self.fields["unit"].queryset = _scope_units(user)
        self.fields["unit"].label_from_instance = lambda unit: unit.label


def assignments(request):
    """The assignments of the user's organisation, and a form to add one."""
    _require(request)
    can_assign = request.user.has_perm("compliance.add_assignment")
    form = None
    if can_assign:
        form = AssignmentForm(request.POST or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            terms = {name: data[name] for name in AssignmentForm.Meta.fields[2:]}
            try:
                assignment = create_assignment(
                    user=request.user, course_id=data["course"].pk, unit=data["unit"], **terms
                )
            except (NotParticipating, OutOfScope) as error:
                form.add_error("course", error.message)
            else:
                messages.success(
                    request,
                    _("“%(course)s” is assigned to %(unit)s.")
                    % {"course": assignment.course.title, "unit": assignment.unit.name},
                )
                return redirect("hr_assignments")
    elif request.method == "POST":
        raise PermissionDenied
    visible = scope_queryset(
        request.user, Assignment.objects.select_related("course", "unit").order_by("-pk")
    )
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(
        request,
        "hr/sharing/assignments.html",
        {
            "header_title": _("Assignments"),
            "page_title": _("Assignments"),
            "header_icon": "tasks",
            "assignments": visible,
            "form": form,
        },
        status=status,
    )


def shared_courses(request):
    """The courses the user's organisation owns and shares, and those shared with it."""
    _require(request)
    owned = list(get_owned_courses(request.user))
    roots = [unit.top for unit in get_scope_units(request.user)]
    shared_with_us = (
        CourseSharing.objects.select_related("course", "owner")
        .filter(participants__in=roots)
        .exclude(pk__in=[s.pk for s in owned])
        .distinct()
        .order_by("course__title")
    )
    open_to_all = (
        CourseSharing.objects.select_related("course", "owner")
        .filter(open_to_all=True)
        .exclude(pk__in=[s.pk for s in owned])
        .order_by("course__title")
    )
    return TemplateResponse(
        request,
        "hr/sharing/shared_courses.html",
        {
            "header_title": _("Shared courses"),
            "page_title": _("Shared courses"),
            "header_icon": "globe",
            "owned": owned,
            "shared_with_us": [*shared_with_us, *open_to_all],
        },
    )


def _share(value):
    if value is None:
        return ""
    return value if isinstance(value, Withheld) else round(value, 1)


def shared_course(request, course_id: int):
    """For the owner's coordinators: the course's figures per participating organisation,
    counts and shares without names; the owner's own people through the usual reports."""
    _require(request)
    try:
        figures = get_shared_course_figures(user=request.user, course_id=course_id)
    except lms.AccessDenied as error:
        raise PermissionDenied(error.message) from error
    export = request.GET.get("export", "")
    if export not in ("", "csv", "xlsx"):
        return HttpResponseBadRequest(_("Export as csv or xlsx."))
    if export:
        header = [
            _("Organisation"),
            _("audience"),
            _("compliant"),
            _("share (%)"),
            _("overdue"),
            _("in progress"),
            _("not started or expired"),
        ]
        rows = [
            [
                row.organisation.name if row.organisation else _("Total (each person once)"),
                row.audience,
                row.compliant,
                _share(row.share),
                row.overdue,
                row.in_progress,
                row.remaining,
            ]
            for row in [*figures.rows, figures.total]
        ]
        return export_response(
            request,
            fmt=export,
            filename="delad-kurs",
            header=header,
            rows=rows,
            audit_units=[figures.sharing.owner],
            what=f"shared course: {figures.sharing.course.title}",
        )
    return TemplateResponse(
        request,
        "hr/sharing/shared_course.html",
        {
            "header_title": figures.sharing.course.title,
            "page_title": figures.sharing.course.title,
            "page_subtitle": _("Shared course"),
            "header_icon": "globe",
            "figures": figures,
            "forecast": get_shared_course_forecast(user=request.user, course_id=course_id),
            "horizons": HORIZONS,
            "query": request.GET.urlencode(),
        },
    )


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}))
    export = forms.ChoiceField(required=False, choices=[("", ""), ("csv", "CSV"), ("xlsx", "XLSX")])

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(_("The period ends before it starts."))
        return data


def programme_report(request, course_id: int):
    """The joint programme report for the funder: per organisation, for a period."""
    _require(request)
    today = timezone.localdate()
    params = request.GET.copy()
    # This year so far, or the last month early in January (a period is at least a month).
    params.setdefault(
        "start", min(date(today.year, 1, 1), shortest_period_start(today)).isoformat()
    )
    params.setdefault("end", today.isoformat())
    form = PeriodForm(params)

    def refuse(errors: str):
        """A period that cannot be shown: the page again with the reason beside the
        dates (400); an export, which has no page to show it on, a plain 400."""
        message = _("Check the period: %(errors)s") % {"errors": errors}
        if params.get("export"):
            return HttpResponseBadRequest(message)
        form.add_error(None, message)
        context = {
            "header_title": _("Programme report"),
            "page_title": _("Programme report"),
            "header_icon": "doc-full",
            "report": None,
            "course_id": course_id,
            "form": form,
        }
        return TemplateResponse(request, "hr/sharing/programme_report.html", context, status=400)

    if not form.is_valid():
        return refuse("; ".join(" ".join(errs) for errs in form.errors.values()))
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    try:
        report = get_programme_report(user=request.user, course_id=course_id, start=start, end=end)
    except lms.AccessDenied as error:
        raise PermissionDenied(error.message) from error
    except PeriodTooShort as error:
        return refuse(error.message)
    if form.cleaned_data["export"]:

        def day(value):
            if isinstance(value, Withheld):
                return value
            return timezone.localtime(value).date().isoformat() if value else ""

        header = [
            _("Organisation"),
            _("Participants"),
            _("Completed"),
            _("Training hours"),
            _("First activity"),
            _("Last activity"),
        ]
        rows = [
            [
                row.organisation.name if row.organisation else _("Total (each person once)"),
                row.participants,
                row.completions,
                row.hours,
                day(row.first_activity),
                day(row.last_activity),
            ]
            for row in [*report.rows, report.total]
        ]
        return export_response(
            request,
            fmt=form.cleaned_data["export"],
            filename=f"programrapport-{start:%Y%m%d}-{end:%Y%m%d}",
            header=header,
            rows=rows,
            audit_units=[report.sharing.owner],
            what=f"programme report: {report.sharing.course.title}",
            title_lines=[
                _("Programme report: %(course)s, %(start)s to %(end)s")
                % {"course": report.sharing.course.title, "start": start, "end": end},
                *(str(definition) for definition in report.definitions),
            ],
        )
    return TemplateResponse(
        request,
        "hr/sharing/programme_report.html",
        {
            "header_title": _("Programme report"),
            "page_title": _("Programme report"),
            "page_subtitle": report.sharing.course.title,
            "header_icon": "doc-full",
            "report": report,
            "course_id": course_id,
            "form": form,
            "query": f"start={start.isoformat()}&end={end.isoformat()}",
        },
    )
