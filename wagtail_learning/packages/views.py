"""A package's files and its runtime's commits, behind the module's access check.

Every file is served same-origin (the content finds the runtime's API in the parent
window) under a policy of its own: scripts of this origin only, no forms leaving it, framed
only by our own pages, sandboxed even when opened on its own."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from django.core import signing
from django.http import Http404, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from wagtail.models import Page

from wagtail_learning.lms import api as lms
from wagtail_learning.lms import http as lms_http

from . import services
from .models import ContentPackage

COMMIT_SALT = "wagtail_learning.packages.commit"
SELF, NONE = "'self'", "'none'"
# Packages are authored by tools that inline their scripts and styles and evaluate code;
# what they may reach stays this origin, and the sandbox keeps them out of top-level
# navigation, popups and plugins.
PACKAGE_POLICY = {
    "default-src": [SELF],
    "script-src": [SELF, "'unsafe-inline'", "'unsafe-eval'"],
    "style-src": [SELF, "'unsafe-inline'"],
    "img-src": [SELF, "data:", "blob:"],
    "media-src": [SELF, "blob:"],
    "font-src": [SELF, "data:"],
    "connect-src": [SELF],
    "object-src": [NONE],
    "base-uri": [SELF],
    "form-action": [NONE],
    "frame-ancestors": [SELF],
    "sandbox": ["allow-scripts", "allow-same-origin", "allow-forms"],
}
SANDBOX = " ".join(PACKAGE_POLICY["sandbox"])


def load_module(module_id: int):
    page = Page.objects.filter(pk=module_id).first()
    page = page.specific if page is not None else None
    if page is None or not isinstance(page, lms.LearningModule):
        raise Http404
    return page


def package_of(module, step_id: str) -> ContentPackage | None:
    """The package a module's package step plays, or None."""
    spec = next(
        (s for s in module.get_lms_steps() if s.step_id == step_id and s.kind == "package"),
        None,
    )
    if spec is None or spec.object_id is None:
        return None
    return ContentPackage.objects.filter(pk=spec.object_id).first()


def _with_policy(response: HttpResponse) -> HttpResponse:
    response._csp_replace = PACKAGE_POLICY  # django-csp's middleware applies it
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def package_file(request, module_id: int, step_id: str, path: str):
    """One file of the package a step plays, for those who may open the module: every
    file, not only the launch page, is checked."""
    module = load_module(module_id)
    decision = lms.check_module_access(user=request.user, module=module)
    if not decision.allowed:
        return _with_policy(lms_http.refuse_file(decision))
    if not module.live and not decision.as_editor:
        raise Http404
    package = package_of(module, step_id)
    if package is None or not package.has_file(path):
        raise Http404
    try:
        response = lms_http.serve_protected_file(
            request,
            storage_alias="protected",
            name=package.storage_name(path),
            same_origin=True,
        )
    except FileNotFoundError as exc:
        raise Http404 from exc
    response["Cache-Control"] = "private, no-cache"
    return _with_policy(response)


def commit_token(user, module_id: int, step_id: str) -> str:
    return signing.dumps([user.pk, module_id, step_id], salt=COMMIT_SALT)


@csrf_exempt  # sendBeacon sends no header; the signed token in the URL stands in for it
@require_POST
@never_cache
def commit(request, module_id: int, step_id: str):
    """The runtime's commit of a learner's CMI data (scorm-again's lmsCommitUrl, and the
    player's beacon when the page goes away). Answers as scorm-again expects."""
    try:
        user_id, token_module, token_step = signing.loads(
            request.GET.get("t", ""), salt=COMMIT_SALT, max_age=60 * 60 * 24
        )
    except (signing.BadSignature, ValueError):
        return JsonResponse({"result": "false", "errorCode": 101}, status=403)
    if (user_id, token_module, token_step) != (request.user.pk, module_id, step_id):
        return JsonResponse({"result": "false", "errorCode": 101}, status=403)
    module = load_module(module_id)
    package = package_of(module, step_id)
    if package is None:
        raise Http404
    try:
        cmi = services.parse_commit(request.body)
        services.record_commit(
            request.user,
            module=module,
            step_id=step_id,
            package=package,
            cmi=cmi,
            unit_id=request.GET.get("del"),  # None: a page from before units, the first
        )
    except lms.LmsError as error:
        return JsonResponse(
            {"result": "false", "errorCode": 101, "detail": error.message},
            status=lms_http.status_for(error),
        )
    return JsonResponse({"result": "true", "errorCode": 0})


def _status_labels() -> dict[str, str]:
    return {
        services.NOT_STARTED: _("Not started"),
        services.INCOMPLETE: _("Incomplete"),
        services.COMPLETED: _("Completed"),
        services.PASSED: _("Passed"),
        services.FAILED: _("Failed"),
    }


def _unit_href(unit: dict) -> str:
    return "?" + urlencode({"del": unit["id"]})


def _navigation(request, module, step_id, package, *, cycle, record) -> dict:
    """The unit to play and the table of contents (decision 0047); opening a unit is
    remembered for the learner (reopening the step starts there)."""
    learner = record and request.user.is_authenticated and cycle is not None
    requested = request.GET.get("del")
    arguments = {"module": module, "step_id": step_id, "package": package}
    nav = services.get_navigation(
        request.user, cycle=cycle if learner else None, requested=requested, **arguments
    )
    if learner:
        services.visit_unit(request.user, unit=nav.current, **arguments)
        nav = services.get_navigation(
            request.user, cycle=cycle, requested=nav.current["id"], **arguments
        )
    labels = _status_labels()
    entries = [
        dict(
            entry, label=labels[entry["status"]], href="?" + urlencode({"del": entry["unit"]["id"]})
        )
        for entry in nav.entries
    ]
    position = next(i for i, entry in enumerate(entries) if entry["current"])
    return {
        "package_unit": nav.current,
        "package_units": entries,
        "package_unit_number": position + 1,
        "package_previous": entries[position - 1] if nav.previous else None,
        "package_next": entries[position + 1] if nav.next else None,
        # Flow only: the next part, shown once the runtime says this one is finished.
        "package_flow_waits": (
            entries[position + 1]
            if not nav.choice and position + 1 < len(entries) and nav.next is None
            else None
        ),
        "package_refused_unit": bool(requested) and requested != nav.current["id"],
    }


def player_context(request, module, step_id: str, *, cycle: int | None, record: bool) -> dict:
    """What the step page needs to play a package step: the unit to play and the table of
    contents, its launch address, the runtime's start state and where commits go (none in
    a preview or for an editor: nothing is recorded)."""
    package = package_of(module, step_id)
    if package is None:
        return {"package": None}
    if not package.units:
        return {"package": None}
    if package.standard == "cmi5":
        return _cmi5_context(request, module, step_id, package, cycle=cycle, record=record)
    navigation = _navigation(request, module, step_id, package, cycle=cycle, record=record)
    unit = navigation["package_unit"]
    state = services.get_launch_state(
        request.user, module=module, step_id=step_id, package=package, cycle=cycle, unit=unit
    )
    launch = reverse("packages:file", args=[module.pk, step_id, quote(unit["path"])])
    if unit.get("query"):
        launch += "?" + unit["query"]
    commit_url = ""
    if record and request.user.is_authenticated:
        commit_url = (
            reverse("packages:commit", args=[module.pk, step_id])
            + "?"
            + urlencode({"t": commit_token(request.user, module.pk, step_id), "del": unit["id"]})
        )
    return {
        "package": package,
        "package_player": {
            "standard": package.standard,
            "launch": launch,
            "commit": commit_url,
            "cmi": state.cmi,
            "resumed": state.resumed,
            "unit": unit["id"],
        },
        "package_sandbox": SANDBOX,
        **navigation,
    }


def _cmi5_context(request, module, step_id: str, package, *, cycle, record: bool) -> dict:
    """A cmi5 AU is launched with its parameters for a learner; a preview cannot launch
    it (the AU would record into an LRS), so it says so."""
    from . import cmi5

    if not (record and request.user.is_authenticated and cycle is not None):
        return {"package": package, "package_player": {"standard": "cmi5"},
                "package_unsupported": True}  # fmt: skip
    navigation = _navigation(request, module, step_id, package, cycle=cycle, record=record)
    unit = navigation["package_unit"]
    launch = cmi5.launch_url(
        request, module=module, step_id=step_id, package=package, cycle=cycle, unit=unit
    )
    return {
        "package": package,
        "package_player": {
            "standard": "cmi5",
            "launch": launch,
            "commit": "",
            "cmi": {},
            "unit": unit["id"],
        },
        "package_sandbox": SANDBOX,
        **navigation,
    }
