"""Admin wiring for certificates (the receivers of other apps' hooks are in handlers.py)."""

from datetime import datetime

from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.ui.tables import Column, StatusTagColumn
from wagtail.admin.views.generic.models import IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import Button
from wagtail.permissions import policy_registry
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from wagtail_learning.org.api import OwnedViewSetMixin, WalledViewSetMixin

from . import admin_views
from .models import Certificate, CertificateDesign


@hooks.register("register_log_actions")
def register_certificate_log_actions(actions):
    actions.register_action(
        "certificates.revoke", _("Revoke certificate"), _("Certificate revoked")
    )
    actions.register_action(
        "certificates.rerender",
        _("Render certificate again"),
        _("Certificate queued for rendering"),
    )


class CertificateDesignViewSet(OwnedViewSetMixin, SnippetViewSet):
    model = CertificateDesign
    icon = "doc-full"
    menu_label = _("Certificate designs")
    menu_name = "certificate-designs"
    list_display = ["name", "page_size", "orientation", "validity_months", "language"]
    search_fields = ["name"]
    add_to_admin_menu = False


register_snippet(CertificateDesignViewSet)


class LocalDateColumn(Column):
    """A date in the site's time zone ("12 mar 2029"), not Wagtail's DateColumn, whose
    "time since" wording showed a certificate valid until 2029 as expiring "just now"."""

    cell_template_name = "certificates/admin/date_cell.html"

    def __init__(self, name, **kwargs):
        kwargs.setdefault("sort_key", name)
        super().__init__(name, **kwargs)


class CertificateInspectView(InspectView):
    """Times in the site's time zone (Europe/Stockholm), not UTC; choices by their label."""

    def get_field_display_value(self, field_name, field):
        value = super().get_field_display_value(field_name, field)
        if isinstance(value, datetime):
            return date_format(timezone.localtime(value), "DATETIME_FORMAT")
        if value is None or value == "":
            return "–"
        return value


class CertificateIndexView(IndexView):
    def get_add_url(self):
        return None

    def get_edit_url(self, instance):
        return None

    def get_copy_url(self, instance):
        return None

    def get_delete_url(self, instance):
        return None

    def get_list_more_buttons(self, instance):
        # Plain buttons go into the row's "more" menu; a ListingButton would stand beside the
        # code and squeeze the listing's columns.
        buttons = super().get_list_more_buttons(instance)
        if not self.request.user.has_perm("certificates.change_certificate"):
            return buttons
        if instance.status != Certificate.Status.READY:
            buttons.append(
                Button(
                    _("Render again"),
                    url=reverse("certificates_certificate:rerender", args=[instance.pk]),
                    icon_name="rotate",
                    priority=35,
                )
            )
        if instance.revoked_at is None:
            buttons.append(
                Button(
                    _("Revoke"),
                    url=reverse("certificates_certificate:revoke", args=[instance.pk]),
                    icon_name="cross",
                    priority=40,
                )
            )
        return buttons


class CertificateURLFinder(ModelAdminURLFinder):
    """Site history and "usage" pages link a certificate to its inspect view (there is no
    edit view to reverse), and only for those the wall lets see it."""

    edit_url_name = "certificates_certificate:inspect"

    def get_edit_url(self, instance):
        policy = policy_registry.get(instance)
        if self.user and not policy.user_has_any_permission_for_instance(
            self.user, ["view", "change"], instance
        ):
            return None
        return self.construct_edit_url(instance)


class CertificateViewSet(WalledViewSetMixin, ModelViewSet):
    model = Certificate
    icon = "tick-inverse"
    menu_label = _("Certificates")
    menu_name = "certificates"
    add_to_admin_menu = True
    menu_order = 300
    index_view_class = CertificateIndexView
    inspect_view_class = CertificateInspectView
    url_finder_class = CertificateURLFinder
    inspect_view_enabled = True
    copy_view_enabled = False
    # Certificates are issued by the engine, never typed in; the add/edit views built from
    # this are not routed (see get_urlpatterns), but ModelViewSet insists on a form.
    form_fields = ["revoked_reason"]
    list_display = [
        "code",
        "learner_name",
        "title",
        Column("kind", label=_("Kind"), accessor="get_kind_display"),
        StatusTagColumn(
            "status",
            label=_("PDF"),
            accessor="get_status_display",
            primary=lambda c: c.status == Certificate.Status.READY,
        ),
        Column("validity", label=_("Validity"), accessor="get_validity_display"),
        LocalDateColumn("completed_at", label=_("Completed")),
        LocalDateColumn("expires_at", label=_("Expires")),
        LocalDateColumn("revoked_at", label=_("Revoked")),
        Column("last_error", label=_("Last error")),
    ]
    list_filter = ["status", "kind"]
    search_fields = ["code", "learner_name", "title"]
    inspect_view_fields = [
        "code",
        "learner_name",
        "title",
        "kind",
        "status",
        "completed_at",
        "issued_at",
        "expires_at",
        "revoked_at",
        "revoked_reason",
        "render_attempts",
        "last_error",
        "rendered_at",
        "emailed_at",
    ]

    def get_common_view_kwargs(self, **kwargs):
        # The add/edit/delete views are not routed: the inspect and history views must not
        # try to link to them (reversing "edit" there raised NoReverseMatch: a 500).
        return super().get_common_view_kwargs(
            **{"add_url_name": None, "edit_url_name": None, "delete_url_name": None, **kwargs}
        )

    def get_urlpatterns(self):
        allowed = {"index", "index_results", "inspect", "history", "history_results", "usage"}
        patterns = [p for p in super().get_urlpatterns() if p.name in allowed]
        return patterns + [
            path("revoke/<int:pk>/", admin_views.revoke, name="revoke"),
            path("rerender/<int:pk>/", admin_views.rerender, name="rerender"),
        ]


@hooks.register("register_admin_viewset")
def register_certificate_viewset():
    return CertificateViewSet("certificates_certificate", url_prefix="certificates")
