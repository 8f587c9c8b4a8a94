"""An editor uploading a lecture in the admin is told exactly what is wrong with a caption
file, and that a video file is not a video."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from tests.factories import CAPTIONS_SV, SuperuserFactory
from wagtail_learning.modules.models import Lecture

ADD_URL = reverse("wagtailsnippets_modules_lecture:add")
DEMO_VIDEO = Path(__file__).resolve().parents[2] / "home/demo/lectures/jamlikhet-1-grundmodul.webm"


def demo_video() -> SimpleUploadedFile:
    return SimpleUploadedFile("lagen.webm", DEMO_VIDEO.read_bytes(), "video/webm")


def lecture_form(caption_bytes: bytes, *, video=None, duration: str = "12:30") -> dict:
    return nested_form_data(
        {
            "title": "Lagen i praktiken",
            "video": video or demo_video(),
            "duration": duration,
            "description": "",
            "speakers": "",
            "organiser": "",
            "recorded_on": "",
            "poster": "",
            "transcript": "",
            "caption_tracks": inline_formset(
                [
                    {
                        "language": "sv",
                        "kind": "captions",
                        "label": "",
                        "is_default": "True",
                        "file": SimpleUploadedFile("sv.vtt", caption_bytes, "text/vtt"),
                    }
                ]
            ),
            "chapters": inline_formset([]),
        }
    )


@pytest.mark.django_db
def test_editor_sees_the_line_of_a_caption_file_with_a_bad_timing_and_nothing_is_saved(
    editor_client,
):
    bad = b"WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nHej\n\n00:00:05 --> 00:00:08\nHopp\n"

    response = editor_client.post(ADD_URL, lecture_form(bad))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Line 6" in html
    assert "00:00:05 --&gt; 00:00:08" in html
    assert not Lecture.objects.exists()


@pytest.mark.django_db
def test_editor_sees_that_a_caption_file_without_header_must_start_with_webvtt(editor_client):
    response = editor_client.post(ADD_URL, lecture_form(b"1\n00:00:01.000 --> 00:00:04.000\nHej\n"))

    assert response.status_code == 200
    assert "Line 1" in response.content.decode()
    assert not Lecture.objects.exists()


@pytest.mark.django_db
def test_editor_saves_a_lecture_with_a_valid_caption_file(editor_client):
    response = editor_client.post(ADD_URL, lecture_form(CAPTIONS_SV.encode()))

    assert response.status_code == 302
    lecture = Lecture.objects.get()
    track = lecture.caption_tracks.get()
    assert track.language == "sv"
    assert lecture.transcript_paragraphs()[0].startswith("Välkommen")


@pytest.fixture
def swedish_editor_client(client):
    client.force_login(SuperuserFactory())  # the admin speaks the site's Swedish
    return client


PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\0" * 40


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("intyg.mp4", PDF, "Filen är en PDF, inte en video."),
        ("anteckningar.mp4", "Föreläsningens anteckningar\n".encode(), "Filen är en textfil"),
        ("bild.webm", PNG, "Filen är en PNG, inte en video."),
        ("trasig.webm", b"\x1a\x45\xdf\xa3" + bytes(range(256)) * 4, "kan spelas upp"),
    ],
)
def test_a_file_that_is_not_a_video_is_refused_with_what_it_is_and_nothing_is_saved(
    swedish_editor_client, name, content, message
):
    response = swedish_editor_client.post(
        ADD_URL,
        lecture_form(CAPTIONS_SV.encode(), video=SimpleUploadedFile(name, content, "video/mp4")),
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Lecture.objects.exists()


@pytest.mark.django_db
def test_an_empty_duration_is_read_from_the_video(editor_client):
    response = editor_client.post(ADD_URL, lecture_form(CAPTIONS_SV.encode(), duration=""))

    assert response.status_code == 302
    assert Lecture.objects.get().duration == timedelta(seconds=48)  # ffprobe: 48.17 s


@pytest.mark.django_db
def test_a_typed_duration_does_not_override_the_files(editor_client):
    response = editor_client.post(ADD_URL, lecture_form(CAPTIONS_SV.encode(), duration="0:50"))

    assert response.status_code == 302
    assert Lecture.objects.get().duration == timedelta(seconds=48)


@pytest.mark.django_db
def test_without_ffprobe_the_editor_is_told_and_nothing_is_saved(editor_client, monkeypatch):
    monkeypatch.setattr("wagtail_learning.modules.validators.shutil.which", lambda name: None)

    response = editor_client.post(ADD_URL, lecture_form(CAPTIONS_SV.encode()))

    assert response.status_code == 200
    assert "ffprobe" in response.content.decode()
    assert not Lecture.objects.exists()
