"""Admin wiring for HR: the compliance reports (and the staff import, below)."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from wagtail_learning.lms.http import PermissionMenuItem, reads_from_replica

from . import certification_views, forecast_views, report_views


# Report pages and their exports read from the replica when one is configured
# (reads_from_replica, decision 0049); the views that write (assignments, imports, edits)
# are not wrapped and stay on the primary.
@hooks.register("register_admin_urls")
def register_report_urls():
    return [
        path("hr/compliance/", reads_from_replica(report_views.compliance), name="hr_compliance"),
        path(
            "hr/compliance/unit/<int:unit_id>/course/<int:course_id>/",
            reads_from_replica(report_views.unit_people),
            name="hr_unit_people",
        ),
        path(
            "hr/person/<int:user_id>/",
            reads_from_replica(report_views.person_record),
            name="hr_person",
        ),
        path("hr/forecast/", reads_from_replica(forecast_views.forecast), name="hr_forecast"),
        path(
            "hr/forecast/unit/<int:unit_id>/course/<int:course_id>/",
            reads_from_replica(forecast_views.forecast_unit_people),
            name="hr_forecast_people",
        ),
        path(
            "hr/certification/",
            reads_from_replica(certification_views.certification),
            name="hr_certification",
        ),
        path(
            "hr/certification/unit/<int:unit_id>/",
            reads_from_replica(certification_views.unit_certification),
            name="hr_unit_certification",
        ),
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


@hooks.register("register_hr_menu_item")
def register_forecast_menu_item():
    return PermissionMenuItem(
        _("Forecast"),
        reverse("hr_forecast"),
        icon_name="date",
        name="hr-forecast",
        permission="compliance.view_compliance",
    )


@hooks.register("register_hr_menu_item")
def register_certification_menu_item():
    return PermissionMenuItem(
        _("Certified units"),
        reverse("hr_certification"),
        icon_name="tick-inverse",
        name="hr-certified-units",
        permission="compliance.view_compliance",
    )


# --- Certification rules and unit types ---------------------------------------------------

from django.forms import modelform_factory  # noqa: E402
from wagtail.admin.forms import WagtailAdminModelForm  # noqa: E402
from wagtail.admin.viewsets.model import ModelViewSet  # noqa: E402

from wagtail_learning.compliance.api import Assignment, CertificationRule  # noqa: E402
from wagtail_learning.org.api import Organisation, WalledViewSetMixin, scope_queryset  # noqa: E402


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


@hooks.register("register_hr_menu_item")
def register_certification_rule_menu_item():
    return PermissionMenuItem(
        _("Certification rules"),
        reverse("hr_certification_rules:index"),
        icon_name="tick-inverse",
        name="hr-certification-rules-menu",
        permission="compliance.view_certificationrule",
    )


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


@hooks.register("register_hr_menu_item")
def register_unit_menu_item():
    return PermissionMenuItem(
        _("Organisation units"),
        reverse("hr_units:index"),
        icon_name="group",
        name="hr-units",
        permission="org.change_organisation",
    )


# --- Shared courses (decision 0020) --------------------------------------------------------

from wagtail.admin.viewsets.model import ModelViewSet  # noqa: E402
from wagtail.models import Page  # noqa: E402

from wagtail_learning.compliance.api import CourseSharing  # noqa: E402

from . import sharing_views  # noqa: E402


@hooks.register("register_admin_urls")
def register_sharing_urls():
    return [
        path("hr/assignments/", sharing_views.assignments, name="hr_assignments"),
        path(
            "hr/shared/", reads_from_replica(sharing_views.shared_courses), name="hr_shared_courses"
        ),
        path(
            "hr/shared/<int:course_id>/",
            reads_from_replica(sharing_views.shared_course),
            name="hr_shared_course",
        ),
        path(
            "hr/shared/<int:course_id>/report/",
            reads_from_replica(sharing_views.programme_report),
            name="hr_programme_report",
        ),
    ]


@hooks.register("register_hr_menu_item")
def register_assignments_menu_item():
    return PermissionMenuItem(
        _("Assignments"),
        reverse("hr_assignments"),
        icon_name="tasks",
        name="hr-assignments",
        permission="compliance.view_compliance",
    )


@hooks.register("register_hr_menu_item")
def register_shared_courses_menu_item():
    return PermissionMenuItem(
        _("Shared courses"),
        reverse("hr_shared_courses"),
        icon_name="globe",
        name="hr-shared-courses",
        permission="compliance.view_compliance",
    )


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

from wagtail.admin.widgets.button import MenuItem  # noqa: E402

from wagtail_learning.modules.insight import may_read_insight  # noqa: E402
from wagtail_learning.modules.models import Lecture, Quiz  # noqa: E402

from . import insight_views  # noqa: E402


@hooks.register("register_admin_urls")
def register_insight_urls():
    return [
        path(
            "insight/lecture/<int:pk>/",
            reads_from_replica(insight_views.lecture_retention),
            name="insight_lecture_retention",
        ),
        path(
            "insight/quiz/<int:pk>/",
            reads_from_replica(insight_views.quiz_item_analysis),
            name="insight_quiz_item_analysis",
        ),
    ]


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
