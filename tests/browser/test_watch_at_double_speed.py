"""Honest watching at 2x in a real browser: a whole viewing is credited whole.

At the end of a video the browser fires `pause` and `ended` at once. The player sent a
beat for each, and when `ended`'s (the next seq) was handled first, the server dropped
`pause`'s as out of order, with the last segment in it: 3 of 6 whole viewings at 2x were
credited 82-86 %, under the 90 % required, while the label said 100 % (issue 21). Now the
player sends one final beat, the server keeps a late beat's watching, and the label shows
what the server credited.

Learners each watch the same lecture at 2x to the end, one after the other (one browser
context each; the test database, SQLite in memory, locks tables under concurrent
writers), as often as VIEWINGS says."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import (
    DEFAULT_PASSWORD,
    CaptionTrackFactory,
    CoursePageFactory,
    LectureFactory,
    ModulePageFactory,
    enrolled_learner,
    lecture_step,
)
from wagtail_learning.lms.models import StepProgress

from .conftest import CHROMIUM, CHROMIUM_ARGS, playwright_api

VIDEO = Path(settings.BASE_DIR) / "home" / "demo" / "lectures" / "jamlikhet-4-analys.webm"
VIEWINGS = 3

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def module():
    if not VIDEO.exists():
        pytest.skip(f"No demo lecture {VIDEO}: run scripts/make_demo_media.py")
    lecture = LectureFactory(
        title="Analys",
        video__from_path=str(VIDEO),
        video__filename=VIDEO.name,
        duration=timedelta(seconds=45),  # the file: 44.95 s
    )
    captions = VIDEO.with_suffix(".sv.vtt")
    CaptionTrackFactory(lecture=lecture, file__from_path=str(captions), file__filename="a.vtt")
    course = CoursePageFactory(title="Jämlikhet")
    return ModulePageFactory(parent=course, title="Fördjupning", steps=[lecture_step(lecture)])


def test_whole_viewings_at_double_speed_are_credited_whole(live_server, module):
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium")
    step_id = module.steps[0].id
    learners = [
        enrolled_learner(module.get_parent(), username=f"tittare{n}") for n in range(VIEWINGS)
    ]
    step_url = f"{live_server.url}{module.url}steg/{step_id}/"
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        labels = []
        for learner in learners:
            page = browser.new_context().new_page()
            page.set_default_timeout(60_000)
            page.goto(f"{live_server.url}/konto/logga-in/?next={module.url}")
            page.fill("input[name=username]", learner.username)
            page.fill("input[name=password]", DEFAULT_PASSWORD)
            page.click("main form button[type=submit]")
            page.wait_for_url(f"{live_server.url}{module.url}")
            page.goto(step_url)
            page.locator("video#lecture-video").wait_for()
            page.select_option("[data-playback-rate]", "2")
            page.evaluate(
                "() => { const v = document.querySelector('video'); v.muted = true;"
                " return v.play(); }"
            )
            # A whole viewing at 2x: about 23 s. Then the final beat's answer.
            page.wait_for_function("() => document.querySelector('video').ended", timeout=120_000)
            page.wait_for_function(
                "() => document.querySelector('[data-lecture-player]').dataset.completed"
                " === 'true'",
                timeout=30_000,
            )
            labels.append(page.locator("[data-watched-label]").text_content())
            page.context.close()
        browser.close()

    rows = StepProgress.objects.filter(module_id=module.pk, step_id=step_id)
    shares = sorted(round(row.watched_share, 3) for row in rows)
    assert shares == [1.0] * VIEWINGS
    assert all(row.completed_at is not None for row in rows)
    # The label shows what the server credited: 100 %, not more, not less.
    assert all("100 %" in label for label in labels), labels
