"""A visitor finds the accessibility statement from the home page, reports a barrier with
the keyboard only, meets a clear error first, and gets a receipt; axe-core finds no
serious or critical WCAG 2.1 A/AA violation on any of these pages (issue 25)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from home.demo.accessibility import seed_accessibility
from tests.factories import course_index, site_home
from wagtail_learning.accessibility.api import BarrierReport

from .a11y import axe_violations, describe, ensure_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WROTE = "Filtren i kurskatalogen saknar etiketter."


def no_violations(page) -> None:
    violations = axe_violations(page)
    assert not violations, f"{page.url}\n{describe(violations)}"


def test_a_visitor_reports_a_barrier_from_the_page_they_were_on(live_server, browser_page):
    ensure_axe()
    site_home()
    course_index()
    seed_accessibility(lambda *args, **kwargs: None)
    page = browser_page

    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Tillgänglighetsredogörelse").click()
    page.wait_for_url(f"{live_server.url}/tillganglighet/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Tillgänglighet för")
    assert page.get_by_role("link", name="Anmäl till DIGG").get_attribute("href") == (
        "https://www.digg.se/tdosanmalan"
    )
    no_violations(page)

    page.goto(f"{live_server.url}/kurser/")
    page.get_by_role("link", name="Rapportera brist i tillgängligheten").click()
    assert page.get_by_label("Sida").input_value() == "/kurser/"
    no_violations(page)

    # Sent empty, with the keyboard: the message says what to do, and is a 400.
    page.get_by_label("Vad fungerade inte?").focus()
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.keyboard.press("Tab")  # name
        page.keyboard.press("Tab")  # email
        page.keyboard.press("Tab")  # the button
        page.keyboard.press("Enter")
    assert answer.value.status == 400
    page.wait_for_url(f"{live_server.url}/tillganglighet/rapportera/")
    expect(page.get_by_role("alert").last).to_contain_text("Beskriv hindret du stötte på.")
    no_violations(page)

    page.get_by_label("Vad fungerade inte?").fill(WROTE)
    page.get_by_label("Din e-postadress (valfritt)").fill("sara@example.se")
    page.get_by_role("button", name="Skicka rapporten").press("Enter")
    page.wait_for_url(f"{live_server.url}/tillganglighet/rapportera/mottagen/")
    report = BarrierReport.objects.get(description=WROTE)
    assert f"Ärendet har nummer {report.pk}." in page.content()
    assert report.page_url == "/kurser/"
    no_violations(page)
