"""On a 320 px wide screen (WCAG 1.4.10 reflow): the training record does not scroll
sideways, and a "Done" badge is a badge, not a bar across the page."""

import pytest

from tests.factories import DEFAULT_PASSWORD, OneModuleCourse, UserFactory, route, site_home

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_SIDEWAYS_SCROLL = (
    "() => document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth"
)


@pytest.fixture
def browser_context_options():
    return {"viewport": {"width": 320, "height": 640}}


def log_in(page, live_server, user, next_url):
    page.goto(f"{live_server.url}/konto/logga-in/?next={next_url}")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}{next_url}")


def test_the_training_record_does_not_scroll_sideways_at_320_px(live_server, browser_page):
    site_home()
    course = OneModuleCourse()
    learner = UserFactory(
        username="lena", first_name="Lena", email="lena.berg.langt.namn@huddinge.example.se"
    )
    course.take(
        learner,
        reflection="Se https://www.example.se/jamlikhet/en-mycket-lang-adress-utan-mellanslag",
        correct=True,
    )
    page = browser_page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    log_in(page, live_server, learner, "/min-utbildning/")

    assert page.locator("table").count() >= 4  # the wide content is there
    assert page.evaluate(NO_SIDEWAYS_SCROLL), page.evaluate(
        "() => [document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]"
    )

    page.goto(live_server.url + route(course.module, "step", course.reading["id"]))
    badge = page.locator("p.state-completed").bounding_box()
    heading = page.locator("h1").bounding_box()
    assert badge["width"] < heading["width"] / 2  # "Klar" fits its word, not the line
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    assert errors == []
