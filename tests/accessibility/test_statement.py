"""The accessibility statement: on the structure DIGG recommends, filled in the admin,
shown at /tillganglighet/ and linked from every page (issue 25)."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

import pytest
from django.urls import reverse

from home.demo.accessibility import ADMIN_BARRIER, ADMIN_REFLOW_BARRIER, seed_accessibility
from tests.factories import (
    CoursePageFactory,
    ModulePageFactory,
    SuperuserFactory,
    course_index,
    reading_step,
    site_home,
)
from wagtail_learning.accessibility.api import Conformance, get_statement

pytestmark = pytest.mark.django_db

DIGG = "https://www.digg.se/tdosanmalan"


def statement_url() -> str:
    return reverse("accessibility:statement")


def test_an_unwritten_statement_still_says_how_to_report_and_where_to_complain(client):
    site_home()

    page = client.get(statement_url())

    html = page.content.decode()
    assert page.status_code == 200
    assert f'href="{DIGG}"' in html
    assert "Myndigheten för digital förvaltning" in html
    assert f'href="{reverse("accessibility:report")}"' in html
    assert "Vi känner inte till något innehåll som inte är tillgängligt." in html


def test_the_demo_statement_names_the_level_the_standard_the_barriers_and_the_dates(client):
    site_home()
    seed_accessibility(lambda *args, **kwargs: None)

    html = client.get(statement_url()).content.decode()

    assert "Huddinge kommun står bakom den här tjänsten" in html
    assert 'data-conformance="partial"' in html
    assert "delvis förenlig med lagen om tillgänglighet till digital offentlig service" in html
    assert "WCAG 2.1 AA (EN 301 549 V3.2.1)" in html
    assert html.count("data-barrier>") == 3
    assert ADMIN_BARRIER in html
    assert ADMIN_REFLOW_BARRIER in html
    assert "Åtgärdas senast 30 juni 2027." in html
    assert "Uppfyller inte kraven" in html
    assert f'href="{DIGG}"' in html
    assert "Vi har granskat tjänsten själva (självskattning)." in html
    assert "Den senaste granskningen gjordes 30 november 2026." in html
    assert "Redogörelsen granskades senast 1 december 2026." in html
    assert "mailto:tillganglighet@huddinge.example.se" in html


def test_seeding_the_demo_again_leaves_an_edited_statement_alone():
    site_home()
    seed_accessibility(lambda *args, **kwargs: None)
    statement = get_statement()
    statement.conformance = Conformance.FULL
    statement.save()

    seed_accessibility(lambda *args, **kwargs: None)

    statement.refresh_from_db()
    assert statement.conformance == Conformance.FULL


def test_an_administrator_edits_the_statement_under_settings(client):
    site_home()
    client.force_login(SuperuserFactory())
    url = reverse(
        "wagtailsettings:edit", args=["accessibility", "accessibilitystatement", get_statement().pk]
    )

    form = client.get(url)
    assert form.status_code == 200
    response = client.post(
        url,
        {
            "organisation_name": "Botkyrka kommun",
            "conformance": "none",
            "standard": "WCAG 2.1 AA (EN 301 549 V3.2.1)",
            "conformance_note": "",
            "barriers-count": "1",
            "barriers-0-type": "barrier",
            "barriers-0-deleted": "",
            "barriers-0-order": "0",
            "barriers-0-value-what": "Videospelaren går inte att styra med tangentbordet.",
            "barriers-0-value-requirement": "2.1.1 Tangentbord",
            "barriers-0-value-reason": "non_compliance",
            "barriers-0-value-plan": "Byts ut under våren.",
            "barriers-0-value-fixed_by": "2027-04-30",
            "alternatives": "",
            "contact_email": "tillganglighet@botkyrka.example.se",
            "contact_phone": "",
            "response_time": "",
            "assessment_method": "third_party",
            "assessment_note": "",
            "assessed_on": "2026-11-01",
            "published_on": "",
            "reviewed_on": "2026-12-01",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]

    html = client.get(statement_url()).content.decode()
    assert "Botkyrka kommun står bakom" in html
    assert "inte förenlig med lagen" in html
    assert "Videospelaren går inte att styra med tangentbordet." in html
    assert "Åtgärdas senast 30 april 2027." in html
    assert "granskats av en extern part" in html
    statement = get_statement()
    assert statement.reviewed_on == date(2026, 12, 1)


@pytest.fixture
def pages():
    home = site_home()
    catalogue = course_index()
    course = CoursePageFactory(parent=catalogue, title="Jämlik styrning")
    module = ModulePageFactory(parent=course, title="Grundmodul", steps=[reading_step()])
    return {
        "home": home.url,
        "catalogue": catalogue.url,
        "course": course.url,
        "module": module.url,
        "login": reverse("login"),
        "verify a certificate": reverse("certificates:verify"),
        "statement": statement_url(),
        "report": reverse("accessibility:report"),
        "missing page": "/finns-inte/",
    }


@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "signed in"])
def test_every_page_links_the_statement_and_the_report_form_with_its_own_address(
    client, pages, signed_in
):
    if signed_in:
        client.force_login(SuperuserFactory())
    for name, url in pages.items():
        # A visitor is sent from the module to the login page: the page they land on.
        response = client.get(url, follow=True)
        assert response.status_code in (200, 404), (name, response.status_code)
        landed = response.request["PATH_INFO"]
        if response.request.get("QUERY_STRING"):
            landed += "?" + response.request["QUERY_STRING"]
        html = response.content.decode()
        assert f'<a href="{statement_url()}">Tillgänglighetsredogörelse</a>' in html, name
        report = f"{reverse('accessibility:report')}?sida={quote(landed)}"
        assert f'href="{report}"' in html, name
