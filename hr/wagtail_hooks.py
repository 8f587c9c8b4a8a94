"""Admin wiring for HR: the compliance reports (and the staff import, below)."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import report_views


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


@hooks.register("register_admin_urls")
def register_report_urls():
    return [
        path("hr/compliance/", report_views.compliance, name="hr_compliance"),
        path(
            "hr/compliance/unit/<int:unit_id>/course/<int:course_id>/",
            report_views.unit_people,
            name="hr_unit_people",
        ),
        path("hr/person/<int:user_id>/", report_views.person_record, name="hr_person"),
    ]


@hooks.register("register_admin_menu_item")
def register_compliance_menu_item():
    return PermissionMenuItem(
        _("Compliance"),
        reverse("hr_compliance"),
        icon_name="tasks",
        order=250,
        name="hr-compliance",
        permission="compliance.view_compliance",
    )


@hooks.register("register_log_actions")
def register_hr_log_actions(actions):
    actions.register_action("lms.export", _("Export"), _("Report exported"))


# --- Staff import -------------------------------------------------------------------------

from wagtail.admin.menu import Menu, SubmenuMenuItem  # noqa: E402

from . import import_views  # noqa: E402

# The "HR" submenu; other HR pages can join it through the "register_hr_menu_item" hook.
# It is shown only when one of its items is.
hr_menu = Menu(register_hook_name="register_hr_menu_item")


@hooks.register("register_admin_urls")
def register_import_urls():
    return [
        path("hr/import/", import_views.upload, name="hr_import"),
        path("hr/import/template.<str:fmt>", import_views.template, name="hr_import_template"),
        path("hr/import/<str:token>/", import_views.preview, name="hr_import_preview"),
        path("hr/import/<str:token>/progress/", import_views.progress, name="hr_import_progress"),
        path("hr/import/<str:token>/result/", import_views.result, name="hr_import_result"),
    ]


@hooks.register("register_hr_menu_item")
def register_import_menu_item():
    return PermissionMenuItem(
        _("Import staff"),
        reverse("hr_import"),
        icon_name="upload",
        name="hr-import-staff",
        permission="org.import_staff",
    )


@hooks.register("register_admin_menu_item")
def register_hr_menu():
    return SubmenuMenuItem(_("HR"), hr_menu, icon_name="group", name="hr", order=260)
