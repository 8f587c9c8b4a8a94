"""Caption files and quiz questions that editors get wrong are refused with a clear reason."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from wagtail.blocks.struct_block import StructBlockValidationError

from tests.factories import (
    CAPTIONS_SV,
    LectureFactory,
    QuizFactory,
    choice,
    multiple_choice,
    single_choice,
    true_false,
)
from wagtail_learning.modules.blocks import MultipleChoiceQuestionBlock, SingleChoiceQuestionBlock
from wagtail_learning.modules.models import LectureCaptionTrack, Quiz
from wagtail_learning.modules.validators import (
    MAX_CAPTION_BYTES,
    parse_webvtt,
    validate_webvtt_file,
)

MISSING_HEADER = "00:00:00.000 --> 00:00:02.000\nHej\n"
BAD_TIMING = "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nHej\n\n00:00:03,000 --> 00:00:05,000\nDå\n"
ENDS_BEFORE_START = "WEBVTT\n\n00:00:05.000 --> 00:00:02.000\nBaklänges\n"
NO_CUES = "WEBVTT\n\nNOTE bara en kommentar\n"
CUE_WITHOUT_TIMING = "WEBVTT\n\nett\nHej utan tid\n"


@pytest.fixture(autouse=True)
def english():
    """The messages are checked in English; the site's default language is Swedish."""
    with translation.override("en"):
        yield


def message_of(error: ValidationError) -> str:
    return " ".join(error.messages)


def codes_of(error: ValidationError) -> list[str]:
    return [item.code for item in error.error_list]


def vtt_upload(content: bytes, name: str = "captions.vtt") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/vtt")


# --- parse_webvtt ------------------------------------------------------------------------


def test_a_valid_caption_file_gives_its_cues_with_times_and_text():
    cues = parse_webvtt(CAPTIONS_SV)

    assert cues == [
        (0.0, 4.0, "Välkommen till föreläsningen om mänskliga rättigheter."),
        (4.5, 9.0, "Vi börjar med diskrimineringslagens sju grunder."),
    ]


def test_a_caption_file_with_bom_crlf_hours_omitted_and_cue_settings_is_accepted():
    text = "\ufeffWEBVTT - svensk textning\r\n\r\n00:01.000 --> 00:02.500 align:start\r\nHej\r\n"

    assert parse_webvtt(text) == [(1.0, 2.5, "Hej")]


def test_a_file_without_the_webvtt_header_is_refused_naming_line_1():
    with pytest.raises(ValidationError) as caught:
        parse_webvtt(MISSING_HEADER)

    assert codes_of(caught.value) == ["webvtt_header"]
    assert "Line 1" in message_of(caught.value)
    assert "WEBVTT" in message_of(caught.value)


def test_a_malformed_timing_line_is_refused_naming_its_line_number():
    # The second cue's timing is on line 6 and uses commas (SRT style) for milliseconds.
    with pytest.raises(ValidationError) as caught:
        parse_webvtt(BAD_TIMING)

    assert codes_of(caught.value) == ["webvtt_timing"]
    assert "Line 6" in message_of(caught.value)
    assert "00:00:03,000" in message_of(caught.value)


def test_a_cue_with_an_identifier_but_no_timing_line_is_refused_naming_the_line():
    with pytest.raises(ValidationError) as caught:
        parse_webvtt(CUE_WITHOUT_TIMING)

    assert codes_of(caught.value) == ["webvtt_timing"]
    assert "Line 4" in message_of(caught.value)


def test_a_cue_that_ends_before_it_starts_is_refused_naming_its_line():
    with pytest.raises(ValidationError) as caught:
        parse_webvtt(ENDS_BEFORE_START)

    assert codes_of(caught.value) == ["webvtt_order"]
    assert "Line 3" in message_of(caught.value)
    assert "5.000" in message_of(caught.value)


def test_a_file_with_a_header_but_no_cues_is_refused():
    with pytest.raises(ValidationError) as caught:
        parse_webvtt(NO_CUES)

    assert codes_of(caught.value) == ["webvtt_empty"]
    assert "no cues" in message_of(caught.value)


# --- validate_webvtt_file (the model field's validator) ----------------------------------


def test_an_uploaded_valid_caption_file_passes_and_is_left_rewound():
    upload = vtt_upload(CAPTIONS_SV.encode())

    validate_webvtt_file(upload)

    assert upload.read(6) == b"WEBVTT"


def test_an_uploaded_caption_file_that_is_not_utf8_is_refused_with_the_byte_position():
    latin1 = "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nVälkommen\n".encode("latin-1")

    with pytest.raises(ValidationError) as caught:
        validate_webvtt_file(vtt_upload(latin1))

    assert codes_of(caught.value) == ["webvtt_encoding"]
    assert "UTF-8" in message_of(caught.value)
    first_bad_byte = latin1.index("ä".encode("latin-1"))
    assert f"byte {first_bad_byte}" in message_of(caught.value)


def test_an_uploaded_caption_file_over_the_size_limit_is_refused():
    big = CAPTIONS_SV.encode() + b"\n" * (MAX_CAPTION_BYTES + 1 - len(CAPTIONS_SV.encode()))

    with pytest.raises(ValidationError) as caught:
        validate_webvtt_file(vtt_upload(big))

    assert codes_of(caught.value) == ["webvtt_size"]


# --- Through the model, as the admin form validates it -----------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (MISSING_HEADER.encode(), "Line 1"),
        (BAD_TIMING.encode(), "Line 6"),
        (ENDS_BEFORE_START.encode(), "before or when it starts"),
        ("WEBVTT\n\n00:00.000 --> 00:02.000\nHallå\n".encode("utf-16"), "UTF-8"),
        (NO_CUES.encode(), "no cues"),
    ],
    ids=["missing-header", "bad-timing", "end-before-start", "not-utf8", "no-cues"],
)
def test_a_caption_track_with_a_bad_file_does_not_validate_and_says_why(content, expected):
    track = LectureCaptionTrack(lecture=LectureFactory(), language="sv", file=vtt_upload(content))

    with pytest.raises(ValidationError) as caught:
        track.full_clean()

    assert expected in " ".join(caught.value.message_dict["file"])


@pytest.mark.django_db
def test_a_caption_track_with_a_file_that_is_not_vtt_is_refused():
    track = LectureCaptionTrack(
        lecture=LectureFactory(), language="sv", file=vtt_upload(CAPTIONS_SV.encode(), "sv.srt")
    )

    with pytest.raises(ValidationError) as caught:
        track.full_clean()

    assert "file" in caught.value.message_dict


@pytest.mark.django_db
def test_a_caption_track_with_a_valid_file_validates():
    track = LectureCaptionTrack(
        lecture=LectureFactory(), language="sv", file=vtt_upload(CAPTIONS_SV.encode())
    )

    track.full_clean()


# --- Quiz questions --------------------------------------------------------------------------


def question_value(block, item: dict):
    """The block's Python value for a raw question item, as a saved quiz would hold it."""
    return block.to_python(item["value"])


def test_a_single_choice_question_with_two_correct_choices_is_refused():
    block = SingleChoiceQuestionBlock()
    item = single_choice(choices=[choice("Ja", correct=True), choice("Också ja", correct=True)])

    with pytest.raises(StructBlockValidationError) as caught:
        block.clean(question_value(block, item))

    assert "choices" in caught.value.block_errors


def test_a_single_choice_question_with_no_correct_choice_is_refused():
    block = SingleChoiceQuestionBlock()
    item = single_choice(choices=[choice("Nej"), choice("Inte heller")])

    with pytest.raises(StructBlockValidationError):
        block.clean(question_value(block, item))


def test_a_single_choice_question_with_exactly_one_correct_choice_is_accepted():
    block = SingleChoiceQuestionBlock()

    block.clean(question_value(block, single_choice()))


def test_a_multiple_choice_question_with_no_correct_choice_is_refused():
    block = MultipleChoiceQuestionBlock()
    item = multiple_choice(choices=[choice("Nej"), choice("Inte heller"), choice("Aldrig")])

    with pytest.raises(StructBlockValidationError) as caught:
        block.clean(question_value(block, item))

    assert "choices" in caught.value.block_errors


def test_a_multiple_choice_question_with_several_correct_choices_is_accepted():
    block = MultipleChoiceQuestionBlock()

    block.clean(question_value(block, multiple_choice()))


@pytest.mark.django_db
def test_a_quiz_cannot_draw_more_questions_than_its_pool_holds():
    quiz = QuizFactory(questions=[single_choice(), true_false()])
    quiz.draw_count = 3

    with pytest.raises(ValidationError) as caught:
        quiz.clean()

    assert "draw_count" in caught.value.message_dict
    assert "2" in " ".join(caught.value.message_dict["draw_count"])


@pytest.mark.django_db
def test_a_quiz_may_draw_as_many_questions_as_its_pool_holds():
    quiz = QuizFactory(questions=[single_choice(), true_false()])
    quiz.draw_count = 2

    quiz.clean()


@pytest.mark.django_db
def test_the_questions_learners_see_carry_no_answers_feedback_or_explanations():
    quiz = QuizFactory(
        questions=[
            single_choice(
                "Vilken lag gäller?",
                [
                    choice("Diskrimineringslagen", correct=True, feedback="FEEDBACK-RÄTT"),
                    choice("Trafikförordningen", feedback="FEEDBACK-FEL"),
                ],
                explanation="<p>FÖRKLARING-1</p>",
            ),
            multiple_choice(explanation="<p>FÖRKLARING-2</p>"),
            true_false(
                feedback_true="FEEDBACK-SANT",
                feedback_false="FEEDBACK-FALSKT",
                explanation="<p>FÖRKLARING-3</p>",
            ),
        ]
    )
    quiz = Quiz.objects.get(pk=quiz.pk)

    public = quiz.public_questions()

    assert [q["text"] for q in public] == [
        "Vilken lag gäller?",
        "Vilka är nationella minoriteter?",
        "Sverige har fem nationella minoriteter.",
    ]
    assert [c["text"] for c in public[0]["choices"]] == [
        "Diskrimineringslagen",
        "Trafikförordningen",
    ]
    assert public[1]["multiple"] is True
    assert [c["id"] for c in public[2]["choices"]] == ["true", "false"]
    flat = repr(public)
    for secret in ("correct", "feedback", "explanation", "FEEDBACK", "FÖRKLARING"):
        assert secret not in flat
    for question in public:
        assert set(question) == {"id", "type", "text", "multiple", "choices"}
        for item in question["choices"]:
            assert set(item) == {"id", "text"}
