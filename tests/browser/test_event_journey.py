"""Events in a real browser: a learner registers, sees the meeting link and cancels; the
wait-listed learner gets the seat and the link; after the event the no-show watches the
recording in the module and the live-session step completes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser.test_lecture_journey import demo_lecture_files
from tests.events.helpers import LINK, make_event
from tests.events.test_module_step import live_step
from tests.factories import (
    DEFAULT_PASSWORD,
    CaptionTrackFactory,
    CoursePageFactory,
    LectureFactory,
    ModulePageFactory,
    enrol,
    org_unit,
    staff_member,
)
from wagtail_learning.events.models import EventPage, Registration
from wagtail_learning.events.services import mark_attendance

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(tab, base, user, next_url):
    tab.context.clear_cookies()
    tab.goto(f"{base}/konto/logga-in/?next={next_url}")
    tab.fill("input[name=username]", user.username)
    tab.fill("input[name=password]", DEFAULT_PASSWORD)
    tab.click("main form button[type=submit]")
    tab.wait_for_url(f"{base}{next_url}")


def test_register_waitlist_promotion_and_the_recording_completes_the_step(
    live_server, browser_page
):
    tab = browser_page
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    unit = org_unit("Botkyrka kommun")
    anna = staff_member(unit, username="anna", first_name="Anna")
    bo = staff_member(unit, username="bo", first_name="Bo")
    base = live_server.url

    event = make_event(seats=1, title="Nätverksträff")
    log_in(tab, base, anna, event.url)
    assert tab.locator("a[data-meeting-link]").count() == 0
    tab.click("button[data-register]")
    tab.wait_for_selector("[data-registration-status=registered]")
    assert tab.get_attribute("a[data-meeting-link]", "href") == LINK

    log_in(tab, base, bo, event.url)
    tab.click("button[data-register]")
    tab.wait_for_selector("[data-registration-status=waitlisted]")
    assert LINK not in tab.content()

    log_in(tab, base, anna, event.url)
    tab.click("button[data-cancel-registration]")
    tab.wait_for_selector("button[data-register]")
    assert LINK not in tab.content()

    log_in(tab, base, bo, event.url)  # promoted when Anna cancelled
    tab.wait_for_selector("[data-registration-status=registered]")
    assert tab.get_attribute("a[data-meeting-link]", "href") == LINK

    # After an event of the course: Bo did not attend; the recording is attached.
    video, captions = demo_lecture_files()
    recording = LectureFactory(
        title="Inspelning", video__from_path=str(video), video__filename=video.name,
        duration=timedelta(seconds=49),
    )  # fmt: skip
    CaptionTrackFactory(
        lecture=recording, file__from_path=str(captions), file__filename=captions.name
    )
    course = CoursePageFactory(title="Interkulturellt ledarskap")
    meeting = make_event(parent=course, title="Att göra interkulturellt", seats=5)
    step = live_step(meeting, share=60)
    module = ModulePageFactory(parent=course, title="Träffen", steps=[step])
    enrol(bo, course)
    from wagtail_learning.events import api as events

    events.register(bo, event=meeting)
    page = EventPage.objects.get(pk=meeting.pk)
    sessions = list(page.sessions.all())
    sessions[0].start = timezone.now() - timedelta(days=2, hours=2)
    sessions[0].end = timezone.now() - timedelta(days=2)
    sessions[0].recording = recording
    page.sessions = sessions
    page.save_revision().publish()
    mark_attendance(bo, session=page.sessions.get(), attended=False)
    assert Registration.objects.get(user=bo, event=meeting).status == "registered"

    step_url = module.get_lms_step_url(step["id"])
    log_in(tab, base, bo, step_url)
    tab.locator("video#lecture-video").wait_for()
    tab.evaluate(
        "() => { const v = document.querySelector('video'); v.muted = true; v.playbackRate = 2;"
        " return v.play(); }"
    )
    tab.wait_for_function(
        "() => document.querySelector('[data-lecture-player]').dataset.completed === 'true'",
        timeout=90_000,
    )
    tab.reload()
    tab.wait_for_selector("p.state-completed")
    assert errors == []
