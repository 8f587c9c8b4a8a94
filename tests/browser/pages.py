"""The page types of the project, from its URL resolver and its Wagtail page models, and the
pages the accessibility suite opens for each role (tests/browser/test_wcag_every_page.py).

A page type is a named URL pattern of the project (its own views and the admin viewsets and
snippets its apps register) or a Wagtail page model of ours with each of its routes. Every
one is either opened by a role in `PAGES` or excluded in `EXCLUDED` with the reason, so a
new view or route cannot be forgotten (test_every_page_type_is_checked_or_excluded)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

OURS = ("wagtail_learning", "home", "config")


def _walk(patterns, namespace=None):
    from django.urls import URLResolver

    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, inner)
        else:
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            yield name, str(pattern.pattern), getattr(pattern.callback, "__module__", "") or ""


def our_app_labels() -> set[str]:
    from django.apps import apps

    return {config.label for config in apps.get_app_configs() if config.name.startswith(OURS)}


def is_ours(name: str | None, module: str) -> bool:
    """A view of the project: its own code, or a viewset/snippet one of its apps registers
    in Wagtail's admin (Wagtail's generic views, our model and our configuration)."""
    if module.startswith(OURS):
        return True
    if name is None or name == "set_language":
        return False
    namespace = name.split(":", 1)[0]
    snippet = re.match(r"wagtailsnippet(?:s|choosers)_([a-z0-9]+)_", namespace)
    if snippet:
        return snippet.group(1) in our_app_labels()
    return not namespace.startswith(("wagtail", "api-v1"))


def page_types() -> set[str]:
    """Every page type of the project: `name` of a URL pattern (its route when unnamed), and
    `app.Model` / `app.Model:route` for our Wagtail page models and their routes."""
    from django.urls import get_resolver
    from wagtail.models import get_page_models

    found = set()
    for name, route, module in _walk(get_resolver().url_patterns):
        if name == "wagtail_serve" or not is_ours(name, module):
            continue
        found.add(name or route)
    for model in get_page_models():
        if not model.__module__.startswith(OURS):
            continue
        label = f"{model._meta.app_label}.{model.__name__}"
        if hasattr(model, "get_resolver"):
            for name, _route, _module in _walk(model.get_resolver().url_patterns):
                found.add(f"{label}:{name}")
        else:
            found.add(label)
    return found


def page_type_of(path: str) -> str:
    """The page type `path` is served by, named as in `page_types()`."""
    from django.test import RequestFactory
    from django.urls import Resolver404, resolve
    from wagtail.models import Site

    match = resolve(path)
    if match.url_name != "wagtail_serve":
        return match.view_name if match.url_name else match.route
    request = RequestFactory().get(path)
    root = Site.objects.get(is_default_site=True).root_page.specific
    components = [part for part in path.split("/") if part]
    # Walk down the tree as far as pages go; the rest is the page's own route.
    page, rest = root, components
    while rest:
        child = page.get_children().filter(slug=rest[0]).first()
        if child is None:
            break
        page, rest = child.specific, rest[1:]
    model = type(page)
    label = f"{model._meta.app_label}.{model.__name__}"
    if not hasattr(model, "get_resolver"):
        return label
    try:
        sub = model.get_resolver().resolve("/" + "".join(f"{part}/" for part in rest))
    except Resolver404:
        return f"{label}:?"
    del request
    return f"{label}:{sub.url_name}"


# --- What the suite opens, role by role -----------------------------------------------------


@dataclass(frozen=True)
class Check:
    page_type: str
    url: Callable[[dict], str]  # from the demo's objects (test_wcag_every_page.demo_world)
    status: int = 200
    admin: bool = False  # Wagtail's admin chrome: its known barriers are allowed (a11y.py)
    wagtail_view: bool = False  # a view Wagtail builds (editor, listing): see WAGTAIL_REFLOW


def _c(page_type, url, status=200, admin=False, wagtail_view=False):
    url = url if callable(url) else (lambda _w, u=url: u)
    return Check(page_type, url, status, admin, wagtail_view)


def _a(page_type, url, status=200):
    """A page of ours inside Wagtail's admin chrome."""
    return _c(page_type, url, status, admin=True)


def _w(page_type, url, status=200):
    """A page Wagtail's own views build (the page editor, its snippet and model views)."""
    return _c(page_type, url, status, admin=True, wagtail_view=True)


PUBLIC = [
    _c("home.HomePage", "/"),
    _c("accessibility:statement", "/tillganglighet/"),
    _c("accessibility:report", "/tillganglighet/rapportera/"),
    _c("accessibility:received", "/tillganglighet/rapportera/mottagen/"),
    _c("login", "/konto/logga-in/"),
    _c("certificates:verify", "/certificates/verify/"),
    _c("certificates:verify_code", lambda w: f"/certificates/verify/{w['certificate'].code}/"),
    _c("courses.CourseIndexPage", lambda w: w["catalogue"].url),
    _c("courses.CoursePage:overview", lambda w: w["course"].url),
    _c("external:register", lambda w: f"/extern/kurser/{w['external_course'].pk}/registrera/"),
    _c(
        "external:register_page",
        lambda w: f"/extern/kurser/{w['external_course'].pk}/organisationer/",
    ),
    _c("external:sent", "/extern/registrerad/"),
    _c("external:verify_recognition", lambda w: f"/extern/erkannande/{w['recognition'].code}/"),
    _c("events.EventIndexPage:calendar", lambda w: w["event"].get_parent().url),
    _c("events.EventPage:event", lambda w: w["event"].url),
]

LEARNER = [
    _c("home.HomePage", "/"),
    _c("courses.CourseIndexPage", lambda w: w["catalogue"].url),
    _c("courses.CoursePage:overview", lambda w: w["course"].url),
    _c("modules.ModulePage:overview", lambda w: w["module"].url),
    _c("modules.ModulePage:step", lambda w: w["lecture_url"]),
    _c("modules.ModulePage:step", lambda w: w["quiz_url"]),
    _c("modules.ModulePage:step", lambda w: w["reading_url"]),
    _c("modules.ModulePage:step", lambda w: w["package_url"]),  # a SCORM package's player
    _c("learning:training_record", "/min-utbildning/"),
    _c("certificates:mine", "/certificates/mine/"),
    _c("certificates:detail", lambda w: f"/certificates/{w['certificate'].code}/"),
    _c("events:calendar", "/kalender/"),
    _c("events.EventIndexPage:calendar", lambda w: w["event"].get_parent().url),
    _c("events.EventPage:event", lambda w: w["event"].url),
    _c("evaluations:answer", lambda w: f"/utvardering/{w['participant'].pk}/"),
    _c("accessibility:report", "/tillganglighet/rapportera/"),
]

EXTERNAL = [
    _c("external:organisation", "/extern/min-organisation/"),
    _c("courses.CoursePage:overview", lambda w: w["external_course"].url),
    _c(
        "external:register_page",
        lambda w: f"/extern/kurser/{w['external_course'].pk}/organisationer/",
    ),
    _c("certificates:mine", "/certificates/mine/"),
]

EDITOR = [
    _w("wagtailadmin_pages:edit", lambda w: f"/admin/pages/{w['course'].pk}/edit/"),
    _w("wagtailadmin_pages:edit", lambda w: f"/admin/pages/{w['module'].pk}/edit/"),
    _w("wagtailadmin_explore", lambda w: f"/admin/pages/{w['course'].pk}/"),
    _w("wagtailsnippets_modules_lecture:list", "/admin/snippets/modules/lecture/"),
    _w("wagtailsnippets_modules_lecture:add", "/admin/snippets/modules/lecture/add/"),
    _w(
        "wagtailsnippets_modules_lecture:edit",
        lambda w: f"/admin/snippets/modules/lecture/edit/{w['lecture'].pk}/",
    ),
    _a(
        "wagtailsnippets_modules_lecture:captions",
        lambda w: f"/admin/snippets/modules/lecture/captions/{w['lecture'].pk}/",
    ),
    _w("wagtailsnippets_modules_quiz:list", "/admin/snippets/modules/quiz/"),
    _w("wagtailsnippets_modules_quiz:add", "/admin/snippets/modules/quiz/add/"),
    _w(
        "wagtailsnippets_modules_quiz:edit",
        lambda w: f"/admin/snippets/modules/quiz/edit/{w['quiz'].pk}/",
    ),
    _w("wagtailsnippets_packages_contentpackage:list", "/admin/snippets/packages/contentpackage/"),
    _w(
        "wagtailsnippets_packages_contentpackage:add",
        "/admin/snippets/packages/contentpackage/add/",
    ),
    _w(
        "wagtailsnippets_packages_contentpackage:edit",
        lambda w: f"/admin/snippets/packages/contentpackage/edit/{w['package'].pk}/",
    ),
    _a(
        "insight_lecture_retention",
        lambda w: f"/admin/insight/lecture/{w['own_lecture'].pk}/",
    ),
    _a(
        "insight_quiz_item_analysis",
        lambda w: f"/admin/insight/quiz/{w['own_quiz'].pk}/",
    ),
]

ORGANISER = [
    _w("wagtailadmin_pages:edit", lambda w: f"/admin/pages/{w['event'].pk}/edit/"),
    _a("events_index", "/admin/events/"),
    _a("events_participants", lambda w: f"/admin/events/{w['event'].pk}/participants/"),
]

HR = [
    _a("hr_compliance", "/admin/hr/compliance/"),
    _a("hr_unit_people", lambda w: w["unit_people_url"]),
    _a("hr_person", lambda w: f"/admin/hr/person/{w['staff'].pk}/"),
    _a("hr_certification", "/admin/hr/certification/"),
    _a("hr_unit_certification", lambda w: f"/admin/hr/certification/unit/{w['unit'].pk}/"),
    _a("hr_import", "/admin/hr/import/"),
    _a("hr_assignments", "/admin/hr/assignments/"),
    _a("hr_shared_courses", "/admin/hr/shared/"),
    _a("hr_forecast", "/admin/hr/forecast/"),
    _a("hr_forecast_people", lambda w: w["forecast_people_url"]),
    _w("hr_certification_rules:index", "/admin/hr/certification-rules/"),
    _w("hr_certification_rules:add", "/admin/hr/certification-rules/new/"),
    _w("certificates_certificate:index", "/admin/certificates/"),
    _w(
        "certificates_certificate:inspect",
        lambda w: f"/admin/certificates/inspect/{w['hr_certificate'].pk}/",
    ),
    _a(
        "certificates_certificate:revoke",
        lambda w: f"/admin/certificates/revoke/{w['hr_certificate'].pk}/",
    ),
    _a("evaluations_results", "/admin/utvarderingar/"),
    _a("evaluations_result", lambda w: f"/admin/utvarderingar/{w['evaluation'].pk}/"),
]

COORDINATOR = [
    _a("external_admin", "/admin/extern/"),
    _w("external_recognition_rules:index", "/admin/external_recognition_rules/"),
    _w("external_recognition_rules:add", "/admin/external_recognition_rules/new/"),
]

ADMINISTRATOR = [
    _w("evaluation_consents:index", "/admin/evaluation_consents/"),
    _w("hr_units:edit", lambda w: f"/admin/hr/units/edit/{w['unit'].pk}/"),
    _w("hr_units:index", "/admin/hr/units/"),
    _w("wagtailsnippets_evaluations_question:add", "/admin/snippets/evaluations/question/add/"),
    _w(
        "wagtailsnippets_evaluations_evaluation:add",
        "/admin/snippets/evaluations/evaluation/add/",
    ),
    _w("wagtailsnippets_evaluations_question:list", "/admin/snippets/evaluations/question/"),
    _w("wagtailsnippets_evaluations_evaluation:list", "/admin/snippets/evaluations/evaluation/"),
    # A recording is for those who held a seat or attended, and superusers.
    _c("events.EventPage:recording", lambda w: w["recording_url"]),
    _w("accessibility_barrierreport:index", "/admin/accessibility/reports/"),
    _w(
        "accessibility_barrierreport:edit",
        lambda w: f"/admin/accessibility/reports/edit/{w['barrier_report'].pk}/",
    ),
    _w(
        "accessibility_barrierreport:inspect",
        lambda w: f"/admin/accessibility/reports/inspect/{w['barrier_report'].pk}/",
    ),
    _w("identity_providers:index", "/admin/identity_providers/"),
    _w("identity_providers:add", "/admin/identity_providers/new/"),
    _w("identity_conflicts:index", "/admin/identity_conflicts/"),
    _w("course_sharing:index", "/admin/course_sharing/"),
    _w("course_sharing:add", "/admin/course_sharing/new/"),
    _w(
        "wagtailsnippets_certificates_certificatedesign:list",
        "/admin/snippets/certificates/certificatedesign/",
    ),
    _w(
        "wagtailsnippets_certificates_certificatedesign:add",
        "/admin/snippets/certificates/certificatedesign/add/",
    ),
    _w(
        "wagtailsnippets_certificates_certificatedesign:edit",
        lambda w: f"/admin/snippets/certificates/certificatedesign/edit/{w['design'].pk}/",
    ),
    # xAPI out: only superusers hold its permissions in the demo.
    _w("xapi_connections:index", "/admin/xapi_connections/"),
    _w("xapi_connections:add", "/admin/xapi_connections/new/"),
    _w(
        "xapi_connections:edit",
        lambda w: f"/admin/xapi_connections/edit/{w['lrs_connection'].pk}/",
    ),
    _w("xapi_outbox:index", "/admin/xapi_outbox/"),
    _w("xapi_outbox:inspect", lambda w: f"/admin/xapi_outbox/inspect/{w['statement'].pk}/"),
]

PROGRAMME_OWNER = [
    _a("hr_shared_course", lambda w: f"/admin/hr/shared/{w['shared_course'].pk}/"),
    _a("hr_programme_report", lambda w: f"/admin/hr/shared/{w['shared_course'].pk}/report/"),
]

# role: (demo account, pages). The organiser is the demo's `arrangor` (home/demo/organiser.py):
# edits the calendar's events and runs the network meeting, edits no course and is not HR;
# the programme owner is the coordinator of the organisation that owns the shared minorities
# series; the administrator opens the admin pages only a superuser has.
ROLES: dict[str, tuple[str | None, list[Check]]] = {
    "public": (None, PUBLIC),
    "learner": ("learner", LEARNER),
    "external": ("kontakt", EXTERNAL),
    "editor": ("editor", EDITOR),
    "organiser": ("arrangor", ORGANISER),
    "hr": ("hr", HR),
    "coordinator": ("pitea", COORDINATOR),
    "programme_owner": ("hr-sundbyberg", PROGRAMME_OWNER),
    "administrator": ("admin", ADMINISTRATOR),
}

# --- Not opened, and why --------------------------------------------------------------------

NOT_A_PAGE = "not an HTML page (a file, a feed or JSON)"
ACTION = "a POST action that answers with a redirect; its form is on a page that is checked"
FRAGMENT = "an HTMX fragment of its listing, which is checked with it"
SSO = "a single sign-on endpoint that answers the identity provider, not a person"
CHOOSER = "the content of Wagtail's chooser modal (Wagtail's own view and markup)"
STOCK = (
    "Wagtail's generic view for a model of ours, with nothing of ours in its markup: the "
    "same as the listing/edit views of it that are checked"
)

SAME_FORM = (
    "Wagtail's generic form view of this viewset, the same markup as its add/edit view "
    "that is checked"
)

EXCLUDED: dict[str, str] = {
    "accessibility_barrierreport:add": SAME_FORM,
    "course_sharing:edit": SAME_FORM,
    "evaluation_consents:add": SAME_FORM,
    "evaluation_consents:edit": SAME_FORM,
    "external_recognition_rules:edit": SAME_FORM,
    "hr_certification_rules:edit": SAME_FORM,
    "identity_providers:edit": SAME_FORM,
    "identity_conflicts:add": SAME_FORM,
    "identity_conflicts:edit": SAME_FORM,
    "identity_conflicts:inspect": "the demo has no sign-in conflict; Wagtail's inspect view",
    "wagtailsnippets_evaluations_evaluation:edit": SAME_FORM,
    "wagtailsnippets_evaluations_question:edit": SAME_FORM,
    "courses.CoursePage:index_route": "shadowed by the page's own route '' (overview)",
    "modules.ModulePage:index_route": "shadowed by the page's own route '' (overview)",
    "events.EventIndexPage:index_route": "replaced by the events views' own route ''",
    "events.EventPage:index_route": "replaced by the events views' own route ''",
    "admin/logout/": ACTION,
    "admin/password_reset/": "redirects to the platform's own password reset",
    "certificates:download": f"{NOT_A_PAGE}: the PDF, checked as PDF/UA in tests/certificates",
    "learning:training_record_json": NOT_A_PAGE,
    "events:feed": NOT_A_PAGE,
    "events:calendar_new_token": ACTION,
    "events:calendar_revoke": ACTION,
    "hr_import_template": NOT_A_PAGE,
    "hr_import_preview": "needs an uploaded file; the HR import journey test covers it",
    "hr_import_progress": "needs an uploaded file; the HR import journey test covers it",
    "hr_import_result": "needs an uploaded file; the HR import journey test covers it",
    "logout": ACTION,
    "external:resend": ACTION,
    "external:verify": "a one-time link from an e-mail that redirects",
    "external:consent": ACTION,
    "external_admin_decide": ACTION,
    "external_admin_withdraw": ACTION,
    "events_cancel": ACTION,
    "favicon.ico": "not an HTML page (a redirect to the site's icon)",
    "events_import_report": "a POST of an attendance report; its form is on the participants page",
    "events_cancel_session": ACTION,
    "identity:logged_out": (
        "shown only after a single sign-out at the identity provider; otherwise it sends "
        "on to the home page, which is checked"
    ),
    "certificates_certificate:rerender": ACTION,
    "courses.CoursePage:enrol": ACTION,
    "events.EventPage:register": "the registration form is on the event page, checked",
    "events.EventPage:cancel": ACTION,
    "events.EventPage:check_in": "reached by a QR code during a session; the event journey test",
    "events.EventPage:recording_video": NOT_A_PAGE,
    "modules.ModulePage:video": NOT_A_PAGE,
    "modules.ModulePage:captions": NOT_A_PAGE,
    "modules.ModulePage:document": NOT_A_PAGE,
    "modules.ModulePage:linked_document": NOT_A_PAGE,
    "wagtailsnippets_modules_lecture:captions_video": NOT_A_PAGE,
    "wagtailsnippets_modules_lecture:captions_track": NOT_A_PAGE,
    "identity:oidc_callback": SSO,
    "identity:saml_acs": SSO,
    "identity:saml_sls": SSO,
    "identity:saml_metadata": SSO,
    "identity:saml_finish": SSO,
    "identity:start": SSO,
    "packages:file": f"{NOT_A_PAGE}: a file of a package, shown inside the player's iframe",
    "packages:commit": f"{NOT_A_PAGE}: the SCORM runtime's JSON commit of the player",
    "packages:cmi5_fetch": f"{NOT_A_PAGE}: the cmi5 AU's one-time token (JSON)",
    "packages:cmi5_lrs": f"{NOT_A_PAGE}: the cmi5 AU's xAPI endpoint (JSON)",
    "packages:cmi5_lrs_resource": f"{NOT_A_PAGE}: the cmi5 AU's xAPI endpoint (JSON)",
}

# Whole families, by the end of their name.
EXCLUDED_SUFFIXES: dict[str, str] = {
    "_results": FRAGMENT,
    ":history": STOCK,
    ":usage": STOCK,
    ":copy": STOCK,
    ":delete": STOCK,
    ":unpublish": STOCK,
    ":preview_on_add": "the preview pane of the editor, checked with the editor",
    ":preview_on_edit": "the preview pane of the editor, checked with the editor",
    ":revisions_view": STOCK,
    ":revisions_revert": STOCK,
    ":revisions_compare": STOCK,
    ":revisions_unschedule": STOCK,
}
EXCLUDED_PREFIXES: dict[str, str] = {
    "wagtailsnippetchoosers_": CHOOSER,
}


def exclusion_reason(page_type: str) -> str | None:
    if page_type in EXCLUDED:
        return EXCLUDED[page_type]
    for suffix, reason in EXCLUDED_SUFFIXES.items():
        if page_type.endswith(suffix):
            return reason
    for prefix, reason in EXCLUDED_PREFIXES.items():
        if page_type.startswith(prefix):
            return reason
    return None


def checked_page_types() -> set[str]:
    return {check.page_type for _user, checks in ROLES.values() for check in checks}
