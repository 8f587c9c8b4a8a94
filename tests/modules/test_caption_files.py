"""Caption files as editors upload them (WebVTT or SRT): every error names the cue (its
number and time), warnings say what makes captions hard to follow, and hostile files get a
clear refusal, never a 500."""

import os

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from tests.factories import LectureFactory
from wagtail_learning.modules.captions import (
    MAX_CAPTION_BYTES,
    check_caption_file,
    check_cues,
    format_problem,
    read_webvtt,
)
from wagtail_learning.modules.models import Lecture, LectureCaptionTrack


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def messages_of(error: ValidationError) -> list[str]:
    return [" ".join(item.messages) for item in error.error_list]


def codes_of(error: ValidationError) -> list[str]:
    return [item.code for item in error.error_list]


SRT = (
    "1\r\n00:00:00,500 --> 00:00:03,000\r\nVälkommen till föreläsningen.\r\n\r\n"
    "2\r\n00:00:03,500 --> 00:00:06,000\r\n{\\an8}Diskrimineringslagen\r\n"
    "har sju grunder.\r\n\r\n"
)


# --- Errors name the cue ----------------------------------------------------------------------


def test_overlapping_cues_are_an_error_naming_both_cues_and_times():
    text = "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nEtt\n\n00:00:03.500 --> 00:00:06.000\nTvå\n"

    with pytest.raises(ValidationError) as caught:
        check_caption_file(text.encode(), "sv.vtt")

    assert codes_of(caught.value) == ["caption_overlap"]
    message = messages_of(caught.value)[0]
    assert "cue 2 at 00:00:03.500" in message
    assert "cue 1 at 00:00:01.000" in message
    assert "Line 6" in message


def test_a_long_cue_overlapping_several_after_it_is_named_for_each():
    text = (
        "WEBVTT\n\n00:00:00.000 --> 00:00:10.000\nLång\n\n"
        "00:00:01.000 --> 00:00:02.000\nEtt\n\n00:00:03.000 --> 00:00:04.000\nTvå\n\n"
        "00:00:11.000 --> 00:00:12.000\nEfter\n"
    )

    with pytest.raises(ValidationError) as caught:
        read_and_check(text)

    messages = messages_of(caught.value)
    assert [m.split(":", 1)[0] for m in messages] == [
        "Line 6 (cue 2 at 00",
        "Line 9 (cue 3 at 00",
    ]
    assert all("cue 1 at 00:00:00.000 has ended (00:00:10.000)" in m for m in messages)


def read_and_check(text: str):
    return check_caption_file(text.encode(), "sv.vtt")


def test_a_cue_ending_after_the_video_is_an_error_naming_the_cue():
    text = "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nEtt\n\n00:00:40.000 --> 00:00:52.000\nTvå\n"

    with pytest.raises(ValidationError) as caught:
        check_caption_file(text.encode(), "sv.vtt", duration=48.0)

    assert codes_of(caught.value) == ["caption_beyond_video"]
    assert "cue 2 at 00:00:40.000" in messages_of(caught.value)[0]
    assert "00:00:48.000" in messages_of(caught.value)[0]


def test_a_cue_ending_within_the_rounding_of_the_videos_duration_is_accepted():
    # ffprobe's 48.17 s is stored as 48 s; a cue to 48.6 s is inside the video.
    text = "WEBVTT\n\n00:00:45.000 --> 00:00:48.600\nSlut.\n"

    caption_file, _warnings = check_caption_file(text.encode(), "sv.vtt", duration=48.0)

    assert [c.end for c in caption_file.cues] == [48.6]


def test_a_file_with_several_problems_lists_each_with_its_cue():
    text = (
        "WEBVTT\n\n00:00:05.000 --> 00:00:02.000\nBaklänges\n\n"
        "00:00:06.000 --> 00:00:08\nTrasig tid\n\n"
        "00:00:09.000 --> 00:00:10.000\nRätt\n00:00:10.000 --> 00:00:11.000\nUtan tom rad\n"
    )

    with pytest.raises(ValidationError) as caught:
        read_webvtt(text)

    messages = messages_of(caught.value)
    assert len(messages) == 3
    assert "Line 6 (cue 2)" in messages[0] and "00:00:08" in messages[0]
    assert "Line 11 (cue 3 at 00:00:09.000)" in messages[1]
    assert "empty line" in messages[1]
    assert "Line 3 (cue 1 at 00:00:05.000)" in messages[2]
    assert "before or when it starts" in messages[2]


def test_a_description_track_may_overlap_itself():
    text = (
        "WEBVTT\n\n00:00:01.000 --> 00:00:06.000\nEn karta över Sápmi.\n\n"
        "00:00:04.000 --> 00:00:08.000\nTalaren pekar på norra Sverige.\n"
    )

    caption_file, _warnings = check_caption_file(text.encode(), "sv.vtt", kind="descriptions")

    assert len(caption_file.cues) == 2


# --- Warnings do not refuse ---------------------------------------------------------------------


def test_fast_text_long_lines_and_three_lines_are_warnings_naming_the_cue():
    text = (
        "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n"
        "Det här är alldeles för mycket text för en sekund.\n\n"
        "00:00:02.000 --> 00:00:09.000\nEtt\ntvå\ntre\n\n"
        "00:00:10.000 --> 00:00:14.000\nLagom.\n"
    )

    caption_file, warnings = check_caption_file(text.encode(), "sv.vtt")

    shown = [format_problem(w) for w in warnings]
    assert shown[0].startswith("Cue 1 at 00:00:00.000: 50 characters a second")
    assert shown[1].startswith("Cue 1 at 00:00:00.000: A line of 50 characters")
    assert shown[2].startswith("Cue 2 at 00:00:02.000: 3 lines")
    assert len(shown) == 3
    assert len(caption_file.cues) == 3


def test_tags_are_not_counted_as_characters_read():
    cue_text = "<v Aisha>Hej och <i>välkomna</i></v>"
    text = f"WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n{cue_text}\n"

    _errors, warnings = check_cues(read_webvtt(text).cues)

    assert warnings == []  # "Hej och välkomna": 16 characters in a second


# --- SRT is converted to WebVTT ------------------------------------------------------------------


def test_an_srt_file_with_crlf_and_a_bom_becomes_webvtt_with_the_same_cues():
    raw = b"\xef\xbb\xbf" + SRT.encode()

    caption_file, _warnings = check_caption_file(raw, "sv.srt")

    assert caption_file.to_webvtt() == (
        "WEBVTT\n\n00:00:00.500 --> 00:00:03.000\nVälkommen till föreläsningen.\n\n"
        "00:00:03.500 --> 00:00:06.000\nDiskrimineringslagen\nhar sju grunder.\n"
    )


def test_a_broken_srt_cue_is_refused_naming_its_line_and_cue():
    broken = SRT + "3\n00:00:07,000 -> 00:00:09,000\nFel pil\n"

    with pytest.raises(ValidationError) as caught:
        check_caption_file(broken.encode(), "sv.srt")

    assert codes_of(caught.value) == ["srt_format"]
    message = messages_of(caught.value)[0]
    assert "Line 10 (cue 3)" in message
    assert 'found "3 00:00:07,000 -> 00:00:09,000"' in message


def test_an_srt_with_overlapping_cues_is_refused_like_webvtt():
    srt = "1\n00:00:01,000 --> 00:00:05,000\nEtt\n\n2\n00:00:04,000 --> 00:00:06,000\nTvå\n"

    with pytest.raises(ValidationError) as caught:
        check_caption_file(srt.encode(), "sv.srt")

    assert codes_of(caught.value) == ["caption_overlap"]
    assert messages_of(caught.value)[0].startswith("Cue 2 at 00:00:04.000: ")


# --- Hostile files -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "name", "code"),
    [
        (os.urandom(4096), "sv.vtt", "webvtt_encoding"),
        (b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHej\x00\x01\n", "sv.vtt", "caption_binary"),
        (b"\x00" * 100, "sv.srt", "caption_binary"),
        (b"A" * (MAX_CAPTION_BYTES + 1), "sv.srt", "webvtt_size"),
        ("WEBVTT\n\n".encode("utf-16"), "sv.vtt", "webvtt_encoding"),
        (b"", "sv.srt", "webvtt_empty"),
        (b"WEBVTT\n", "sv.vtt", "webvtt_empty"),
        (b"1\n" * 200_000, "sv.srt", "srt_format"),
    ],
    ids=["random", "nul", "zeros", "huge", "utf16", "empty-srt", "no-cues", "only-numbers"],
)
def test_hostile_files_are_refused_with_a_reason(raw, name, code):
    with pytest.raises(ValidationError) as caught:
        check_caption_file(raw, name)

    assert codes_of(caught.value)[0] == code


def test_a_file_with_thousands_of_errors_lists_the_first_twenty_and_counts_the_rest():
    text = "WEBVTT\n\n" + "".join(f"00:00:0{i % 9}.000 --> 00:00:00.000\nX\n\n" for i in range(500))

    with pytest.raises(ValidationError) as caught:
        read_webvtt(text)

    messages = messages_of(caught.value)
    assert len(messages) == 21
    assert messages[-1] == "… and 480 more problems."


# --- Through the model and the admin --------------------------------------------------------------


@pytest.mark.django_db
def test_an_srt_track_is_stored_as_webvtt():
    track = LectureCaptionTrack(
        lecture=LectureFactory(),
        language="sv",
        kind="captions",
        file=SimpleUploadedFile("lagen.srt", SRT.encode(), "application/x-subrip"),
    )

    track.full_clean()
    track.save()

    stored = LectureCaptionTrack.objects.get(pk=track.pk)
    assert stored.file.name.endswith(".vtt")
    assert stored.read_text().startswith("WEBVTT\n\n00:00:00.500 --> 00:00:03.000\n")


@pytest.mark.django_db
def test_a_track_is_checked_against_its_lectures_duration():
    lecture = LectureFactory()  # 12:30
    late = "WEBVTT\n\n00:12:40.000 --> 00:12:45.000\nFör sent.\n"
    track = LectureCaptionTrack(
        lecture=lecture, language="sv", file=SimpleUploadedFile("sv.vtt", late.encode())
    )

    with pytest.raises(ValidationError) as caught:
        track.full_clean()

    assert "after the video (00:12:30.000)" in " ".join(caught.value.message_dict["file"])


ADD_URL = reverse("wagtailsnippets_modules_lecture:add")


def lecture_form(name: str, content: bytes) -> dict:
    from tests.modules.test_lecture_admin import demo_video

    return nested_form_data(
        {
            "title": "Lagen i praktiken",
            "video": demo_video(),
            "duration": "",
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
                        "is_default": "",
                        "file": SimpleUploadedFile(name, content, "text/plain"),
                    }
                ]
            ),
            "chapters": inline_formset([]),
        }
    )


@pytest.mark.django_db
def test_editor_uploads_an_srt_file_and_the_lecture_gets_webvtt_captions(editor_client):
    response = editor_client.post(ADD_URL, lecture_form("lagen.srt", SRT.encode()))

    assert response.status_code == 302
    track = Lecture.objects.get().caption_tracks.get()
    assert track.file.name.endswith(".vtt")
    assert track.read_cues()[1].text == "Diskrimineringslagen\nhar sju grunder."


@pytest.mark.django_db
def test_editor_sees_which_cue_overlaps_and_nothing_is_saved(editor_client):
    overlapping = (
        "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nEtt\n\n00:00:03.000 --> 00:00:05.000\nTvå\n"
    )

    response = editor_client.post(ADD_URL, lecture_form("sv.vtt", overlapping.encode()))

    assert response.status_code == 200
    assert "cue 2 at 00:00:03.000" in response.content.decode()
    assert not Lecture.objects.exists()


@pytest.mark.django_db
def test_editor_uploading_binary_garbage_as_captions_gets_a_form_error(editor_client):
    response = editor_client.post(ADD_URL, lecture_form("sv.srt", os.urandom(20_000)))

    assert response.status_code == 200
    assert "not UTF-8" in response.content.decode()
    assert not Lecture.objects.exists()


@pytest.mark.django_db
def test_editor_is_told_of_fast_captions_after_saving(editor_client):
    fast = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nDet här hinner ingen läsa på en sekund.\n"

    response = editor_client.post(ADD_URL, lecture_form("sv.vtt", fast.encode()), follow=True)

    assert response.status_code == 200
    assert Lecture.objects.exists()
    shown = [str(m) for m in response.context["messages"]]
    assert any("Cue 1 at 00:00:01.000: 39 characters a second" in m for m in shown)


@pytest.mark.django_db
def test_editor_uploading_a_huge_caption_file_gets_a_form_error(editor_client):
    huge = SRT.encode() * (MAX_CAPTION_BYTES // len(SRT.encode()) + 1)

    response = editor_client.post(ADD_URL, lecture_form("sv.srt", huge))

    assert response.status_code == 200
    assert "larger than 2 MB" in response.content.decode()
    assert not Lecture.objects.exists()


@pytest.mark.django_db
def test_editor_uploads_webvtt_with_a_bom_and_crlf_and_its_cues_are_read(editor_client):
    raw = b"\xef\xbb\xbf" + CAPTIONS.replace("\n", "\r\n").encode()

    response = editor_client.post(ADD_URL, lecture_form("sv.vtt", raw))

    assert response.status_code == 302
    track = Lecture.objects.get().caption_tracks.get()
    assert [c.text for c in track.read_cues()] == ["Hej och välkomna.", "Nu börjar vi."]


CAPTIONS = (
    "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nHej och välkomna.\n\n"
    "00:00:04.000 --> 00:00:06.000\nNu börjar vi.\n"
)
