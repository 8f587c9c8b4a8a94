"""The statement, the form to report a barrier and its receipt: thin views over the
services."""

from __future__ import annotations

import math

from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods
from wagtail.models import Site

from wagtail_learning.accounts import api as accounts

from .conf import reports_per_client
from .forms import BarrierReportForm, local_path
from .services import get_statement, report_barrier

_RECEIPT = "accessibility_receipt"


@require_GET
def statement(request):
    return render(request, "accessibility/statement.html", {"statement": get_statement()})


@require_http_methods(["GET", "POST"])
def report(request):
    """Anyone (signed in or not) reports a barrier; a signed-in person's name and address
    are offered, and they may clear them."""
    host = request.get_host()
    if request.method != "POST":
        initial = {"page_url": local_path(request.GET.get("sida", ""), host=host) or ""}
        if request.user.is_authenticated:
            initial["contact_name"] = request.user.get_full_name()
            initial["contact_email"] = request.user.email
        form = BarrierReportForm(initial=initial, host=host)
        return render(request, "accessibility/report.html", {"form": form})
    form = BarrierReportForm(request.POST, host=host)
    retry_at = accounts.hit(reports_per_client(), accounts.client_ip(request))
    if retry_at is not None:
        seconds = max(1, math.ceil((retry_at - timezone.now()).total_seconds()))
        context = {"form": form, "throttled": True, "retry_minutes": math.ceil(seconds / 60)}
        response = render(request, "accessibility/report.html", context, status=429)
        response["Retry-After"] = str(seconds)
        return response
    if not form.is_valid():
        return render(request, "accessibility/report.html", {"form": form}, status=400)
    sent = report_barrier(site=Site.find_for_request(request), **form.cleaned_data)
    request.session[_RECEIPT] = {"number": sent.pk, "email": bool(sent.contact_email)}
    return redirect("accessibility:received")


@require_GET
def received(request):
    receipt = request.session.pop(_RECEIPT, None)
    return render(request, "accessibility/received.html", {"receipt": receipt})
