"""The platform's URLs: one include for the host, ahead of Wagtail's own.

    path("", include("wagtail_learning.urls")),
    path("admin/", include(wagtailadmin_urls)),   # LMS_ADMIN_PATH, default "admin/"
    ...
    path("", include(wagtail_urls)),

The paths of optional apps (events, external participants, identity providers) are here
only when the app is installed. The few admin paths below replace Wagtail's own at the same
address (the site history behind the wall, the logout that also ends a provider's session,
a password reset that names no account), so this include must come before the admin's.
"""

from django.apps import apps
from django.urls import include, path
from django.views.decorators.cache import never_cache
from django.views.i18n import set_language

from . import views
from .accounts.views import AdminLogoutView, AdminPasswordResetView
from .accounts.views import LoginView as AccountLoginView
from .accounts.views import LogoutView as AccountLogoutView
from .defaults import value
from .lms.http.rest import api as lms_api

ADMIN = value("LMS_ADMIN_PATH")

learner_urls = (
    [
        path("", views.training_record, name="training_record"),
        path("export.json", views.training_record_json, name="training_record_json"),
    ],
    "learning",
)

urlpatterns = [
    # Browsers (and the admin's pages, which do not link ours) ask for /favicon.ico.
    path("favicon.ico", views.favicon),
    path(f"{ADMIN}logout/", AdminLogoutView.as_view()),
    path(f"{ADMIN}password_reset/", AdminPasswordResetView.as_view()),
    path("api/v1/", lms_api.urls),
    path("certificates/", include("wagtail_learning.certificates.urls")),
    path("min-utbildning/", include(learner_urls)),
    # Package steps (SCORM): their files and their runtime's commits, access-checked.
    path("paket/", include("wagtail_learning.packages.urls")),
    # The accessibility statement and barrier reports: linked from every page's footer.
    path("tillganglighet/", include("wagtail_learning.accessibility.urls")),
    # The language switch in the base template's header.
    path("i18n/setlang/", set_language, name="set_language"),
]

if apps.is_installed("wagtail_learning.hr"):
    from .hr import site_history

    # Wagtail's site history, behind the wall: these win over the same paths in the admin's
    # URLs (which `reverse("wagtailadmin_reports:site_history")` still names).
    urlpatterns += [
        path(f"{ADMIN}reports/site-history/", never_cache(site_history.site_history)),
        path(
            f"{ADMIN}reports/site-history/results/",
            never_cache(site_history.site_history_results),
        ),
    ]
if apps.is_installed("wagtail_learning.external"):
    urlpatterns.append(path("extern/", include("wagtail_learning.external.urls")))
if apps.is_installed("wagtail_learning.events"):
    urlpatterns.append(path("kalender/", include("wagtail_learning.events.urls")))
if apps.is_installed("wagtail_learning.evaluations"):
    urlpatterns.append(path("utvardering/", include("wagtail_learning.evaluations.urls")))
if apps.is_installed("wagtail_learning.identity"):
    from .identity import views as identity_views

    # The password login with the organisations' identity providers beside it, and a
    # logout that also ends the provider's session where it can.
    urlpatterns += [
        path("konto/logga-in/", identity_views.LoginView.as_view(), name="login"),
        path("konto/logga-ut/", identity_views.logout_view, name="logout"),
        path("konto/sso/", include("wagtail_learning.identity.urls")),
    ]
else:
    # Without identity: Django's password login and logout at the same addresses (the
    # learner pages link "login" and "logout" by name).
    urlpatterns += [
        path("konto/logga-in/", AccountLoginView.as_view(), name="login"),
        path("konto/logga-ut/", AccountLogoutView.as_view(), name="logout"),
    ]
