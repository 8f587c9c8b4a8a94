"""The coordinators' admin pages: organisations waiting for approval, recognitions and
their withdrawal. They show organisations and counts, never a person."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .forms import WithdrawForm
from .models import ExternalOrganisation, Recognition
from .services import (
    RecognitionNotGranted,
    approve_organisation,
    reject_organisation,
    withdraw_recognition,
)
from .vocabulary import ApprovalStatus, RecognitionState

APPROVE = "external.change_externalorganisation"
WITHDRAW = "external.change_recognition"


def _not_granted() -> str:
    return _("This organisation is not recognised: only a granted recognition can be withdrawn.")


def _require(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def index(request):
    if not (request.user.has_perm(APPROVE) or request.user.has_perm(WITHDRAW)):
        raise PermissionDenied
    organisations = (
        ExternalOrganisation.objects.select_related("organisation", "resembles")
        .annotate(participants=Count("organisation__memberships", distinct=True))
        .order_by("status", "organisation__name")
    )
    recognitions = Recognition.objects.select_related("organisation", "course").order_by(
        "course__title", "organisation__name"
    )
    return render(
        request,
        "external/admin/index.html",
        {
            "organisations": organisations,
            "recognitions": recognitions,
            "statuses": ApprovalStatus,
            "states": RecognitionState,
            "may_approve": request.user.has_perm(APPROVE),
            "may_withdraw": request.user.has_perm(WITHDRAW),
            "header_title": _("External participants"),
            "page_title": _("External participants"),
            "header_icon": "globe",
        },
    )


@require_POST
def decide(request, pk: int, decision: str):
    _require(request, APPROVE)
    record = get_object_or_404(ExternalOrganisation, pk=pk)
    if decision == "approve":
        approve_organisation(record, user=request.user)
        messages.success(request, _("%(name)s is approved.") % {"name": record})
    elif decision == "reject":
        reject_organisation(record, user=request.user)
        messages.success(request, _("%(name)s is rejected.") % {"name": record})
    else:
        return render(request, "404.html", status=404)
    return redirect("external_admin")


@require_http_methods(["GET", "POST"])
def withdraw(request, pk: int):
    _require(request, WITHDRAW)
    recognition = get_object_or_404(
        Recognition.objects.select_related("organisation", "course"), pk=pk
    )
    form = WithdrawForm(request.POST or None)
    context = {
        "recognition": recognition,
        "form": form,
        "header_title": _("Withdraw a recognition"),
        "page_title": _("Withdraw a recognition"),
        "header_icon": "globe",
    }
    if recognition.withdrawn_at is not None:
        messages.error(request, _("This recognition is already withdrawn."))
        return render(request, "external/admin/withdraw.html", context, status=409)
    if not recognition.can_be_withdrawn:
        messages.error(request, _not_granted())
        return render(request, "external/admin/withdraw.html", context, status=409)
    if request.method != "POST":
        return render(request, "external/admin/withdraw.html", context)
    if not form.is_valid():
        return render(request, "external/admin/withdraw.html", context, status=400)
    try:
        withdraw_recognition(recognition, user=request.user, reason=form.cleaned_data["reason"])
    except RecognitionNotGranted:  # lapsed since the check above
        messages.error(request, _not_granted())
        return render(request, "external/admin/withdraw.html", context, status=409)
    messages.success(request, _("The recognition is withdrawn."))
    return redirect("external_admin")
