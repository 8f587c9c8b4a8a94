"""HR's forecast table (issue 24) on a laptop's 1280 px: every column is in view, the
last ("Mål") too, without scrolling the page or the table sideways; at 320 px the page
still does not scroll sideways and the table scrolls inside its own region, which the
keyboard can reach (WCAG 1.4.10)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import (
    DEFAULT_PASSWORD,
    assign_course,
    course_completed,
    hr_user,
    org_unit,
    staff_member,
)
from tests.hr.conftest import course_with_module

from .test_narrow_screens import reflow_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Long unit names, as Swedish municipalities have them.
UNITS = [
    "Förskoleförvaltningen, Östra området",
    "Kommunstyrelsens förvaltning",
    "Socialförvaltningen, Äldreomsorg och funktionsstöd",
    "Stadsbyggnads- och miljöförvaltningen",
]


def _forecast_url(live_server, kommun):
    return f"{live_server.url}/admin/hr/forecast/?unit={kommun.pk}"


@pytest.fixture
def forecast_world(transactional_db):
    kommun = org_unit("Sundbybergs stad")
    units = [org_unit(name, kommun) for name in UNITS]
    course, _module = course_with_module("Diskrimineringslagen och aktiva åtgärder i arbetslivet")
    now = timezone.now()
    people = []
    for unit in units:
        unit.refresh_from_db()
        people += [staff_member(unit) for _ in range(12)]
    for index, person in enumerate(people[::3]):
        course_completed(person, course, when=now - timedelta(days=300 + index * 5))
    assign_course(course, kommun, due_days=60, recurrence_months=12, target_share=80)
    kommun.refresh_from_db()
    return kommun, hr_user(kommun, username="hr-bred")


def _log_in(page, live_server, hr, url):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", hr.username)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    page.goto(url)


def test_every_column_of_the_forecast_is_in_view_at_1280_px(
    live_server, browser_page, forecast_world
):
    kommun, hr = forecast_world
    page = browser_page
    _log_in(page, live_server, hr, _forecast_url(live_server, kommun))

    table = page.locator("table[id^=forecast-table]").first
    table.wait_for()
    assert table.locator("tbody th[scope=row]").count() == len(UNITS)
    viewport = page.evaluate("() => document.documentElement.clientWidth")
    last_header = table.locator("thead tr").first.locator("th").last
    assert last_header.inner_text().strip() in {"Mål", "Target"}
    right = last_header.bounding_box()["x"] + last_header.bounding_box()["width"]
    widths = table.evaluate(
        "t => [t.getBoundingClientRect().left, ...[...t.rows[2].cells].map(c => c.offsetWidth)]"
    )
    assert right <= viewport, f"the last column ends at {right:.0f} px of {viewport}: {widths}"
    # Neither the page nor the table's own region scrolls sideways.
    assert page.evaluate(
        "() => document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth"
    )
    assert table.evaluate("t => t.parentElement.scrollWidth <= t.parentElement.clientWidth")
    # A unit's name wraps between its words, never inside one ("Socialförva/ltningen").
    assert table.evaluate(WORDS_BROKEN_ACROSS_LINES, "tbody th[scope=row]") == []


# Each word of the matching cells' text whose letters fall on more than one line.
WORDS_BROKEN_ACROSS_LINES = """(t, selector) => {
  const broken = [];
  for (const cell of t.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/[^\\s,]+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        if (tops.size > 1) broken.push(match[0]);
      }
    }
  }
  return broken;
}"""


@pytest.mark.parametrize("browser_context_options", [{"viewport": {"width": 320, "height": 640}}])
def test_the_forecast_reflows_at_320_px(live_server, browser_page, forecast_world):
    kommun, hr = forecast_world
    page = browser_page
    _log_in(page, live_server, hr, _forecast_url(live_server, kommun))

    assert reflow_problems(page, _forecast_url(live_server, kommun)) == []
    region = page.locator("table[id^=forecast-table]").first.locator("xpath=..")
    # The table is wider than the screen: it scrolls in its region, which takes focus.
    assert region.evaluate("r => r.scrollWidth > r.clientWidth")
    assert region.get_attribute("tabindex") == "0"
    assert region.get_attribute("role") == "region"
