import re

from django.conf import settings
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from home import routing as home_routing

urlpatterns = [
    # The platform (wagtail_learning.urls): ahead of Wagtail's admin, some of whose pages
    # it replaces.
    path("", include("wagtail_learning.urls")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
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
handler400 = "wagtail_learning.errors.bad_request"
