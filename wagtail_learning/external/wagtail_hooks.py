"""Admin wiring: the coordinators' page for external participation, recognition rules."""

from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.model import ModelViewSet

from wagtail_learning.identity.backends import INACTIVE_ACCOUNT_HOOK

from . import admin_views
from .models import RecognitionRule
from .services import unconfirmed_registration


class _ExternalMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(admin_views.APPROVE) or request.user.has_perm(
            admin_views.WITHDRAW
        )


@hooks.register("register_admin_urls")
def register_external_urls():
    return [
        path("extern/", admin_views.index, name="external_admin"),
        path(
            "extern/organisation/<int:pk>/<str:decision>/",
            admin_views.decide,
            name="external_admin_decide",
        ),
        path(
            "extern/erkannande/<int:pk>/aterkalla/",
            admin_views.withdraw,
            name="external_admin_withdraw",
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_external_menu_item():
    return _ExternalMenuItem(
        _("External participants"),
        reverse("external_admin"),
        icon_name="globe",
        order=270,
        name="external",
    )


class RecognitionRuleViewSet(ModelViewSet):
    model = RecognitionRule
    icon = "success"
    menu_label = _("Recognition rules")
    add_to_admin_menu = True
    menu_order = 271
    form_fields = ["course", "kind", "min_certified", "heading"]
    list_display = ["course", "kind", "min_certified"]


@hooks.register("register_admin_viewset")
def register_recognition_rules():
    return RecognitionRuleViewSet("external_recognition_rules")


@hooks.register(INACTIVE_ACCOUNT_HOOK)
def unconfirmed_address(user):
    """The login page's answer to the right password of an account whose address is not
    confirmed yet: what to do, and a way to a new link."""
    if unconfirmed_registration(user) is None:
        return None
    return format_html(
        '{} <a href="{}" data-resend-link>{}</a>',
        _(
            "Your email address is not confirmed yet. Follow the link in the email we sent "
            "you when you registered, then log in."
        ),
        reverse("external:resend"),
        _("Send a new link"),
    )
