"""Views that replace or wrap Wagtail admin's account views (mounted in config/urls.py
ahead of Wagtail's own URLs), and the page a person sees when logging in is paused."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponseNotAllowed
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.admin.views import account as wagtail_account

from . import throttle

PASSWORD_RESETS_PER_ADDRESS = throttle.Limit("password-reset-address", 3, timedelta(hours=1))
PASSWORD_RESETS_PER_CLIENT = throttle.Limit("password-reset-client", 10, timedelta(hours=1))


def _retry_message(intro: str, retry_at: datetime, *, now: datetime) -> str:
    minutes = max(1, math.ceil((retry_at - now).total_seconds() / 60))
    when = formats.time_format(timezone.localtime(retry_at), "TIME_FORMAT")
    return " ".join(
        [
            intro,
            ngettext(
                "Try again after %(time)s (in %(minutes)s minute).",
                "Try again after %(time)s (in %(minutes)s minutes).",
                minutes,
            )
            % {"time": when, "minutes": minutes},
        ]
    )


def _too_many(response, retry_at: datetime, *, now: datetime):
    response.status_code = 429
    response["Retry-After"] = str(max(1, math.ceil((retry_at - now).total_seconds())))
    return response


def locked_out(request, original_response=None, credentials=None):
    """django-axes' lockout response (AXES_LOCKOUT_CALLABLE): the login page the person
    used (ours or Wagtail admin's), with their username kept and a message saying when to
    try again, as 429 Too Many Requests.

    Each attempt while locked out starts the cool-off again (axes'
    AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT), so the pause ends a cool-off from now."""
    now = timezone.now()
    retry_at = now + settings.AXES_COOLOFF_TIME
    message = _retry_message(
        _("Too many failed attempts to log in. Logging in is paused for a while."),
        retry_at,
        now=now,
    )
    context = getattr(original_response, "context_data", None)
    form = (context or {}).get("form")
    if isinstance(original_response, TemplateResponse) and form is not None:
        form.errors.clear()
        form.add_error(None, message)
        response = TemplateResponse(
            request, original_response.template_name, {**context, "locked_out": True}
        ).render()  # middleware runs after views' responses are rendered
    else:  # a login form of some other kind: a page of our own
        response = render(request, "accounts/locked_out.html", {"message": message})
    return _too_many(response, retry_at, now=now)


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


class AdminPasswordResetView(wagtail_account.PasswordResetView):
    """Wagtail admin's "forgotten password" form, rate-limited per client and per address
    typed (whether or not an account has it, so the refusal reveals nothing): each request
    sends an email, and without a limit anyone can flood a mailbox or our mail server."""

    def form_valid(self, form):
        now = timezone.now()
        retry_at = throttle.hit(
            PASSWORD_RESETS_PER_CLIENT, throttle.client_ip(self.request), now=now
        ) or throttle.hit(
            PASSWORD_RESETS_PER_ADDRESS, form.cleaned_data["email"].strip().lower(), now=now
        )
        if retry_at is None:
            return super().form_valid(form)
        form.add_error(
            None,
            _retry_message(_("Too many requests to reset a password."), retry_at, now=now),
        )
        return _too_many(self.form_invalid(form), retry_at, now=now)


class LoginView(auth_views.LoginView):
    """The site's password login where `wagtail_learning.identity` (which has its own, with
    the organisations' providers beside it) is not installed: Django's, in our frame."""

    template_name = "accounts/login.html"


class LogoutView(auth_views.LogoutView):
    """Django's logout (POST only, as Django 5 has it), for sites without identity."""
