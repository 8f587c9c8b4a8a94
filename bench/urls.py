"""The site's URLs plus a minimal baseline view for the heartbeat benchmark."""

import json

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.http import require_POST

from config.urls import urlpatterns as site_urlpatterns
from lms.models import StepProgress


@require_POST
def baseline_update(request):
    """What a heartbeat costs at the least: parse JSON, one UPDATE, answer JSON."""
    body = json.loads(request.body)
    StepProgress.objects.filter(
        user_id=request.user.pk, module_id=body["module_id"], step_id=body["step_id"]
    ).update(position_seconds=body["position"])
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/baseline/", baseline_update), *site_urlpatterns]
