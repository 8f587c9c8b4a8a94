"""A learner plays a package with two units in a real browser (decision 0047): the first
unit, Next, the second, closes the tab, comes back to the second where it stopped, finishes
it, and the module completes. SCORM 1.2 (choice), SCORM 2004 with controlMode
choice="false" (Next opens once the first is finished) and a cmi5 course of two AUs."""

import pytest

from tests.browser.a11y import axe_violations, describe
from tests.browser.test_package_journey import _wait_for
from tests.factories import DEFAULT_PASSWORD, CoursePageFactory, ModulePageFactory, UserFactory
from tests.packages.builders import (
    cmi5_multi_package,
    scorm12_multi_package,
    scorm2004_multi_package,
)
from tests.packages.conftest import make_package, package_step
from wagtail_learning.lms import api as lms
from wagtail_learning.packages.models import UnitAttempt

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _learner_on_step(live_server, page, data, username, **step_kwargs):
    package = make_package(data, title="Paket i delar")
    course = CoursePageFactory(title=f"Kurs {username}")
    step = package_step(package, **step_kwargs)
    module = ModulePageFactory(parent=course, title=f"Modul {username}", steps=[step])
    learner = UserFactory(username=username)
    lms.enrol_learner(learner, course=course)
    page.goto(f"{live_server.url}/konto/logga-in/?next={module.url}")
    page.fill("input[name=username]", learner.username)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}{module.url}")
    step_url = f"{live_server.url}{module.url}{module.reverse_subpage('step', args=[step['id']])}"
    return learner, module, step_url


def _unit(learner, unit_id):
    return UnitAttempt.objects.filter(attempt__user=learner, unit_id=unit_id).first()


@pytest.mark.parametrize(
    "build",
    [lambda: scorm12_multi_package(asset=False), lambda: scorm2004_multi_package(choice=False)],
    ids=["scorm12", "scorm2004-flow"],
)
def test_two_scos_next_close_the_tab_resume_on_the_second_and_complete(
    live_server, browser_page, build
):
    page = browser_page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    learner, module, step_url = _learner_on_step(
        live_server, page, build(), "sara", completes_on="passed"
    )

    page.goto(step_url)
    toc = page.locator("nav[data-package-toc]")
    assert toc.locator("[aria-current=step]").inner_text() == "Del 1"
    sco = page.frame_locator("iframe[data-package-frame]")
    assert sco.locator("h1").inner_text(timeout=20_000) == "Testkurs"
    assert sco.locator("#entry").inner_text() == "ab-initio"
    sco.locator("#reply").fill("4")
    sco.locator("#answer").click()
    sco.locator("#pass").click()
    assert sco.locator("#finished").inner_text() == "true"
    assert _wait_for(lambda: (u := _unit(learner, "sco-1")) and u.success_status == "passed")
    assert not lms.Completion.objects.filter(user=learner, page=module).exists()

    page.locator("a[data-package-next]").click()  # shown once SCO 1 is finished (flow)
    sco = page.frame_locator("iframe[data-package-frame]")
    assert sco.locator("h1").inner_text(timeout=20_000) == "Testkurs del 2"
    assert toc.locator("[aria-current=step]").inner_text() == "Del 2"
    assert "Godkänd" in toc.locator("li").first.inner_text()  # SCO 1's status
    found = axe_violations(page, context=".package-player, nav[data-package-toc]")
    assert not found, describe(found)
    sco.locator("#reply").fill("4")
    sco.locator("#answer").click()
    assert sco.locator("#noted").inner_text() == "noted"
    context = page.context
    page.close(run_before_unload=True)
    assert _wait_for(
        lambda: (u := _unit(learner, "sco-2")) and "answer=4" in u.cmi.get("suspend_data", "")
    ), "the beacon for SCO 2 did not arrive"

    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(step_url)  # the step, no part named: the one last visited
    sco = page.frame_locator("iframe[data-package-frame]")
    assert sco.locator("h1").inner_text(timeout=20_000) == "Testkurs del 2"
    assert sco.locator("#entry").inner_text() == "resume"
    assert sco.locator("#location").inner_text() == "question-2"
    sco.locator("#pass").click()
    assert _wait_for(lambda: lms.Completion.objects.filter(user=learner, page=module).exists()), (
        "both SCOs passed did not complete the module"
    )
    assert errors == []


def test_two_cmi5_aus_next_close_the_tab_resume_on_the_second_and_complete(
    live_server, browser_page
):
    page = browser_page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    learner, module, step_url = _learner_on_step(live_server, page, cmi5_multi_package(), "cmi")

    page.goto(step_url)
    au = page.frame_locator("iframe[data-package-frame]")
    au.locator("#ready:text-is('ready')").wait_for(timeout=20_000)
    assert au.locator("#move-on").inner_text() == "CompletedAndPassed"
    au.locator("#pass").click()
    au.locator("#finished:text-is('200')").wait_for(timeout=20_000)
    assert not lms.Completion.objects.filter(user=learner, page=module).exists()

    page.locator("a[data-package-next]").click()
    au = page.frame_locator("iframe[data-package-frame]")
    au.locator("#ready:text-is('ready')").wait_for(timeout=20_000)
    assert au.locator("#move-on").inner_text() == "Completed"  # AU 2
    context = page.context
    page.close(run_before_unload=True)

    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(step_url)
    au = page.frame_locator("iframe[data-package-frame]")
    au.locator("#ready:text-is('ready')").wait_for(timeout=20_000)
    assert au.locator("#move-on").inner_text() == "Completed"  # back on AU 2
    assert page.locator("[aria-current=step]").inner_text() == "Del 2"
    au.locator("#pass").click()
    au.locator("#finished:text-is('200')").wait_for(timeout=20_000)
    assert _wait_for(lambda: lms.Completion.objects.filter(user=learner, page=module).exists())
    assert errors == []


def test_next_clicked_at_once_after_finishing_a_part_on_a_slow_network_opens_the_next_part(
    live_server, browser_page
):
    """Order only (controlMode choice="false"): the learner passes part 1 and clicks Next at
    once while the commit saying so is still on its way (a slow mobile network). The next
    part opens, not part 1 again with "That part opens when you have finished the parts
    before it", and part 1's pass is stored."""
    page = browser_page
    learner, module, step_url = _learner_on_step(
        live_server, page, scorm2004_multi_package(choice=False), "snabb", completes_on="passed"
    )

    def slow_commit(route):
        page.wait_for_timeout(1500)
        route.continue_()

    page.goto(step_url)
    sco = page.frame_locator("iframe[data-package-frame]")
    assert sco.locator("h1").inner_text(timeout=20_000) == "Testkurs"
    page.route("**/cmi/**", slow_commit)
    sco.locator("#reply").fill("4")
    sco.locator("#answer").click()
    sco.locator("#pass").click()
    page.locator("a[data-package-next]").click(timeout=20_000)

    page.wait_for_load_state()
    sco = page.frame_locator("iframe[data-package-frame]")
    assert sco.locator("h1").inner_text(timeout=20_000) == "Testkurs del 2"
    assert "opens when you have finished" not in page.content()
    assert "öppnas när du har gjort klart delarna" not in page.content()
    assert _unit(learner, "sco-1").success_status == "passed"
