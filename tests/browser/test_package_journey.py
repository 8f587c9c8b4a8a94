"""A learner plays a SCORM package step in a real browser: launch, answer, close the tab
(what was not committed leaves in a beacon), come back and resume, pass; the step and the
module are completed. The runtime answers a write to a read-only element with the
specification's error code."""

import time

import pytest

from tests.factories import DEFAULT_PASSWORD, CoursePageFactory, ModulePageFactory, UserFactory
from tests.packages.builders import cmi5_package, scorm12_package, scorm2004_package
from tests.packages.conftest import make_package, package_step
from wagtail_learning.lms import api as lms
from wagtail_learning.packages.models import PackageAttempt, UnitAttempt

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _wait_for(condition, seconds=20):
    """True once `condition()` is; a read that meets SQLite's lock (the live server is
    writing a beacon) is tried again."""
    from django.db import OperationalError

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except OperationalError:
            pass
        time.sleep(0.2)
    return False


@pytest.mark.parametrize(
    ("build", "rule", "read_only_error"),
    [(scorm12_package, "passed", "403"), (scorm2004_package, "passed", "404")],
    ids=["scorm12", "scorm2004"],
)
def test_launch_answer_close_the_tab_resume_and_pass(
    live_server, browser_page, build, rule, read_only_error
):
    package = make_package(build(), title="Likabehandling")
    course = CoursePageFactory(title="Paketkurs")
    step = package_step(package, completes_on=rule)
    module = ModulePageFactory(parent=course, title="Paketmodul", steps=[step])
    learner = UserFactory(username="paula", first_name="Paula", last_name="Paketsson")
    lms.enrol_learner(learner, course=course)
    step_url = f"{live_server.url}{module.url}{module.reverse_subpage('step', args=[step['id']])}"

    page = browser_page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/konto/logga-in/?next={module.url}")
    page.fill("input[name=username]", learner.username)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}{module.url}")

    page.goto(step_url)
    sco = page.frame_locator("iframe[data-package-frame]")
    assert sco.locator("#init").inner_text(timeout=20_000) == "true"
    assert sco.locator("#entry").inner_text() == "ab-initio"
    assert sco.locator("#name").inner_text() in ("Paketsson, Paula", "Paketsson, Paula")
    sco.locator("#read-only").click()
    assert sco.locator("#read-only-result").inner_text() == f"false {read_only_error}"

    sco.locator("#reply").fill("4")
    sco.locator("#answer").click()
    assert sco.locator("#noted").inner_text() == "noted"
    context = page.context
    page.close(run_before_unload=True)  # closing the tab: the beacon carries the answer

    assert _wait_for(
        lambda: (
            (unit := UnitAttempt.objects.filter(attempt__user=learner).first()) is not None
            and "answer=4" in unit.cmi.get("suspend_data", "")
        )
    ), "the beacon sent when the tab closed did not arrive"

    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(step_url)
    sco = page.frame_locator("iframe[data-package-frame]")
    assert sco.locator("#init").inner_text(timeout=20_000) == "true"
    assert sco.locator("#entry").inner_text() == "resume"
    assert sco.locator("#location").inner_text() == "question-2"
    assert sco.locator("#suspend-length").inner_text() == str(len("answer=4;") + 6000)
    assert page.locator(".package-resume").is_visible()

    sco.locator("#pass").click()
    assert sco.locator("#finished").inner_text() == "true"
    assert _wait_for(lambda: lms.Completion.objects.filter(user=learner, page=module).exists()), (
        "passing did not complete the module"
    )
    attempt = PackageAttempt.objects.get(user=learner)
    assert attempt.score == 90
    assert attempt.total_seconds > 0
    assert errors == []


def test_a_cmi5_au_launches_in_the_frame_and_its_move_on_completes_the_module(
    live_server, browser_page
):
    package = make_package(cmi5_package(launch="au.html"), title="cmi5-paket")
    course = CoursePageFactory(title="cmi5-kurs")
    step = package_step(package)
    module = ModulePageFactory(parent=course, title="cmi5-modul", steps=[step])
    learner = UserFactory(username="carl")
    lms.enrol_learner(learner, course=course)
    page = browser_page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/konto/logga-in/?next={module.url}")
    page.fill("input[name=username]", learner.username)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}{module.url}")

    page.goto(f"{live_server.url}{module.url}{module.reverse_subpage('step', args=[step['id']])}")
    au = page.frame_locator("iframe[data-package-frame]")
    au.locator("#ready:text-is('ready')").wait_for(timeout=20_000)
    assert au.locator("#move-on").inner_text() == "CompletedAndPassed"
    au.locator("#pass").click()
    au.locator("#finished:text-is('200')").wait_for(timeout=20_000)
    assert _wait_for(lambda: lms.Completion.objects.filter(user=learner, page=module).exists())
    assert errors == []
