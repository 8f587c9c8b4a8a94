"""HR's view of certified units: each unit's rule state on a chosen date, and a unit's
history. Thin views over compliance.api; the wall decides what is listed."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wagtail_learning.compliance.api import describe_missing, get_rule_states, get_unit_rule_history
from wagtail_learning.org.api import Organisation

from .report_views import _require_reports


class DateForm(forms.Form):
    date = forms.DateField(
        label=gettext_lazy("Certified on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


@dataclass(frozen=True)
class RuleState:
    """A snapshot as HR reads it: the rule, met or not, and what is missing in words."""

    snapshot: object
    words: list[str]

    @property
    def rule(self):
        return self.snapshot.rule

    @property
    def met(self) -> bool:
        return self.snapshot.met


def rule_states(snapshots) -> list[RuleState]:
    return [RuleState(s, describe_missing(s.missing)) for s in snapshots]


def states_by_unit(*, user, units, on) -> dict[int, list[RuleState]]:
    """For the compliance matrix: each row unit's rule states on `on`."""
    found: dict[int, list[RuleState]] = {}
    for state in rule_states(get_rule_states(user=user, on=on, units=units)):
        found.setdefault(state.snapshot.unit_id, []).append(state)
    return found


def certification(request):
    """Which units met which rule on a date (today unless chosen)."""
    _require_reports(request)
    form = DateForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Give the date as YYYY-MM-DD."))
    on = form.cleaned_data["date"] or timezone.localdate()
    if not form.cleaned_data["date"]:
        form = DateForm(initial={"date": on})  # the field shows the date the page shows
    states = rule_states(get_rule_states(user=request.user, on=on))
    by_rule: dict[int, dict] = {}
    for state in states:
        entry = by_rule.setdefault(state.rule.pk, {"rule": state.rule, "states": []})
        entry["states"].append(state)
    return TemplateResponse(
        request,
        "hr/reports/certification.html",
        {
            "header_title": _("Certified units"),
            "page_title": _("Certified units"),
            "header_icon": "tick-inverse",
            "form": form,
            "on": on,
            "rules": list(by_rule.values()),
        },
    )


def unit_certification(request, unit_id: int):
    """One unit's certification history."""
    _require_reports(request)
    unit = get_object_or_404(Organisation, pk=unit_id)
    try:
        history = get_unit_rule_history(user=request.user, unit=unit, days=365)
    except LookupError as error:
        raise PermissionDenied from error
    return TemplateResponse(
        request,
        "hr/reports/unit_certification.html",
        {
            "header_title": unit.name,
            "page_title": _("Certification of %(unit)s") % {"unit": unit.name},
            "header_icon": "tick-inverse",
            "unit": unit,
            "history": rule_states(history),
        },
    )
