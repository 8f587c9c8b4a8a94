"""An external participant in a real browser: registers for Piteå's diversity course from
its page, confirms the address by the link in the email, completes the course, and, once
the organisation's contact person has consented, the organisation is on the course's
public register (the demo's business had one certified participant of the two needed)."""

import re
from collections import defaultdict

import pytest
from django.core import mail

from home.demo.external import COURSE, seed_external
from home.management.commands.seed_demo import Command
from tests.browser.test_csp import WATCH_VIOLATIONS
from tests.factories import CertificateDesignFactory, root_collection, tree_root
from wagtail_learning.certificates.models import CertificateDesign
from wagtail_learning.courses.models import CoursePage
from wagtail_learning.modules.models import ModulePage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUSINESS = "Piteå Byggtjänst AB"


@pytest.fixture
def demo():
    """The home page, the catalogue and the external demo (not the lectures: not needed),
    with a default certificate design (the flush after transactional tests removes the one
    the migration made)."""
    tree_root()
    root_collection()
    if CertificateDesign.get_default() is None:
        CertificateDesignFactory(is_default=True, revision=True)
    command = Command()
    command.verbosity = 0
    command.outcomes = defaultdict(lambda: defaultdict(int))
    home = command.seed_home()
    command.seed_site(home)
    catalogue = command.seed_catalogue(home)
    course = seed_external(command, catalogue)
    return CoursePage.objects.get(pk=course.pk)


def test_an_external_participant_registers_completes_and_is_on_the_register(
    live_server, browser_page, demo
):
    course = demo
    tab = browser_page
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    # The public pages under the Content-Security-Policy: nothing refused on any of them.
    tab.add_init_script(WATCH_VIOLATIONS)
    violations: list[str] = []

    def check_csp() -> None:
        violations.extend(f"{tab.url}: {v}" for v in tab.evaluate("window.__csp || []"))

    register_url = f"{live_server.url}/extern/kurser/{course.pk}/organisationer/"

    tab.goto(live_server.url + course.url)
    tab.click("[data-external-invitation] a")
    check_csp()
    tab.fill("input[name=first_name]", "Maja")
    tab.fill("input[name=last_name]", "Berglund")
    tab.fill("input[name=email]", "maja@byggtjanst.example.se")
    tab.fill("input[name=password]", "Mangfald-Pitea-2026")
    tab.select_option("select[name=organisation]", label=BUSINESS)
    tab.click("[data-register-form] button[type=submit]")
    tab.wait_for_selector("[data-registration-sent]")
    check_csp()

    # The link in the email (Django's locmem outbox: the live server runs in this process;
    # the demo's certificate emails are there too).
    sent = [message for message in mail.outbox if message.to == ["maja@byggtjanst.example.se"]]
    assert len(sent) == 1
    path = re.search(r"https?://[^/\s]+(/extern/bekrafta/\S+/)", sent[0].body).group(1)
    tab.goto(live_server.url + path)
    check_csp()
    tab.fill("input[name=password]", "Mangfald-Pitea-2026")  # the password chosen above
    tab.click("[data-confirm]")
    tab.wait_for_url(f"{live_server.url}{course.url}")

    # The course: two modules of readings and a reflection.
    for module in ModulePage.objects.child_of(course).live().order_by("path"):
        for spec in module.get_lms_steps():
            tab.goto(live_server.url + module.get_lms_step_url(spec.step_id))
            if spec.kind == "reading":
                tab.click("form.mark-done button[type=submit]")
            else:
                tab.fill("#reflection-answer", "Vi börjar med att se över hur vi rekryterar.")
                tab.click("form[data-reflection] button[type=submit]")
            tab.wait_for_selector("p.state-completed")
    tab.goto(live_server.url + course.url)
    tab.wait_for_selector("[data-certificates-link]")

    # Recognised now (two certified), but not listed until the contact person agrees.
    tab.goto(register_url)
    check_csp()
    assert tab.locator(f"tr[data-organisation='{BUSINESS}']").count() == 0

    tab.context.clear_cookies()
    tab.goto(f"{live_server.url}/konto/logga-in/?next=/extern/min-organisation/")
    tab.fill("input[name=username]", "kontakt2")
    tab.fill("input[name=password]", "demo")
    tab.click("main form button[type=submit]")
    tab.wait_for_url(f"{live_server.url}/extern/min-organisation/")
    check_csp()
    assert tab.locator("tr[data-participant='Maja Berglund']").count() == 1
    tab.click("[data-consent=give]")
    tab.wait_for_selector("[data-consent=revoke]")

    tab.goto(register_url)
    row = tab.locator(f"tr[data-organisation='{BUSINESS}']")
    assert row.count() == 1
    row.locator("a").click()
    tab.wait_for_selector("[data-verification=recognised]")
    check_csp()
    assert BUSINESS in tab.inner_text("main")
    assert COURSE["title"] in tab.inner_text("main")
    assert violations == []
    assert errors == []
