"""Admin wiring: the barrier reports, listed with their handling."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel
from wagtail.admin.views.generic import EditView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import log
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from .models import BarrierReport
from .services import update_report


class ReportPermissionPolicy(ModelPermissionPolicy):
    """Reports come from the public form only: nobody adds one in the admin. The others
    (view, change, delete) are Django's model permissions: superusers, and the groups
    given them (those who handle the organisation's accessibility)."""

    def user_has_permission(self, user, action):
        return action != "add" and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return super().user_has_any_permission(user, [a for a in actions if a != "add"])


register_permission_policy(BarrierReport, ReportPermissionPolicy(BarrierReport))


class ReportEditView(EditView):
    def save_instance(self):
        report = update_report(
            self.form.instance,
            status=self.form.cleaned_data["status"],
            note=self.form.cleaned_data["note"],
        )
        log(instance=report, action="wagtail.edit", user=self.request.user)
        return report


class BarrierReportViewSet(ModelViewSet):
    model = BarrierReport
    url_prefix = "accessibility/reports"
    icon = "warning"
    menu_label = _("Barrier reports")
    add_to_admin_menu = True
    menu_order = 280
    edit_view_class = ReportEditView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = ["__str__", "page_url", "created_at", "status", "closed_at"]
    list_filter = ["status"]
    search_fields = ["description", "page_url", "note"]
    search_backend_name = None
    panels = [
        FieldPanel("description", read_only=True),
        FieldPanel("page_url", read_only=True),
        FieldPanel("created_at", read_only=True),
        FieldPanel("contact_name", read_only=True),
        FieldPanel("contact_email", read_only=True),
        FieldPanel("status"),
        FieldPanel("note"),
    ]


@hooks.register("register_admin_viewset")
def register_barrier_reports():
    return BarrierReportViewSet("accessibility_barrierreport")
