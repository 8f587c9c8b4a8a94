"""An editor uploading a lecture in the admin is told exactly what is wrong with a caption file."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data
from wagtail.users.models import UserProfile

from modules.models import Lecture
from tests.factories import CAPTIONS_SV, SuperuserFactory

ADD_URL = reverse("wagtailsnippets_modules_lecture:add")


def lecture_form(caption_bytes: bytes) -> dict:
    return nested_form_data(
        {
            "title": "Lagen i praktiken",
            "video": SimpleUploadedFile("lagen.webm", b"\x1a\x45\xdf\xa3 not really", "video/webm"),
            "duration": "12:30",
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
                        "is_default": "on",
                        "file": SimpleUploadedFile("sv.vtt", caption_bytes, "text/vtt"),
                    }
                ]
            ),
            "chapters": inline_formset([]),
        }
    )


@pytest.fixture
def editor_client(client):
    editor = SuperuserFactory()
    # The messages are checked in English; the admin would otherwise speak the site's Swedish.
    profile = UserProfile.get_for_user(editor)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(editor)
    return client


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
