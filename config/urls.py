from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from accounts.views import AdminLogoutView, AdminPasswordResetView
from lms.rest import api as lms_api

urlpatterns = [
    # Ahead of Wagtail's admin URLs, which they replace: see accounts.views.
    path("admin/logout/", AdminLogoutView.as_view()),
    path("admin/password_reset/", AdminPasswordResetView.as_view()),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v1/", lms_api.urls),
    path("certificates/", include("certificates.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("konto/logga-in/", auth_views.LoginView.as_view(), name="login"),
    path("konto/logga-ut/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("home.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    # Public uploads only (images). Protected media has no URL of its own.
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
