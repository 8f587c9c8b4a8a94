"""A learner who uses only the keyboard (WCAG 2.1.1) takes a course from signing in to the
certificate: Tab to move, Enter to follow links and press buttons, Space to play the video
and choose an answer, and the text typed into the sign-in fields. The radio buttons of a
question are one group that Tab enters once; the arrow keys move within it, as in every
browser, so they are used there too.

The lecture is a 3-second video made with ffmpeg for the test: honest tracking credits the
lecture only once it has been watched to the end, so the browser plays it through."""

import shutil
import subprocess
from datetime import timedelta

import pytest

from tests.factories import (
    DEFAULT_PASSWORD,
    CaptionTrackFactory,
    CertificateDesignFactory,
    CoursePageFactory,
    LectureFactory,
    ModulePageFactory,
    QuizFactory,
    UserFactory,
    choice,
    lecture_step,
    quiz_step,
    single_choice,
    site_home,
)
from wagtail_learning.certificates.models import Certificate
from wagtail_learning.lms.models import StepProgress

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CAPTIONS = b"""WEBVTT

00:00.000 --> 00:02.900
Det h\xc3\xa4r \xc3\xa4r en kort f\xc3\xb6rel\xc3\xa4sning.
"""


@pytest.fixture
def course(tmp_path):
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        pytest.skip("ffmpeg is not installed")
    video = tmp_path / "kort.webm"
    subprocess.run(  # noqa: S603 (fixed arguments)
        [
            ffmpeg, "-v", "error", "-y",
            "-f", "lavfi", "-i", "testsrc=size=320x240:rate=10",
            "-f", "lavfi", "-i", "sine=frequency=440",
            "-t", "3", "-c:v", "libvpx", "-b:v", "100k", "-c:a", "libopus", "-shortest",
            str(video),
        ],
        check=True,
    )  # fmt: skip
    captions = tmp_path / "kort.sv.vtt"
    captions.write_bytes(CAPTIONS)
    site_home()
    lecture = LectureFactory(
        title="En kort föreläsning",
        video__from_path=str(video),
        video__filename=video.name,
        duration=timedelta(seconds=3),
    )
    CaptionTrackFactory(lecture=lecture, file__from_path=str(captions), file__filename="k.vtt")
    right = choice("Sju", correct=True)
    question = single_choice("Hur många diskrimineringsgrunder?", [choice("Fem"), right])
    quiz = QuizFactory(title="Kunskapstest", questions=[question])
    design = CertificateDesignFactory(revision=True)
    course = CoursePageFactory(title="Likabehandling med tangentbord", certificate_design=design)
    module = ModulePageFactory(
        parent=course,
        title="Grundmodul",
        steps=[lecture_step(lecture), quiz_step(quiz)],
    )
    return {"course": course, "module": module, "right_id": f"q-{question['id']}-{right['id']}"}


def focused_matches(page, selector: str) -> bool:
    return page.evaluate(
        "(s) => !!document.activeElement && document.activeElement.matches(s)", selector
    )


def tab_to(page, selector: str, *, limit: int = 60) -> None:
    """Tab until the element `selector` has focus: it is reachable with the keyboard."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused_matches(page, selector):
            return
    raise AssertionError(f"{limit} presses of Tab never reached {selector} on {page.url}")


def follow(page, key: str = "Enter") -> None:
    """Press `key` on the focused link or button and wait for the page it opens."""
    with page.expect_navigation():
        page.keyboard.press(key)


def test_a_keyboard_user_signs_in_watches_answers_and_gets_the_certificate(
    live_server, browser_page, course
):
    page = browser_page
    base = live_server.url
    learner = UserFactory(username="tangent", first_name="Tove", last_name="Tangent")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    # Sign in from the home page.
    page.goto(base + "/")
    tab_to(page, "a[href^='/konto/logga-in/']")
    follow(page)
    page.wait_for_url("**/konto/logga-in/**")
    tab_to(page, "input[name=username]")
    page.keyboard.type(learner.username)
    tab_to(page, "input[name=password]")
    page.keyboard.type(DEFAULT_PASSWORD)
    follow(page)
    page.wait_for_url(base + "/")

    # Open the course from the catalogue and enrol.
    tab_to(page, "nav a[href='/kurser/']")
    follow(page)
    page.wait_for_url(base + "/kurser/")
    course_url = course["course"].url
    tab_to(page, f"main a[href='{course_url}']")
    follow(page)
    page.wait_for_url(base + course_url)
    tab_to(page, f"form[action='{course_url}anmal/'] button[type=submit]")
    follow(page)

    # The module, then its first step: the lecture.
    module_url = course["module"].url
    tab_to(page, f"main a[href='{module_url}']")
    follow(page)
    page.wait_for_url(base + module_url)
    tab_to(page, f"main a[href^='{module_url}steg/']")
    follow(page)
    page.wait_for_url(f"{base}{module_url}steg/**")
    page.locator("video#lecture-video").wait_for()

    # Play with the keyboard: Space on the focused player, then let it run to the end.
    tab_to(page, "video#lecture-video")
    page.keyboard.press("Space")
    page.wait_for_function(
        "() => { const v = document.querySelector('video'); return !v.paused || v.ended; }",
        timeout=10_000,
    )
    page.wait_for_function("() => document.querySelector('video').ended", timeout=30_000)
    page.wait_for_function(
        "() => /100/.test(document.querySelector('[data-watched-label]').textContent)",
        timeout=10_000,
    )

    # The next step: the quiz. Start it, choose the answer, hand it in.
    tab_to(page, "a[rel=next]")
    follow(page)
    tab_to(page, "main form button[type=submit]")
    follow(page)
    page.locator("form[data-quiz]").wait_for()
    tab_to(page, "form[data-quiz] input[type=radio]")
    for _ in range(5):
        if focused_matches(page, f"#{course['right_id']}"):
            break
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    assert page.is_checked(f"#{course['right_id']}")
    tab_to(page, "form[data-quiz] button[type=submit]")
    follow(page)
    page.locator("[data-quiz-passed], .quiz-result").first.wait_for()

    # The certificate: issued on completing the course, found from the main menu.
    certificate = Certificate.objects.get(user=learner, page_id=course["course"].pk)
    tab_to(page, "nav a[href='/certificates/mine/']")
    follow(page)
    page.wait_for_url(base + "/certificates/mine/")
    tab_to(page, f"main a[href='/certificates/{certificate.code}/']")
    follow(page)
    assert certificate.code in page.url
    # Asked once the pages are done: the server thread writes the player's last beat while
    # the video ends (SQLite in memory locks the table for a reader meanwhile).
    assert StepProgress.objects.filter(user=learner, completed_at__isnull=False).count() == 2
    assert errors == []
