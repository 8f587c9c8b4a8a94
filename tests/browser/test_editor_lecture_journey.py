"""An editor uploads a lecture, makes a mistake in the form, fixes it without uploading the
video again, and finds the lecture in the library with its duration read from the file and
a poster frame made from it: a real browser (Debian's chromium), real ffprobe and ffmpeg."""

import re
import tempfile
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import DEFAULT_PASSWORD, SuperuserFactory, root_collection, tree_root
from wagtail_learning.modules.models import Lecture

DEMO_VIDEO = Path(settings.BASE_DIR) / "home/demo/lectures/jamlikhet-1-grundmodul.webm"
SCREENSHOT = Path(tempfile.gettempdir()) / "editor-lecture.png"  # look at it after a run

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_editor_fixes_a_lecture_form_without_uploading_the_video_again(
    live_server, browser_page
):
    if not DEMO_VIDEO.exists():
        pytest.skip(f"No demo lecture at {DEMO_VIDEO}: run scripts/make_demo_media.py")
    page = browser_page
    # A transactional test before this one flushed the migrations' rows: the admin needs the
    # page tree's root and the root collection (new lectures go into it).
    tree_root()
    root_collection()
    editor = SuperuserFactory(username="redaktor")
    page.goto(f"{live_server.url}/konto/logga-in/?next=/admin/")
    page.fill("input[name=username]", editor.username)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("main form[method=post] button[type=submit]")  # the password form, not the SSO one
    page.wait_for_url(re.compile(r".*/admin/$"))

    page.goto(f"{live_server.url}/admin/snippets/modules/lecture/add/")
    # The mistake: no title.
    page.set_input_files("input[name=video]", str(DEMO_VIDEO))
    page.locator("button.action-save").first.click()

    kept = page.locator("[data-kept-video]")
    try:
        kept.wait_for()
    except Exception:
        Path(tempfile.gettempdir(), "editor-lecture-failed.html").write_text(page.content())
        raise
    assert DEMO_VIDEO.name in kept.inner_text()
    # The browser holds no file any more: the second save can only use the kept one.
    assert page.locator("input[name=video]").input_value() == ""

    page.fill("input[name=title]", "Vad är jämlikhet?")
    page.locator("button.action-save").first.click()
    # Saving probes the video and cuts a poster frame (ffprobe, ffmpeg) within the request:
    # on a busy two-core machine that can take longer than the default 20 s.
    page.wait_for_url(re.compile(r".*/admin/snippets/modules/lecture/$"), timeout=90_000)

    row = page.locator("tr", has_text="Vad är jämlikhet?")
    assert row.locator("img").count() == 1  # the poster frame
    assert "0:48" in row.inner_text()  # ffprobe: 48.17 s
    row.locator("a", has_text="Vad är jämlikhet?").click()  # the title opens the lecture
    page.wait_for_url(re.compile(r".*/admin/snippets/modules/lecture/edit/\d+/$"))
    assert page.locator("input[name=duration]").is_disabled()
    facts = page.locator("[data-lecture-status]").inner_text()
    assert "vp9 / opus" in facts

    page.screenshot(path=SCREENSHOT, full_page=True)
    lecture = Lecture.objects.get()
    assert lecture.video.name.startswith("lectures/video/jamlikhet-1-grundmodul")
    assert lecture.poster is not None
