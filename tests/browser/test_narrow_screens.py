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


# --- Every learner-facing page with tables or wide content, with realistic long content ----

LONG_WORD = "Diskrimineringsgrundsförebyggandeutbildningsprogrammet"
LONG_EMAIL = "maximiliana.andersson-lindqvist@socialforvaltningen.sundbyberg.example.se"

# The elements that scroll (sideways or down) and that the keyboard cannot reach: neither
# they nor anything inside them takes focus (WCAG 2.1.1; axe's scrollable-region-focusable).
UNREACHABLE_SCROLL_REGIONS = """() => {
  const focusable = 'a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])';
  const scrolls = value => value === 'auto' || value === 'scroll';
  return [...document.body.querySelectorAll('*')].filter(el => {
    const style = getComputedStyle(el);
    const sideways = el.scrollWidth > el.clientWidth && scrolls(style.overflowX);
    const down = el.scrollHeight > el.clientHeight && scrolls(style.overflowY);
    return (sideways || down) && !(el.matches(focusable) || el.querySelector(focusable));
  }).map(el => el.outerHTML.slice(0, 120));
}"""

# What sticks out past the right edge of the window: the culprits, for the message.
STICKING_OUT = """() => [...document.body.querySelectorAll('*')]
  .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .map(el => el.tagName + '.' + el.className + ' ' + Math.round(el.getBoundingClientRect().right))
  .slice(0, 8)"""


def reflow_problems(page, url: str) -> list[str]:
    """What is wrong with `url` at this width: the page scrolls sideways, or a region
    scrolls that the keyboard cannot reach."""
    page.goto(url)
    problems = []
    width = page.evaluate(
        "() => [document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]"
    )
    if width[0] > width[1]:
        problems.append(f"{url} is {width[0]} px wide: {page.evaluate(STICKING_OUT)}")
    unreachable = page.evaluate(UNREACHABLE_SCROLL_REGIONS)
    if unreachable:
        problems.append(f"{url}: the keyboard cannot scroll {unreachable}")
    return problems


@pytest.fixture
def long_world():
    """A learner with a long name and address, in a course, an event and an external
    organisation whose names are long, with a certificate; the organisation is recognised
    on the course's public register and its contact person is the learner."""
    from datetime import timedelta

    from django.utils import timezone

    from tests.events.helpers import make_event
    from tests.factories import (
        CertificateFactory,
        CoursePageFactory,
        ModulePageFactory,
        course_index,
        enrol,
        reading_step,
        staff_member,
    )
    from wagtail_learning.external.models import Recognition, RecognitionRule
    from wagtail_learning.external.services import (
        evaluate_recognitions,
        give_consent,
        set_contact_person,
    )
    from wagtail_learning.org.models import Organisation

    site_home()
    catalogue = course_index()
    course = CoursePageFactory(
        parent=catalogue, title=f"{LONG_WORD} i praktiken", open_to_external=True
    )
    module = ModulePageFactory(parent=course, title=LONG_WORD, steps=[reading_step(LONG_WORD)])
    organisation = Organisation.add_root(
        name=f"Föreningen {LONG_WORD}", kind=Organisation.Kind.ASSOCIATION
    )
    learner = staff_member(
        organisation,
        external=True,
        username="maximiliana",
        first_name="Maximiliana",
        last_name="Andersson-Lindqvist-Karlsson",
        email=LONG_EMAIL,
    )
    enrol(learner, course)
    set_contact_person(organisation, learner)
    RecognitionRule.objects.create(course=course, min_certified=1, heading=LONG_WORD)
    certificate = CertificateFactory(
        user=learner,
        page_id=course.pk,
        title=course.title,
        completed_at=timezone.now() - timedelta(days=3),
    )
    evaluate_recognitions(now=timezone.now())
    recognition = Recognition.objects.get(organisation=organisation, course_id=course.pk)
    give_consent(recognition, user=learner)
    event = make_event(title=f"Nätverksträff om {LONG_WORD}", venue=LONG_WORD)
    return {
        "learner": learner,
        "course": course,
        "module": module,
        "catalogue": catalogue,
        "certificate": certificate,
        "event": event,
        "recognition": recognition,
    }


def test_no_learner_page_scrolls_sideways_at_320_px_and_every_scroll_region_takes_focus(
    live_server, browser_page, long_world
):
    page = browser_page
    base = live_server.url
    world = long_world
    log_in(page, live_server, world["learner"], "/certificates/mine/")
    # The calendar page shows its long secret address once there is one.
    page.goto(f"{base}/kalender/")
    page.click("main form button[type=submit]")
    page.wait_for_selector("#feed-url")
    problems = []
    for url in (
        "/",
        "/min-utbildning/",
        "/certificates/mine/",
        "/kalender/",
        world["catalogue"].url,
        world["course"].url,
        world["module"].url,
        world["event"].url,
        world["event"].get_parent().url,
        f"/extern/kurser/{world['course'].pk}/organisationer/",
        "/extern/min-organisation/",
        f"/certificates/verify/{world['certificate'].code}/",
        f"/extern/erkannande/{world['recognition'].code}/",
    ):
        problems += reflow_problems(page, base + url)
    assert problems == [], "\n".join(problems)


def test_the_catalogues_labels_keep_their_words_at_320_px(live_server, browser_page):
    """As met on the demo at 320 px: a course card's "Målgrupp:" read "Målgrup / p:" and
    "Arrangör:" one letter a line, squeezed by a long value beside it."""
    from tests.factories import CoursePageFactory, course_index

    site_home()
    CoursePageFactory(
        title="Nationella minoriteter",
        audience="Alla medarbetare i kommunerna, till exempel inom förskola, skola och äldreomsorg",
        organiser="Sundbyberg, Järfälla, Upplands Väsby och Upplands-Bro",
    )
    page = browser_page

    page.goto(live_server.url + course_index().url)

    lines = page.evaluate(
        """() => [...document.querySelectorAll('.meta-list dt')].map(dt => {
            const range = document.createRange(); range.selectNodeContents(dt);
            return [dt.textContent, range.getClientRects().length];
        })"""
    )
    assert len(lines) == 2  # for whom, organiser
    assert all(count == 1 for _, count in lines), lines
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
