"""The lecture library as an editor meets it: a listing whose titles lead to the lecture, a
video kept across a failed save (and a forged reference refused), the facts read from the
file with ffprobe, a poster made with ffmpeg, and large files probed by the task queue while
learners see only that the lecture is being prepared. Real ffprobe and ffmpeg throughout."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import (
    CAPTIONS_SV,
    CoursePageFactory,
    LectureFactory,
    ModulePageFactory,
    enrolled_learner,
    lecture_step,
)
from tests.modules.test_lecture_admin import ADD_URL, PDF, lecture_form
from wagtail_learning.lms.api import protected_storage
from wagtail_learning.modules.models import Lecture, LectureStatus
from wagtail_learning.modules.uploads import PREFIX, sweep_pending_uploads

pytestmark = pytest.mark.django_db

BAD_CAPTIONS = b"WEBVTT\n\n00:00:05 --> 00:00:08\nHopp\n"
KEPT = "video-kept"


def kept_token(response) -> str:
    field = soup(response).find("input", attrs={"name": KEPT})
    return field["value"] if field else ""


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


@pytest.fixture(autouse=True)
def no_kept_uploads():
    """Uploaded files of the whole run share one folder: start each test without kept ones."""
    storage = protected_storage()
    for name in pending_files():
        storage.delete(name)


def pending_files() -> list[str]:
    storage = protected_storage()
    try:
        folders, _files = storage.listdir(PREFIX)
    except FileNotFoundError:
        return []
    return [f"{PREFIX}{d}/{f}" for d in folders for f in storage.listdir(PREFIX + d)[1]]


def resubmit(data: dict, token: str) -> dict:
    data = {k: v for k, v in data.items() if k != "video"}
    data[KEPT] = token
    return data


# --- 1. The listing --------------------------------------------------------------------


def test_the_title_in_the_lecture_listing_opens_the_lecture_and_has_an_actions_menu(
    editor_client,
):
    lecture = LectureFactory(title="Normkritik i praktiken")

    response = editor_client.get(reverse("wagtailsnippets_modules_lecture:list"))

    page = soup(response)
    edit_url = reverse("wagtailsnippets_modules_lecture:edit", args=[lecture.pk])
    title_link = page.select_one(f'td a[href="{edit_url}"]')
    assert title_link and "Normkritik i praktiken" in title_link.get_text()
    menu = " ".join(a["href"] for a in page.select("td a[href]"))
    assert reverse("wagtailsnippets_modules_lecture:delete", args=[lecture.pk]) in menu
    assert reverse("wagtailsnippets_modules_lecture:usage", args=[lecture.pk]) in menu
    assert reverse("wagtailsnippets_modules_lecture:history", args=[lecture.pk]) in menu


# --- 2. A failed save keeps the video ----------------------------------------------------


def test_after_a_validation_error_the_video_is_kept_and_saving_again_needs_no_upload(
    editor_client,
):
    first = lecture_form(BAD_CAPTIONS, duration="")

    refused = editor_client.post(ADD_URL, first)

    assert refused.status_code == 200
    assert "lagen.webm" in refused.content.decode()  # the editor sees which file is kept
    token = kept_token(refused)
    assert token and len(pending_files()) == 1

    fixed = resubmit(lecture_form(CAPTIONS_SV.encode(), duration=""), token)
    saved = editor_client.post(ADD_URL, fixed)

    assert saved.status_code == 302
    lecture = Lecture.objects.get()
    assert lecture.video.name.startswith("lectures/video/lagen")
    assert lecture.duration == timedelta(seconds=48)
    assert pending_files() == []  # the kept copy is gone once the lecture holds the file


def test_a_forged_reference_to_a_kept_video_is_refused(editor_client):
    refused = editor_client.post(ADD_URL, lecture_form(BAD_CAPTIONS))
    token = kept_token(refused)
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")

    response = editor_client.post(ADD_URL, resubmit(lecture_form(CAPTIONS_SV.encode()), forged))

    assert response.status_code == 200
    assert "Choose the file again" in response.content.decode()
    assert not Lecture.objects.exists()


def test_a_reference_to_a_file_outside_the_kept_folder_is_refused(editor_client):
    from django.core import signing

    lecture = LectureFactory()
    # Even a correctly signed reference may only point into the kept-uploads folder.
    token = signing.dumps(
        {"path": lecture.video.name, "name": "x.webm"}, salt="modules.lecture.pending-video"
    )

    response = editor_client.post(ADD_URL, resubmit(lecture_form(CAPTIONS_SV.encode()), token))

    assert response.status_code == 200
    assert "Choose the file again" in response.content.decode()
    assert Lecture.objects.count() == 1


def test_a_file_that_is_not_a_video_is_not_kept(editor_client):
    response = editor_client.post(
        ADD_URL,
        lecture_form(CAPTIONS_SV.encode(), video=SimpleUploadedFile("intyg.mp4", PDF)),
    )

    assert "The file is a PDF, not a video." in response.content.decode()
    assert kept_token(response) == ""
    assert pending_files() == []


def test_the_sweep_removes_kept_videos_older_than_a_day(editor_client, settings):
    editor_client.post(ADD_URL, lecture_form(BAD_CAPTIONS))
    assert len(pending_files()) == 1

    assert sweep_pending_uploads() == 0
    settings.LMS_LECTURE_PENDING_UPLOAD_HOURS = -1  # everything kept is now too old

    assert sweep_pending_uploads() == 1
    assert pending_files() == []
    assert sweep_pending_uploads() == 0  # run again (the task delivered twice): nothing


# --- 3. Facts from the file, poster, large files ------------------------------------------


def test_duration_size_and_codecs_are_read_from_the_file_and_a_poster_is_made(editor_client):
    response = editor_client.post(ADD_URL, lecture_form(CAPTIONS_SV.encode(), duration="9:99"))

    assert response.status_code == 302
    lecture = Lecture.objects.get()
    assert lecture.duration == timedelta(seconds=48)  # the file's, not the typed one
    assert lecture.duration_from_file
    assert (lecture.width, lecture.height) > (0, 0)
    assert (lecture.video_codec, lecture.audio_codec) == ("vp9", "opus")
    assert lecture.poster is not None
    with lecture.poster.file.open("rb") as handle:
        assert handle.read(3) == b"\xff\xd8\xff"  # a JPEG frame of the video
    assert lecture.status == LectureStatus.READY


def test_the_duration_cannot_be_typed_once_it_is_read_from_the_file(editor_client):
    editor_client.post(ADD_URL, lecture_form(CAPTIONS_SV.encode()))
    lecture = Lecture.objects.get()

    page = editor_client.get(reverse("wagtailsnippets_modules_lecture:edit", args=[lecture.pk]))

    field = soup(page).find("input", attrs={"name": "duration"})
    assert field.has_attr("disabled")
    assert "Read from the video file." in page.content.decode()


def test_when_the_file_does_not_tell_its_duration_the_editor_gives_it(editor_client):
    # ffprobe estimates the length of every file ffmpeg here can write; the rule is checked
    # on a lecture whose probe found none (a stream recording, say).
    lecture = LectureFactory(duration=None, duration_from_file=False)

    with pytest.raises(ValidationError, match="kunde inte läsas ut ur videon"):
        lecture.full_clean()
    page = editor_client.get(reverse("wagtailsnippets_modules_lecture:edit", args=[lecture.pk]))
    field = soup(page).find("input", attrs={"name": "duration"})
    assert not field.has_attr("disabled")
    assert "only if the file does not tell" in page.content.decode()


@pytest.fixture
def large(settings):
    settings.LMS_LECTURE_PROBE_ASYNC_BYTES = 1024  # every test upload counts as large


def test_a_large_video_is_processing_until_the_task_has_read_it(
    editor_client, client, large, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = editor_client.post(ADD_URL, lecture_form(CAPTIONS_SV.encode(), duration=""))
    assert response.status_code == 302
    lecture = Lecture.objects.get()
    assert lecture.status == LectureStatus.PROCESSING

    listing = editor_client.get(reverse("wagtailsnippets_modules_lecture:list"))
    assert "Processing" in listing.content.decode()
    edit = editor_client.get(reverse("wagtailsnippets_modules_lecture:edit", args=[lecture.pk]))
    assert 'data-lecture-status="processing"' in edit.content.decode()

    # The learner meets a notice, never the half-processed file.
    course = CoursePageFactory()
    module = ModulePageFactory(parent=course, steps=[lecture_step(lecture)])
    client.force_login(enrolled_learner(course))
    step_id = module.steps[0].id
    step_page = client.get(module.url + module.reverse_subpage("step", args=[step_id]))
    assert "Föreläsningen förbereds" in step_page.content.decode()
    assert "<video" not in step_page.content.decode()
    assert client.get(module.url + f"steg/{step_id}/video/").status_code == 404

    for callback in queued:  # the task queue runs (sync in tests)
        callback()

    lecture.refresh_from_db()
    assert lecture.status == LectureStatus.READY
    assert lecture.duration == timedelta(seconds=48)
    assert lecture.poster is not None
    poster = lecture.poster_id
    for callback in queued:  # the task delivered again: the lecture is ready, left alone
        callback()
    lecture.refresh_from_db()
    assert (lecture.status, lecture.poster_id) == (LectureStatus.READY, poster)
    assert (
        "<video"
        in client.get(module.url + module.reverse_subpage("step", args=[step_id])).content.decode()
    )


def test_a_large_file_that_is_obviously_not_a_video_is_refused_at_once(editor_client, large):
    response = editor_client.post(
        ADD_URL,
        lecture_form(CAPTIONS_SV.encode(), video=SimpleUploadedFile("intyg.mp4", PDF * 40)),
    )

    assert response.status_code == 200
    assert "The file is a PDF, not a video." in response.content.decode()
    assert not Lecture.objects.exists()


def test_a_large_file_the_task_finds_unplayable_is_marked_and_says_why(
    editor_client, large, django_capture_on_commit_callbacks
):
    broken = SimpleUploadedFile("trasig.webm", b"\x1a\x45\xdf\xa3" + bytes(range(256)) * 8)
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            ADD_URL, lecture_form(CAPTIONS_SV.encode(), video=broken, duration="")
        )

    assert response.status_code == 302
    lecture = Lecture.objects.get()
    assert lecture.status == LectureStatus.FAILED
    listing = editor_client.get(reverse("wagtailsnippets_modules_lecture:list")).content.decode()
    assert "Not a playable video" in listing
    assert "kan spelas upp" in listing  # why, kept in the site's language (Swedish)


def test_a_lecture_the_task_could_not_time_becomes_ready_once_the_editor_gives_the_duration(
    editor_client,
):
    lecture = LectureFactory(
        duration=None,
        status=LectureStatus.FAILED,
        status_message="Längden kunde inte läsas ur videon: ange den och spara igen.",
        video_codec="h264",
    )
    data = {
        k: v for k, v in lecture_form(CAPTIONS_SV.encode(), duration="0:50").items() if k != "video"
    }

    response = editor_client.post(
        reverse("wagtailsnippets_modules_lecture:edit", args=[lecture.pk]), data
    )

    assert response.status_code == 302
    lecture.refresh_from_db()
    assert (lecture.status, lecture.duration) == (LectureStatus.READY, timedelta(seconds=50))
