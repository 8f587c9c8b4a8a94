"""HR logs in to the admin, reads the compliance dashboard of the demo municipality, drills
into an administration and a course's people, exports them as XLSX and opens a person's
training record, in a real browser (Debian's chromium) against the live server."""

import tempfile
from io import BytesIO, StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation
from openpyxl import load_workbook
from wagtail.models import ModelLogEntry

from home.management.demo_content import DEMO_PASSWORD
from tests.factories import root_collection, tree_root

from .a11y import assert_accessible

SCREENSHOT = Path(tempfile.gettempdir()) / "hr-dashboard.png"  # look at it after a run

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_options():
    # Tall enough that the screenshot shows the matrix and the charts below it.
    return {"viewport": {"width": 1440, "height": 1500}, "accept_downloads": True}


@pytest.fixture
def demo():
    # A transactional test before this one may have flushed what Wagtail's migrations made.
    tree_root()
    root_collection()
    call_command("seed_demo", force=True, stdout=StringIO())


def test_hr_reads_the_dashboard_drills_down_exports_and_opens_a_record(
    live_server, browser_page, demo
):
    page = browser_page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", "hr")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")

    page.goto(f"{live_server.url}/admin/hr/compliance/")
    matrix = page.locator("table.hr-matrix")
    matrix.wait_for()
    # HR's scope is the municipality: its administrations are the rows.
    rows = matrix.locator("tbody th[scope=row]")
    assert rows.all_inner_texts() == [
        "Kommunstyrelsens förvaltning",
        "Socialförvaltningen",
        "Utbildningsförvaltningen",
    ]
    labels = matrix.locator(".hr-label")
    assert labels.count() > 0
    with translation.override(settings.LANGUAGE_CODE):  # the admin's language for HR
        words = {translation.gettext("meets target"), translation.gettext("below target")}
    assert set(labels.all_inner_texts()) <= words
    for label in labels.all():
        assert label.is_visible()
    assert page.locator("svg.compliance-chart[role=img]").count() >= 1
    page.screenshot(path=SCREENSHOT, full_page=True)

    page.click("table.hr-matrix a:text-is('Utbildningsförvaltningen')")
    page.wait_for_url("**/admin/hr/compliance/?unit=*")
    # The administration's units in name order (two schools came with the certified units).
    assert matrix.locator("tbody th[scope=row]").all_inner_texts()[:3] == [
        "Förskolan Snättringe",
        "Kvarnbergsskolan",
        "Sjödalsskolan",
    ]

    # The pre-school's people for the course everyone in education must take (the last
    # column; the first is for managers only).
    preschool = matrix.locator("tbody tr", has_text="Förskolan Snättringe")
    preschool.locator("a[href*='/admin/hr/compliance/unit/']").last.click()
    page.wait_for_url("**/admin/hr/compliance/unit/*/course/*/")
    people = page.locator("table.listing tbody tr[data-status]")
    assert people.count() >= 5

    with page.expect_download() as download_info:
        page.click("a[href*='export=xlsx']")
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    # The file as the browser saved it (openpyxl goes by the extension a path has not got).
    sheet = load_workbook(BytesIO(Path(download.path()).read_bytes())).active
    exported = list(sheet.iter_rows(values_only=True))
    header_row = int(sheet.auto_filter.ref.split(":")[0][1:])
    assert "Förskolan Snättringe" in exported[0][0]  # the title names the unit
    assert len(exported) == header_row + people.count()  # title, header, everyone
    assert ModelLogEntry.objects.filter(action="lms.export", user__username="hr").count() == 1

    assert errors == []
    assert_accessible(page, "people list")
    name = people.first.locator("a").inner_text()
    with page.expect_response("**/admin/hr/person/*/") as record:
        people.first.locator("a").click()
    assert record.value.status == 200
    assert name in page.locator("#main h1, main h1").first.inner_text()
    assert errors == []

    # The demo's HR may import staff: the menu leads to the upload page, which lists the
    # columns and offers the templates.
    page.goto(f"{live_server.url}/admin/hr/import/")
    assert page.locator("table.hr-import-columns tbody tr").count() == 10
    with page.expect_download() as template:
        page.click("a[href$='template.xlsx']")
    assert template.value.suggested_filename.endswith(".xlsx")
    assert_accessible(page, "import page")
