import re

from django.conf import settings
from django.urls import include, path, re_path
from django.views.decorators.cache import never_cache
from django.views.i18n import set_language
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from accounts.views import AdminLogoutView, AdminPasswordResetView
from home import routing as home_routing
from hr import site_history
from identity import views as identity_views
from lms.http.rest import api as lms_api

urlpatterns = [
    # Wagtail's site history, behind the wall: these win over the same paths in the admin's
    # URLs (which `reverse("wagtailadmin_reports:site_history")` still names).
    path("admin/reports/site-history/", never_cache(site_history.site_history)),
    path("admin/reports/site-history/results/", never_cache(site_history.site_history_results)),
    # Ahead of Wagtail's admin URLs, which they replace: see accounts.views.
    path("admin/logout/", AdminLogoutView.as_view()),
    path("admin/password_reset/", AdminPasswordResetView.as_view()),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v1/", lms_api.urls),
    path("certificates/", include("certificates.urls")),
    path("extern/", include("external.urls")),
    path("kalender/", include("events.urls")),
    path("tillganglighet/", include("accessibility.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    # The password login with the organisations' identity providers beside it, and a
    # logout that also ends the provider's session where it can (identity.views).
    path("konto/logga-in/", identity_views.LoginView.as_view(), name="login"),
    path("konto/logga-ut/", identity_views.logout_view, name="logout"),
    path("konto/sso/", include("identity.urls")),
    path("", include("home.urls")),
]

if settings.DEBUG and settings.MEDIA_URL.startswith("/"):
    from django.views.static import serve

    # Public uploads only (images). Protected media has no URL of its own, and course
    # documents are handed out only by their access-checked views, never from here.
    urlpatterns += [
        re_path(
            rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?!documents/)(?P<path>.*)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]

urlpatterns += [
    # Wagtail's page view with the site from the cache (home.routing), on Wagtail's own
    # pattern for it; Wagtail's URLs follow for the rest.
    re_path(wagtail_urls.serve_pattern, home_routing.serve, name="wagtail_serve"),
    path("", include(wagtail_urls)),
]
handler400 = "config.errors.bad_request"
