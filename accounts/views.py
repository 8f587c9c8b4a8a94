"""Views that replace or wrap Wagtail admin's account views (mounted in config/urls.py
ahead of Wagtail's own URLs)."""

from __future__ import annotations

from django.http import HttpResponseNotAllowed
from wagtail.admin.views import account as wagtail_account


class AdminLogoutView(wagtail_account.LogoutView):
    """Wagtail admin's logout, POST only.

    Wagtail's LogoutView deletes the session cookie in dispatch() whatever the method, so a
    GET (a link or an image on any page) logs the editor out even though it answers 405.
    Other methods are refused here before Wagtail's dispatch runs. The admin's own menu
    sends a POST form with the CSRF token, which goes through unchanged."""

    def dispatch(self, request, *args, **kwargs):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        return super().dispatch(request, *args, **kwargs)
