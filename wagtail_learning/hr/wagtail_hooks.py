"""Admin wiring for HR and the editors' insight pages: URLs and menu items as tables, the
viewsets (certification rules, organisation units, course sharing) and the hooks."""

from django.forms import modelform_factory
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import Menu, SubmenuMenuItem
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import MenuItem
from wagtail.models import Page

from wagtail_learning.compliance.api import Assignment, CertificationRule, CourseSharing
from wagtail_learning.lms.http import PermissionMenuItem, reads_from_replica
from wagtail_learning.modules.insight import may_read_insight
from wagtail_learning.modules.models import Lecture, Quiz
from wagtail_learning.org.api import Organisation, WalledViewSetMixin, scope_queryset

from . import (
    certification_views,
    forecast_views,
    import_views,
    insight_views,
    report_views,
    sharing_views,
)

VIEW_COMPLIANCE = "compliance.view_compliance"

# (route under /admin/, view, URL name)
URLS = [
    ("hr/compliance/", report_views.compliance, "hr_compliance"),
    ("hr/compliance/unit/<int:unit_id>/course/<int:course_id>/", report_views.unit_people,
     "hr_unit_people"),
    ("hr/person/<int:user_id>/", report_views.person_record, "hr_person"),
    ("hr/forecast/", forecast_views.forecast, "hr_forecast"),
    ("hr/forecast/unit/<int:unit_id>/course/<int:course_id>/",
     forecast_views.forecast_unit_people, "hr_forecast_people"),
    ("hr/certification/", certification_views.certification, "hr_certification"),
    ("hr/certification/unit/<int:unit_id>/", certification_views.unit_certification,
     "hr_unit_certification"),
    ("hr/import/", import_views.upload, "hr_import"),
    ("hr/import/template.<str:fmt>", import_views.template, "hr_import_template"),
    ("hr/import/<str:token>/", import_views.preview, "hr_import_preview"),
    ("hr/import/<str:token>/progress/", import_views.progress, "hr_import_progress"),
    ("hr/import/<str:token>/result/", import_views.result, "hr_import_result"),
    ("hr/assignments/", sharing_views.assignments, "hr_assignments"),
    ("hr/shared/", sharing_views.shared_courses, "hr_shared_courses"),
    ("hr/shared/<int:course_id>/", sharing_views.shared_course, "hr_shared_course"),
    ("hr/shared/<int:course_id>/report/", sharing_views.programme_report,
     "hr_programme_report"),
    ("insight/lecture/<int:pk>/", insight_views.lecture_retention, "insight_lecture_retention"),
    ("insight/quiz/<int:pk>/", insight_views.quiz_item_analysis, "insight_quiz_item_analysis"),
]  # fmt: skip

# Report pages and their exports read from the replica when one is configured
# (reads_from_replica, decision 0049); the views that write (assignments, imports, edits)
# are not wrapped and stay on the primary.
REPORTS = {
    "hr_compliance",
    "hr_unit_people",
    "hr_person",
    "hr_forecast",
    "hr_forecast_people",
    "hr_certification",
    "hr_unit_certification",
    "hr_shared_courses",
    "hr_shared_course",
    "hr_programme_report",
    "insight_lecture_retention",
    "insight_quiz_item_analysis",
}

# The "HR" submenu, in this order: (label, URL name, icon, menu item name, permission).
# Other apps' HR pages can join it through the "register_hr_menu_item" hook; it is shown
# only when one of its items is.
HR_MENU = [
    (_("Import staff"), "hr_import", "upload", "hr-import-staff", "org.import_staff"),
    (_("Forecast"), "hr_forecast", "date", "hr-forecast", VIEW_COMPLIANCE),
    (_("Certified units"), "hr_certification", "tick-inverse", "hr-certified-units",
     VIEW_COMPLIANCE),
    (_("Certification rules"), "hr_certification_rules:index", "tick-inverse",
     "hr-certification-rules-menu", "compliance.view_certificationrule"),
    (_("Organisation units"), "hr_units:index", "group", "hr-units", "org.change_organisation"),
    (_("Assignments"), "hr_assignments", "tasks", "hr-assignments", VIEW_COMPLIANCE),
    (_("Shared courses"), "hr_shared_courses", "globe", "hr-shared-courses", VIEW_COMPLIANCE),
]  # fmt: skip

hr_menu = Menu(register_hook_name="register_hr_menu_item")


@hooks.register("register_admin_urls")
def register_hr_urls():
    return [
        path(route, reads_from_replica(view) if name in REPORTS else view, name=name)
        for route, view, name in URLS
    ]


def _menu_item(label, url_name, icon, name, permission, **kwargs):
    def item():
        return PermissionMenuItem(
            label, reverse(url_name), icon_name=icon, name=name, permission=permission, **kwargs
        )

    return item


for _row in HR_MENU:
    hooks.register("register_hr_menu_item", _menu_item(*_row))

hooks.register(
    "register_admin_menu_item",
    _menu_item(_("Compliance"), "hr_compliance", "tasks", "hr-compliance", VIEW_COMPLIANCE,
               order=250),
)  # fmt: skip


@hooks.register("register_admin_menu_item")
def register_hr_menu():
    return SubmenuMenuItem(_("HR"), hr_menu, icon_name="group", name="hr", order=260)


@hooks.register("register_log_actions")
def register_hr_log_actions(actions):
    actions.register_action("lms.export", _("Export"), _("Report exported"))


# --- Certification rules and unit types ---------------------------------------------------


class CertificationRuleForm(WagtailAdminModelForm):
    """Only the assignments of the editor's own organisation can be chosen."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        assignments = Assignment.objects.select_related("unit").order_by("unit__path", "pk")
        if self.for_user is not None:
            assignments = scope_queryset(self.for_user, assignments)
        self.fields["assignment"].queryset = assignments


class CertificationRuleViewSet(WalledViewSetMixin, ModelViewSet):
    model = CertificationRule
    icon = "tick-inverse"
    menu_label = _("Certification rules")
    menu_name = "hr-certification-rules"
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = False
    form_fields = [
        "assignment",
        "name",
        "unit_type",
        "min_share",
        "min_people",
        "managers_only",
        "new_hire_days",
        "new_hires_from",
        "active",
    ]
    list_display = ["name", "assignment", "unit_type", "min_share", "min_people", "active"]
    list_filter = ["active"]

    def get_form_class(self, for_update=False):
        return modelform_factory(
            self.model,
            form=CertificationRuleForm,
            formfield_callback=self.formfield_for_dbfield,
            fields=self.form_fields,
        )


certification_rule_viewset = CertificationRuleViewSet(
    "hr_certification_rules", url_prefix="hr/certification-rules"
)


@hooks.register("register_admin_viewset")
def register_certification_rule_viewset():
    return certification_rule_viewset


class UnitViewSet(WalledViewSetMixin, ModelViewSet):
    """Units' names, codes and types; the tree itself is built by the staff import."""

    model = Organisation
    icon = "group"
    menu_label = _("Organisation units")
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = False
    form_fields = ["name", "code", "unit_type"]
    list_display = ["label", "unit_type", "code"]
    search_fields = ["name", "code", "unit_type"]

    def get_urlpatterns(self):
        allowed = {"index", "index_results", "edit", "history", "history_results", "usage"}
        return [p for p in super().get_urlpatterns() if p.name in allowed]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            **{"add_url_name": None, "delete_url_name": None, **kwargs}
        )


@hooks.register("register_admin_viewset")
def register_unit_viewset():
    return UnitViewSet("hr_units", url_prefix="hr/units")


# --- Shared courses (decision 0020) --------------------------------------------------------


class CourseSharingViewSet(ModelViewSet):
    """Who owns a course and whom it is shared with: set by the platform's administrators
    (a row per shared course); the owner's editors author the course itself."""

    model = CourseSharing
    icon = "globe"
    add_to_settings_menu = True
    menu_label = _("Course ownership and sharing")
    form_fields = ["course", "owner", "open_to_all", "participants"]
    list_display = ["course", "owner", "open_to_all"]

    def formfield_for_dbfield(self, db_field, **kwargs):
        if db_field.name == "course":  # courses only, not every page of the site
            # A lazy filter: this runs when URLs load, before `migrate` made content types.
            kwargs["queryset"] = Page.objects.filter(
                content_type__app_label="courses", content_type__model="coursepage"
            ).order_by("title")
        return super().formfield_for_dbfield(db_field, **kwargs)


@hooks.register("register_admin_viewset")
def register_course_sharing_viewset():
    return CourseSharingViewSet("course_sharing")


# --- Editors' insight: lecture retention and quiz item analysis (issue 24) -------------------


@hooks.register("register_snippet_listing_buttons")
def insight_listing_buttons(snippet, user, next_url=None):
    """In the lecture library and the quiz list, each row's menu leads to its insight page,
    for those who may read it."""
    for model, label, name in [
        (Lecture, _("Audience retention"), "insight_lecture_retention"),
        (Quiz, _("Question analysis"), "insight_quiz_item_analysis"),
    ]:
        if isinstance(snippet, model) and may_read_insight(user, snippet, stored=False):
            url = reverse(name, args=[snippet.pk])
            return [MenuItem(label, url=url, icon_name="doc-full", priority=27)]
    return []
