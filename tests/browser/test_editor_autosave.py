"""An editor creates a certificate design, a quiz and a course page and saves quickly, while
Wagtail's autosave of the new form is still on its way (issue 21). Real browser (Debian's
chromium). The autosave's answer is held back 3 s in the browser, as on a busy server, so
that the Save lands while the autosave is in flight every time, not one run in three.

What the editor must get: one object, with every word typed, and no error page."""

import re

import pytest

from tests.factories import (
    DEFAULT_PASSWORD,
    SuperuserFactory,
    course_index,
    root_collection,
    tree_root,
)
from wagtail_learning.certificates.models import CertificateDesign
from wagtail_learning.courses.models import CoursePage
from wagtail_learning.modules.models import Quiz

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A busy server: the autosave's answer (a JSON POST) reaches the page 3 s after it was sent.
SLOW_AUTOSAVE = """
const originalFetch = window.fetch;
window.fetch = async (resource, options) => {
  const response = await originalFetch(resource, options);
  const accept = options && options.headers && options.headers.Accept;
  if (options && String(options.method).toUpperCase() === "POST" && accept === "application/json") {
    await new Promise((resolve) => setTimeout(resolve, 3000));
  }
  return response;
};
"""
SAVED = 90_000  # generous: two saves and a hydration on a busy two-core machine


def _autosave(request):
    return request.method == "POST" and request.headers.get("accept") == "application/json"


@pytest.fixture
def editor_page(live_server, browser_page):
    # A transactional test before this one flushed the migrations' rows.
    tree_root()
    root_collection()
    editor = SuperuserFactory(username="redaktor")
    page = browser_page
    page.add_init_script(SLOW_AUTOSAVE)
    errors = []
    page.on("response", lambda r: errors.append(r.url) if r.status >= 500 else None)
    page.goto(f"{live_server.url}/konto/logga-in/?next=/admin/")
    page.fill("input[name=username]", editor.username)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_url(re.compile(r".*/admin/$"))
    page.server_errors = errors
    return page


def _open_form(page, url):
    page.goto(url)
    # Wagtail's change watcher takes the form's first state 2 s after it loads; the editor
    # starts typing after that, as a person does.
    page.wait_for_timeout(3000)


def test_a_new_certificate_design_saved_quickly_keeps_its_text(live_server, editor_page):
    page = editor_page
    _open_form(page, f"{live_server.url}/admin/snippets/certificates/certificatedesign/add/")
    with page.expect_request(_autosave, timeout=SAVED):
        page.fill("input[name=name]", "Intyg för vårdkursen")
    page.locator(".public-DraftEditor-content").first.click()
    page.keyboard.type("{learner_name} har gått kursen.")
    page.locator("button.action-save").first.click()

    page.wait_for_url(re.compile(r".*/certificatedesign/$"), timeout=SAVED)
    design = CertificateDesign.objects.get(name="Intyg för vårdkursen")
    assert "{learner_name} har gått kursen." in design.body
    assert not page.server_errors


def test_a_new_quiz_saved_while_autosaving_is_one_quiz(live_server, editor_page):
    page = editor_page
    _open_form(page, f"{live_server.url}/admin/snippets/modules/quiz/add/")
    page.fill("input[name=title]", "Kunskapstest om bemötande")
    page.locator(".c-sf-add-button").first.click()
    page.get_by_role("option", name="Sant eller falskt").click()
    page.locator("textarea[name$='-value-question']").first.fill("Alla har rätt till tolk.")
    with page.expect_request(_autosave, timeout=SAVED):
        page.locator("select[name$='-value-correct_answer']").first.select_option("true")
    page.locator("button.action-save").first.click()

    # A quiz has drafts: saving one keeps the editor on its edit view, with a message.
    page.wait_for_url(re.compile(r".*/quiz/edit/\d+/$"), timeout=SAVED)
    page.locator(".messages .success").first.wait_for(timeout=SAVED)
    assert Quiz.objects.filter(title="Kunskapstest om bemötande").count() == 1
    assert not page.server_errors


def test_a_new_course_page_saved_while_autosaving_is_saved_once(live_server, editor_page):
    page = editor_page
    index = course_index()
    _open_form(page, f"{live_server.url}/admin/pages/add/courses/coursepage/{index.pk}/")
    page.fill("input[name=title]", "Tillgänglighet i vården")
    with page.expect_request(_autosave, timeout=SAVED):
        page.fill("textarea[name=summary]", "En kort kurs om vården.")
    page.locator("button.action-save").first.click()

    page.wait_for_url(re.compile(r".*/admin/pages/\d+/edit/$"), timeout=SAVED)
    page.locator(".messages .success").first.wait_for(timeout=SAVED)
    course = CoursePage.objects.get()
    assert course.slug == "tillganglighet-i-varden"
    assert course.title == "Tillgänglighet i vården"
    assert not page.server_errors
