"""Two coordinators look at the same shared course in a real browser and see different
people: Järfälla's its own staff, Sundbyberg (the owner) its own staff by name and
Järfälla in figures only (tests/sharing_world.py; decision 0020)."""

import pytest

from tests import sharing_world
from tests.factories import DEFAULT_PASSWORD, root_collection, tree_root

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EVERYONE = {"Sara", "Sven", "Mira", "Jonas", "Julia", "Jenny", "Vera"}


@pytest.fixture
def world():
    # A transactional test before this one may have flushed what Wagtail's migrations made.
    tree_root()
    root_collection()
    return sharing_world.build()


def log_in(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base}/admin/")


def people_on_the_course(page, base: str, course_id: int) -> set[str]:
    """From "Shared courses", through the compliance report, to the people list."""
    page.goto(f"{base}/admin/hr/shared/")
    page.click(f"a[href*='/admin/hr/compliance/?'][href*='course={course_id}']")
    page.wait_for_url("**/admin/hr/compliance/?*")
    page.locator("table.hr-matrix tfoot a[href*='/admin/hr/compliance/unit/']").first.click()
    page.wait_for_url("**/admin/hr/compliance/unit/*/course/*/")
    names = page.locator("table.listing tbody tr[data-status] td:first-child a").all_inner_texts()
    return {name.split()[0] for name in names}


def test_two_coordinators_see_different_people_on_the_same_shared_course(
    live_server, browser_page, world
):
    page = browser_page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    base = live_server.url
    course_id = world.course.pk

    # Järfälla takes part: its own people, Mira too (she works in both), nobody else.
    log_in(page, base, world.hr["J"].username)
    assert people_on_the_course(page, base, course_id) == {"Mira", "Jonas", "Julia", "Jenny"}
    # The owner's figures are not Järfälla's to read.
    page.goto(f"{base}/admin/hr/shared/{course_id}/")
    assert page.locator("table[data-testid=shared-figures]").count() == 0

    # Sundbyberg owns the course: Järfälla in figures, its own people by name.
    log_in(page, base, world.hr["S"].username)
    page.goto(f"{base}/admin/hr/shared/")
    page.click(f"a[href='/admin/hr/shared/{course_id}/']")
    figures = page.locator("table[data-testid=shared-figures]")
    figures.wait_for()
    rows = figures.locator("tbody th[scope=row]").all_inner_texts()
    assert [row.split(" (")[0] for row in rows] == ["Sundbybergs stad", "Järfälla kommun"]
    body = page.locator("main").inner_text()
    assert not {name for name in EVERYONE if name in body}
    järfälla = figures.locator("tbody tr", has_text="Järfälla kommun").locator("td")
    # Four people: fewer than the minimum group size, so no figure at all (decision 0034).
    assert järfälla.all_inner_texts() in (["färre än 5"], ["fewer than 5"])

    figures.locator("tbody th a").first.click()  # the owner's own row: the usual report
    page.wait_for_url("**/admin/hr/compliance/?*")
    page.locator("table.hr-matrix tfoot a[href*='/admin/hr/compliance/unit/']").first.click()
    page.wait_for_url("**/admin/hr/compliance/unit/*/course/*/")
    names = page.locator("table.listing tbody tr[data-status] td:first-child a").all_inner_texts()
    assert {name.split()[0] for name in names} == {"Sara", "Sven", "Mira"}
    assert errors == []
