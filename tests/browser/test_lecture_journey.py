"""A learner logs in, enrols, opens a lecture, plays it with Swedish captions and jumps to a
chapter, in a real browser (Debian's chromium) against the live server."""

import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import (
    DEFAULT_PASSWORD,
    CaptionTrackFactory,
    CoursePageFactory,
    LectureChapterFactory,
    LectureFactory,
    ModulePageFactory,
    UserFactory,
    lecture_step,
    reading_step,
)

DEMO_MEDIA = Path(settings.BASE_DIR) / "home" / "demo" / "lectures"
CHAPTER_SECONDS = 10
SCREENSHOT = Path(tempfile.gettempdir()) / "lecture.png"  # look at it after a run

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def demo_lecture_files() -> tuple[Path, Path]:
    videos = sorted(DEMO_MEDIA.glob("*.webm"))
    if not videos:
        pytest.skip(f"No demo lecture in {DEMO_MEDIA}: run scripts/make_demo_media.py")
    video = videos[0]
    captions = sorted(DEMO_MEDIA.glob(f"{video.stem}*.vtt"))
    if not captions:
        pytest.skip(f"The demo lecture {video.name} has no .vtt caption file beside it")
    return video, captions[0]


@pytest.fixture
def course():
    video, captions = demo_lecture_files()
    lecture = LectureFactory(
        title="Vad är jämlikhet?",
        video__from_path=str(video),
        video__filename=video.name,
        duration=timedelta(seconds=49),
    )
    CaptionTrackFactory(
        lecture=lecture, file__from_path=str(captions), file__filename=captions.name
    )
    LectureChapterFactory(lecture=lecture, start=timedelta(0), title="Välkommen")
    LectureChapterFactory(
        lecture=lecture, start=timedelta(seconds=CHAPTER_SECONDS), title="De sju grunderna"
    )
    course = CoursePageFactory(title="Jämlikhet i kommunen")
    ModulePageFactory(
        parent=course,
        title="Grundmodul",
        steps=[lecture_step(lecture), reading_step("Läs mer")],
    )
    return course


def test_a_learner_plays_a_lecture_with_swedish_captions_and_jumps_to_a_chapter(
    live_server, browser_page, course
):
    page = browser_page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    learner = UserFactory(username="lena", first_name="Lena")

    page.goto(f"{live_server.url}/konto/logga-in/?next={course.url}")
    page.fill("input[name=username]", learner.username)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}{course.url}")

    page.click(f"form[action='{course.url}anmal/'] button[type=submit]")
    page.click("a:text-is('Grundmodul')")
    page.click("a:text-is('Vad är jämlikhet?')")

    video = page.locator("video#lecture-video")
    video.wait_for()
    page.evaluate(
        "() => { const v = document.querySelector('video'); v.muted = true; return v.play(); }"
    )
    page.wait_for_function("() => document.querySelector('video').currentTime > 0.5")

    # "Watched" follows what is played, not only the heartbeats every 10 s: about 4 % of
    # 49 s after 2 s, before any beat carrying watched seconds was answered (the first beat,
    # sent when play starts, carries none). No tight timeout: on a busy machine the page
    # may be slow, but the label must move before the second beat's answer, whenever.
    page.wait_for_function("() => document.querySelector('video').currentTime > 2")
    answered = page.wait_for_function(
        """() => {
            const root = document.querySelector('[data-lecture-player]');
            const label = document.querySelector('[data-watched-label]').textContent;
            return Number(root.dataset.watched) >= 2 && /[1-9]\\d* %/.test(label)
                && String(Number(root.dataset.beats || 0));
        }""",
    ).json_value()
    assert int(answered) <= 1

    page.wait_for_function(
        """() => {
            const tracks = Array.from(document.querySelector('video').textTracks);
            const sv = tracks.find(t => t.language === 'sv');
            return sv && sv.mode === 'showing' && sv.cues && sv.cues.length > 0;
        }"""
    )

    page.click(f"button.chapter[data-seek='{CHAPTER_SECONDS}']")
    page.wait_for_function(
        f"() => document.querySelector('video').currentTime >= {CHAPTER_SECONDS - 0.5}"
    )
    position = page.evaluate("() => document.querySelector('video').currentTime")
    assert CHAPTER_SECONDS - 0.5 <= position < CHAPTER_SECONDS + 3

    page.screenshot(path=SCREENSHOT, full_page=True)
    assert errors == []
