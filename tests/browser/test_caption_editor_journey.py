"""An editor corrects a caption cue beside the video in the admin, in a real browser
(Debian's chromium): the video and its captions load through the admin's own routes, "Play"
starts the video at a cue, and the saved correction is in the file."""

import re
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import (
    DEFAULT_PASSWORD,
    CaptionTrackFactory,
    LectureFactory,
    SuperuserFactory,
    root_collection,
    tree_root,
)
from wagtail_learning.modules.models import LectureCaptionTrack

DEMO = Path(settings.BASE_DIR) / "home/demo/lectures"
SCREENSHOT = Path(tempfile.gettempdir()) / "caption-editor.png"  # look at it after a run

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_editor_corrects_a_cue_beside_the_video(live_server, browser_page):
    video, captions = DEMO / "jamlikhet-1-grundmodul.webm", DEMO / "jamlikhet-1-grundmodul.sv.vtt"
    if not video.exists():
        pytest.skip(f"No demo lecture at {video}: run scripts/make_demo_media.py")
    page = browser_page
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    tree_root()  # a transactional test before this one flushed the migrations' rows
    root_collection()
    lecture = LectureFactory(
        title="Vad är jämlikhet?",
        video__from_path=str(video),
        video__filename=video.name,
        duration=timedelta(seconds=49),
    )
    track = CaptionTrackFactory(
        lecture=lecture, file__from_path=str(captions), file__filename=captions.name
    )
    editor = SuperuserFactory(username="redaktor")
    page.goto(f"{live_server.url}/konto/logga-in/?next=/admin/")
    page.fill("input[name=username]", editor.username)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_url(re.compile(r".*/admin/$"))

    page.goto(f"{live_server.url}/admin/snippets/modules/lecture/captions/{lecture.pk}/")
    page.wait_for_function("document.querySelector('[data-caption-editor-video]').readyState >= 1")
    cues_loaded = page.evaluate(
        """() => new Promise(resolve => {
            const track = document.querySelector('[data-caption-editor-video]').textTracks[0];
            track.mode = 'hidden';
            const check = () => track.cues && track.cues.length ? resolve(track.cues.length)
                                                                 : setTimeout(check, 100);
            check();
        })"""
    )
    assert cues_loaded == len(page.locator("li.caption-cue").all())

    third = page.locator("#cue-3")
    third.get_by_role("button", name="Spela").click()
    start = float(third.get_attribute("data-cue-start"))
    page.wait_for_function(
        f"document.querySelector('[data-caption-editor-video]').currentTime >= {start - 0.05}"
    )

    second = page.locator("#cue-2")
    second.locator("textarea").fill("Jämlikhet betyder att alla har\nsamma värde och rättigheter.")
    second.get_by_role("button", name="Spara textavsnitt").click()
    page.wait_for_url(re.compile(r".*#cue-2$"))
    assert "Textavsnitt 2 sparat." in page.locator(".messages").inner_text()
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    stored = LectureCaptionTrack.objects.get(pk=track.pk).read_cues()
    assert stored[1].text == "Jämlikhet betyder att alla har\nsamma värde och rättigheter."
    assert refused == []
