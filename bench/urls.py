"""The site's URLs plus minimal baselines: a view doing one UPDATE (the heartbeat
benchmark) and Wagtail's own page serving without the project's routing (the course page
benchmark)."""

import json

from django.http import Http404, JsonResponse
from django.urls import path, re_path
from django.views.decorators.http import require_POST

from config.urls import urlpatterns as site_urlpatterns
from wagtail_learning.lms.models import StepProgress


@require_POST
def baseline_update(request):
    """What a heartbeat costs at the least: parse JSON, one UPDATE, answer JSON."""
    body = json.loads(request.body)
    StepProgress.objects.filter(
        user_id=request.user.pk, module_id=body["module_id"], step_id=body["step_id"]
    ).update(position_seconds=body["position"])
    return JsonResponse({"ok": True})


def stock_wagtail_serve(request, path):
    """Wagtail's page view as Wagtail ships it, without home.routing: the site looked up in
    the database, the path walked one page at a time (`Page.route`)."""
    from wagtail import views as wagtail_views
    from wagtail.models import Page, Site

    site = Site.find_for_request(request)
    if site is None:
        raise Http404
    components = [part for part in path.split("/") if part]
    request._wagtail_route_for_request = Page.route(site.root_page.specific, request, components)
    return wagtail_views.serve(request, path)


urlpatterns = [
    path("bench/baseline/", baseline_update),
    re_path(r"^bench/stock((?:/[\w\-]+)*/)$", stock_wagtail_serve),
    *site_urlpatterns,
]
