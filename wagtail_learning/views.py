"""The learner's own training record: a readable page and a JSON download."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from wagtail_learning.compliance.api import (
    get_training_record,
    record_sections,
    serialise_training_record,
)


@require_GET
@never_cache
@login_required
def training_record(request):
    record = get_training_record(request.user)
    # Other apps' sections (certificates, events, ...) bring their own templates.
    return render(
        request,
        "compliance/training_record.html",
        {"record": record, "sections": record_sections()},
    )


@require_GET
@never_cache
@login_required
def training_record_json(request):
    record = get_training_record(request.user)
    response = HttpResponse(
        serialise_training_record(record), content_type="application/json; charset=utf-8"
    )
    filename = f"training-record-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def favicon(request):
    """/favicon.ico: the site's icon, from the static files (the base template links it)."""
    return HttpResponsePermanentRedirect(static("wagtail_learning/favicon.svg"))
