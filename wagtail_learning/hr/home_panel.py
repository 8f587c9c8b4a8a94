"""The panel on the admin's dashboard for HR and coordinators: their organisation's headline
figures (per assigned course, the share compliant against the target and how many are
overdue) with links to the compliance matrix and the forecast. The figures are the
compliance matrix's total row for the user's own scope (`get_compliance_matrix`, the wall's
one mechanism): never another organisation's. Registered by wagtail_learning.wagtail_hooks."""

from __future__ import annotations

from django.urls import reverse
from wagtail.admin.ui.components import Component

from wagtail_learning.compliance.api import get_compliance_matrix
from wagtail_learning.org.api import get_scope_units


class ComplianceSummaryPanel(Component):
    name = "hr_compliance_summary"
    template_name = "hr/panels/compliance_summary.html"
    order = 50  # before Wagtail's own panels (pages awaiting moderation: 200+)

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context=None):
        matrix = get_compliance_matrix(user=self.user)
        courses = [
            {"title": course.title, "cell": matrix.total.cells[course.course_id]}
            for course in matrix.courses
            if course.course_id in matrix.total.cells
        ]
        return {
            "courses": courses,
            "units": ", ".join(unit.name for unit in get_scope_units(self.user)),
            "matrix_url": reverse("hr_compliance"),
            "forecast_url": reverse("hr_forecast"),
        }


def compliance_summary_panels(request, panels: list) -> None:
    """The `construct_homepage_panels` hook: HR (who may read compliance) with a scope."""
    user = request.user
    if user.is_superuser or not user.has_perm("compliance.view_compliance"):
        return
    if not get_scope_units(user).exists():
        return
    panels.append(ComplianceSummaryPanel(user))
