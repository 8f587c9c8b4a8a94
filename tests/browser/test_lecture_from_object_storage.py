"""A learner plays a lecture whose video lies in a private bucket (SeaweedFS, started by
tests/storage's fixture): the player follows the site's redirect to a signed link, plays
and seeks, with the captions (streamed by the site) showing, and the Content-Security-Policy
the settings derive for the bucket lets it (Debian's chromium against the live server)."""

import shutil
import subprocess
import time
from datetime import timedelta

import pytest
from django.conf import settings as django_settings

from config.settings.base import s3_origins
from tests.factories import (
    DEFAULT_PASSWORD,
    CaptionTrackFactory,
    CoursePageFactory,
    LectureFactory,
    ModulePageFactory,
    UserFactory,
    lecture_step,
)
from tests.storage.conftest import BUCKET, bucket, object_store  # noqa: F401 - fixtures

from .test_lecture_journey import demo_lecture_files

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def bucket_in_csp(bucket, settings):  # noqa: F811 - the fixture imported above
    """What config/settings/base.py adds to the policy for LMS_S3_BUCKET at this endpoint."""
    policy = django_settings.CONTENT_SECURITY_POLICY
    hosts = s3_origins(BUCKET, bucket.store.endpoint_url, "", "")
    settings.CONTENT_SECURITY_POLICY = {
        **policy,
        "DIRECTIVES": {
            **policy["DIRECTIVES"],
            "media-src": [*policy["DIRECTIVES"]["media-src"], *hosts],
        },
    }
    return bucket


@pytest.fixture
def course(bucket_in_csp):
    store = bucket_in_csp
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
    assert store.holds(lecture.video.name)
    course = CoursePageFactory(title="Jämlikhet i kommunen")
    ModulePageFactory(parent=course, title="Grundmodul", steps=[lecture_step(lecture)])
    return course


def test_a_lecture_in_the_bucket_plays_and_seeks_with_its_captions(
    live_server,
    browser_page,
    course,
    bucket,  # noqa: F811
):
    page = browser_page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: errors.append(message.text) if message.type == "error" else None,
    )
    redirected: list[str] = []
    page.on(
        "response",
        lambda response: (
            redirected.append(response.url)
            if response.url.startswith(bucket.store.endpoint_url)
            else None
        ),
    )
    learner = UserFactory(username="lena", first_name="Lena")

    page.goto(f"{live_server.url}/konto/logga-in/?next={course.url}")
    page.fill("input[name=username]", learner.username)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}{course.url}")
    page.click(f"form[action='{course.url}anmal/'] button[type=submit]")
    page.click("a:text-is('Grundmodul')")
    page.click("a:text-is('Vad är jämlikhet?')")

    page.locator("video#lecture-video").wait_for()
    page.evaluate(
        "() => { const v = document.querySelector('video'); v.muted = true; return v.play(); }"
    )
    page.wait_for_function("() => document.querySelector('video').currentTime > 1")
    page.evaluate("() => { document.querySelector('video').currentTime = 30; }")
    page.wait_for_function("() => document.querySelector('video').currentTime > 30.5")
    page.wait_for_function(
        """() => {
            const tracks = Array.from(document.querySelector('video').textTracks);
            const sv = tracks.find(t => t.language === 'sv');
            return sv && sv.mode === 'showing' && sv.cues && sv.cues.length > 0;
        }"""
    )

    assert redirected, "the video came from the bucket's signed link"
    assert all("X-Amz-Signature=" in url for url in redirected)
    assert errors == []


@pytest.fixture
def long_course(bucket_in_csp, tmp_path):
    """A 32-minute recording (the demo lecture 40 times over, copied without re-encoding):
    more than the browser buffers, so a seek far ahead asks the link for new bytes."""
    demo, _captions = demo_lecture_files()
    long_video = tmp_path / "lang-inspelning.webm"
    subprocess.run(  # noqa: S603 - a fixed program and our own paths
        [
            shutil.which("ffmpeg") or "ffmpeg",
            "-v",
            "error",
            "-stream_loop",
            "39",
            "-i",
            str(demo),
            "-c",
            "copy",
            str(long_video),
        ],
        check=True,
        timeout=120,
    )
    lecture = LectureFactory(
        title="Lång inspelning",
        video__from_path=str(long_video),
        video__filename=long_video.name,
        duration=timedelta(minutes=32),
    )
    course = CoursePageFactory(title="Lång kurs")
    ModulePageFactory(parent=course, title="Långa modulen", steps=[lecture_step(lecture)])
    return course


def test_a_link_that_expired_during_a_pause_is_renewed_and_the_video_goes_on(
    live_server,
    browser_page,
    long_course,
    bucket,  # noqa: F811
    settings,
):
    settings.LMS_S3_URL_EXPIRY_SECONDS = 3
    page = browser_page
    course = long_course
    asked_the_site: list[int] = []
    page.on(
        "response",
        lambda response: (
            asked_the_site.append(response.status) if response.url.endswith("/video/") else None
        ),
    )
    learner = UserFactory(username="lena", first_name="Lena")
    page.goto(f"{live_server.url}/konto/logga-in/?next={course.url}")
    page.fill("input[name=username]", learner.username)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}{course.url}")
    page.click(f"form[action='{course.url}anmal/'] button[type=submit]")
    page.click("a:text-is('Långa modulen')")
    # Bytes come from the network, not from what an earlier response left in the cache.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    page.click("a:text-is('Lång inspelning')")

    page.locator("video#lecture-video").wait_for()
    page.evaluate(
        "() => { const v = document.querySelector('video'); v.muted = true; return v.play(); }"
    )
    page.wait_for_function("() => document.querySelector('video').currentTime > 1")
    page.evaluate("() => document.querySelector('video').pause()")
    time.sleep(5)  # the link (3 s) expires while the learner has paused

    page.evaluate(
        "() => { const v = document.querySelector('video'); v.currentTime = 1500;"
        " return v.play().catch(() => null); }"
    )

    page.wait_for_function(
        "() => { const v = document.querySelector('video');"
        " return !v.error && v.currentTime > 1500.5; }",
        timeout=60_000,
    )
    assert asked_the_site.count(302) >= 2  # the access check again, for a new link
