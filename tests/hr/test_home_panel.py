"""The admin dashboard an HR user lands on shows their organisation's headline figures (per
assigned course the share compliant against the target and the overdue count, links to the
matrix and the forecast): the compliance matrix's total for their own scope, never another
organisation's; in a fixed number of queries, whatever the organisation's size."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import editor_of, in_english
from wagtail_learning.compliance.api import get_compliance_matrix
from wagtail_learning.hr.home_panel import ComplianceSummaryPanel, compliance_summary_panels

pytestmark = pytest.mark.django_db


def dashboard(user) -> str:
    client = Client()
    client.force_login(user)
    response = in_english(client).get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    return response.content.decode()


def panel_of(html: str) -> str:
    found = re.search(r'<section[^>]*aria-labelledby="hr-summary-heading".*?</section>', html, re.S)
    assert found, "no HR panel on the dashboard"
    return found.group(0)


def overdue_by_course(panel: str) -> dict[str, int]:
    rows = re.findall(r'<th scope="row">(.*?)</th>.*?<td data-overdue>(\d+)</td>', panel, re.S)
    return {title: int(n) for title, n in rows}


def test_each_hr_sees_their_own_organisations_figures_only(world, hr_a, hr_b, frozen):
    a, b = panel_of(dashboard(hr_a)), panel_of(dashboard(hr_b))

    expected_a = get_compliance_matrix(user=hr_a).total.cells
    assert overdue_by_course(a) == {
        "Likabehandling": expected_a[world.c1.pk].overdue,
        "Brandskydd": expected_a[world.c2.pk].overdue,
    }
    assert "Kommun A" in a and "Kommun B" not in a
    # Kommun B assigned only Likabehandling, to its two people; Britt has completed it.
    assert overdue_by_course(b) == {"Likabehandling": 0}
    assert "50 % (1 of 2)" in b
    assert "Kommun B" in b and "Kommun A" not in b and "Brandskydd" not in b
    for panel in (a, b):
        assert f'href="{reverse("hr_compliance")}"' in panel
        assert f'href="{reverse("hr_forecast")}"' in panel


def test_people_without_hr_figures_get_no_panel(world, frozen):
    editor = editor_of(world.c1)
    assert 'aria-labelledby="hr-summary-heading"' not in dashboard(editor)


def test_the_panel_costs_the_same_queries_for_a_large_and_a_small_organisation(
    world, hr_a, hr_b, frozen
):
    counts = {}
    for user in (hr_a, hr_b):
        request = RequestFactory().get("/admin/")
        request.user = user
        panels: list = []
        with CaptureQueriesContext(connection) as queries:
            compliance_summary_panels(request, panels)
            assert [type(p) for p in panels] == [ComplianceSummaryPanel]
            panels[0].render_html({})
        counts[user.username] = len(queries)
    assert counts["hr-a"] == counts["hr-b"], counts
    assert counts["hr-a"] == 11, counts  # the scope, the matrix, the courses
