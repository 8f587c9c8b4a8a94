"""Under the Content-Security-Policy, the learner pages, the Wagtail admin (its editors,
previews and HR's reports) and the API docs still work in a real browser (Debian's
chromium): the browser reports no violation on any of them, and a page that names
another host has that load refused."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from home.management.demo_content import DEMO_PASSWORD
from tests.factories import (
    CertificateDesignFactory,
    CertificateFactory,
    enrol,
    root_collection,
    tree_root,
)
from wagtail_learning.certificates.models import CertificateDesign
from wagtail_learning.courses.models import CoursePage
from wagtail_learning.modules.models import Lecture, ModulePage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs in every document before its own scripts: collects what the policy refused.
WATCH_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__csp.push(`${event.effectiveDirective} ${event.blockedURI} ${event.sourceFile}:` +
                    `${event.lineNumber} ${event.sample}`);
});
"""


@pytest.fixture
def demo():
    tree_root()
    root_collection()
    call_command("seed_demo", force=True, stdout=StringIO())


@pytest.fixture
def watched(browser_page):
    browser_page.add_init_script(WATCH_VIOLATIONS)
    errors: list[str] = []
    browser_page.on("pageerror", lambda error: errors.append(str(error)))
    browser_page.errors = errors
    return browser_page


def log_in(page, base: str, path: str, username: str) -> None:
    page.goto(f"{base}{path}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: "logga-in" not in url and "login" not in url)


def visit(page, url: str) -> list[str]:
    response = page.goto(url)
    assert response.status < 400, (url, response.status)
    assert response.headers.get("content-security-policy"), url
    page.wait_for_load_state("load")
    page.wait_for_timeout(500)  # scripts that run after load (the admin's, the player's)
    return [f"{url}: {v}" for v in page.evaluate("window.__csp || []")]


def test_learner_pages_work_under_the_policy(live_server, watched, demo):
    page, base = watched, live_server.url
    course = CoursePage.objects.live().first()
    module = ModulePage.objects.live().child_of(course).first()  # open to the enrolled
    lecture_step = next(step for step in module.steps if step.block_type == "lecture")
    learner = get_user_model().objects.get(username="learner")
    enrol(learner, course)
    log_in(page, base, "/konto/logga-in/", "learner")

    violations = []
    for path in ["/", "/kurser/", course.url, module.url, "/min-utbildning/"]:
        violations += visit(page, base + path)
    violations += visit(page, f"{base}{module.url}steg/{lecture_step.id}/")
    page.locator("video").evaluate("video => video.play()")
    page.wait_for_function("() => document.querySelector('video').currentTime > 0.5")
    violations += [f"player: {v}" for v in page.evaluate("window.__csp")]
    violations += visit(page, f"{base}/certificates/verify/")
    certificate = CertificateFactory(user=learner, status="ready")
    violations += visit(page, f"{base}/certificates/{certificate.code}/")
    assert page.locator("img.qr").evaluate("img => img.naturalWidth") > 0  # data: image
    # The page's own <style> applied (its nonce let it through): h1 is 40pt, not the
    # browser's default 2em (32px).
    assert page.locator("h1").evaluate("h => getComputedStyle(h).fontSize") == "53.3333px"

    assert violations == []
    assert page.errors == []


def test_the_admin_works_under_its_policy(live_server, watched, demo):
    page, base = watched, live_server.url
    log_in(page, base, "/admin/login/", "admin")
    course = CoursePage.objects.live().first()
    module = ModulePage.objects.live().child_of(course).first()
    design = CertificateDesign.objects.first() or CertificateDesignFactory(revision=True)
    lecture = Lecture.objects.first()

    violations = []
    for path in [
        "/admin/",
        "/admin/pages/",
        f"/admin/pages/{course.pk}/edit/",
        f"/admin/pages/{module.pk}/edit/",
        f"/admin/snippets/modules/lecture/edit/{lecture.pk}/",
        f"/admin/snippets/certificates/certificatedesign/edit/{design.pk}/",
        "/admin/images/",
        "/admin/images/multiple/add/",
        "/admin/certificates/",
        "/admin/hr/compliance/",
        "/admin/reports/site-history/",
        "/admin/users/",
    ]:
        violations += visit(page, base + path)
    # The editor's userbar on a learner page.
    violations += visit(page, base + course.url)
    assert page.locator("wagtail-userbar").count() == 1

    assert violations == []
    assert page.errors == []


def test_the_api_docs_render_from_our_own_files(live_server, watched):
    page = watched

    violations = visit(page, f"{live_server.url}/api/v1/docs")
    page.locator(".swagger-ui .info .title").wait_for()

    assert "Lärplattformen API" in page.locator(".swagger-ui .info .title").inner_text()
    assert violations == []
    assert page.errors == []


def test_a_page_naming_another_host_has_that_load_refused(live_server, watched, demo):
    page = watched
    page.goto(f"{live_server.url}/certificates/verify/")
    # As if a design or a text had slipped a foreign reference through: it is not fetched
    # (the route would answer it if the browser ever asked).
    fetched, refused = [], []
    page.route(
        "**/*evil.example*/**",
        lambda route: (fetched.append(route.request.url), route.fulfill(status=204)),
    )
    page.on("requestfailed", lambda request: refused.append(request.failure))
    page.evaluate(
        """() => {
          const img = document.createElement("img");
          img.src = "https://evil.example/pixel.png";
          document.body.append(img);
          const style = document.createElement("style");
          style.textContent = "body { background: url(https://evil.example/bg.png) }";
          document.head.append(style);
        }"""
    )
    page.wait_for_function("() => window.__csp.length >= 2")

    violations = page.evaluate("window.__csp")
    assert any(v.startswith("img-src https://evil.example/pixel.png") for v in violations)
    assert any(v.startswith("style-src-elem inline") for v in violations)
    assert fetched == []
