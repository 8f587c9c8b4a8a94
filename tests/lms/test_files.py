"""Protected files reach only learners with access, and video can be sought (HTTP Range)."""

from urllib.parse import quote

import pytest

from tests.factories import (
    CAPTIONS_SV,
    VIDEO_BYTES,
    CaptionTrackFactory,
    DocumentFactory,
    ModulePageFactory,
    UserFactory,
    document_step,
    enrolled_learner,
    lecture_step,
    lecture_with_captions,
    reading_step,
    route,
)
from wagtail_learning.lms.http.files import RangeNotSatisfiable, parse_range_header

SIZE = len(VIDEO_BYTES)


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


# --- parse_range_header ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-1", (0, 1)),
        ("bytes=10-", (10, 99)),
        ("bytes=-5", (95, 99)),
        ("bytes=-500", (0, 99)),  # a suffix longer than the file is the whole file
        ("bytes=50-500", (50, 99)),  # an end past the file is clipped
        ("bytes=99-99", (99, 99)),
        (" bytes = 3 - 4 ", (3, 4)),
    ],
)
def test_a_single_byte_range_is_read_as_inclusive_first_and_last_byte(header, expected):
    assert parse_range_header(header, 100) == expected


@pytest.mark.parametrize(
    "header",
    ["bytes=5-2", "bytes=0-1,5-6", "bytes=-", "items=0-1", "bytes=a-b", "0-1", ""],
)
def test_a_malformed_or_multi_range_header_means_send_the_whole_file(header):
    assert parse_range_header(header, 100) is None


@pytest.mark.parametrize(("header", "size"), [("bytes=100-", 100), ("bytes=-0", 100)])
def test_a_range_past_the_end_or_of_zero_length_cannot_be_satisfied(header, size):
    with pytest.raises(RangeNotSatisfiable):
        parse_range_header(header, size)


@pytest.mark.parametrize("header", ["bytes=0-", "bytes=-5", "bytes=0-0"])
def test_no_range_of_an_empty_file_can_be_satisfied(header):
    with pytest.raises(RangeNotSatisfiable):
        parse_range_header(header, 0)


# --- Through a module's routes -------------------------------------------------------------


@pytest.fixture
def lecture():
    return lecture_with_captions()


@pytest.fixture
def document():
    return DocumentFactory(title="Likabehandlingsplan")


@pytest.fixture
def module(lecture, document):
    return ModulePageFactory(steps=[lecture_step(lecture), reading_step(), document_step(document)])


@pytest.fixture
def lecture_step_id(module):
    return module.steps[0].id


@pytest.fixture
def video_url(module, lecture_step_id):
    return route(module, "video", lecture_step_id)


@pytest.fixture
def learner_client(client, module):
    client.force_login(enrolled_learner(module.get_parent()))
    return client


@pytest.mark.django_db
def test_the_whole_video_comes_with_its_length_and_an_offer_of_ranges(learner_client, video_url):
    response = learner_client.get(video_url)

    assert response.status_code == 200
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Length"] == str(SIZE)
    assert response["Content-Type"] == "video/webm"
    assert body(response) == VIDEO_BYTES


@pytest.mark.django_db
def test_the_first_two_bytes_come_as_partial_content(learner_client, video_url):
    response = learner_client.get(video_url, headers={"range": "bytes=0-1"})

    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 0-1/{SIZE}"
    assert response["Content-Length"] == "2"
    assert body(response) == VIDEO_BYTES[:2]


@pytest.mark.django_db
def test_seeking_asks_for_everything_from_an_offset(learner_client, video_url):
    response = learner_client.get(video_url, headers={"range": "bytes=10-"})

    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 10-{SIZE - 1}/{SIZE}"
    assert body(response) == VIDEO_BYTES[10:]


@pytest.mark.django_db
def test_a_suffix_range_gives_the_last_bytes(learner_client, video_url):
    response = learner_client.get(video_url, headers={"range": "bytes=-5"})

    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {SIZE - 5}-{SIZE - 1}/{SIZE}"
    assert body(response) == VIDEO_BYTES[-5:]


@pytest.mark.django_db
def test_a_range_past_the_end_is_refused_with_the_real_size(learner_client, video_url):
    response = learner_client.get(video_url, headers={"range": f"bytes={SIZE}-"})

    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{SIZE}"


@pytest.mark.django_db
def test_a_malformed_range_gets_the_whole_video(learner_client, video_url):
    response = learner_client.get(video_url, headers={"range": "bytes=zero-one"})

    assert response.status_code == 200
    assert body(response) == VIDEO_BYTES


@pytest.mark.django_db
def test_an_anonymous_visitor_gets_403_and_not_the_video(client, video_url):
    response = client.get(video_url, headers={"range": "bytes=0-1"})

    assert response.status_code == 403
    assert VIDEO_BYTES[:16] not in body(response)


@pytest.mark.django_db
def test_a_learner_not_enrolled_in_the_course_gets_403_for_the_video(client, video_url):
    client.force_login(UserFactory())

    response = client.get(video_url)

    assert response.status_code == 403
    assert VIDEO_BYTES[:16] not in body(response)


@pytest.mark.django_db
def test_a_step_without_a_lecture_has_no_video(learner_client, module):
    response = learner_client.get(route(module, "video", module.steps[1].id))

    assert response.status_code == 404


@pytest.mark.django_db
def test_behind_nginx_the_video_is_handed_over_with_x_accel_redirect(
    learner_client, video_url, lecture, settings
):
    settings.LMS_X_ACCEL_REDIRECT = {"protected": "/_protected/", "default": ""}

    response = learner_client.get(video_url, headers={"range": "bytes=0-1"})

    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == "/_protected/" + quote(lecture.video.name)
    assert response["Content-Type"] == "video/webm"
    assert body(response) == b""


@pytest.mark.django_db
def test_behind_nginx_an_anonymous_visitor_still_gets_403(client, video_url, settings):
    settings.LMS_X_ACCEL_REDIRECT = {"protected": "/_protected/", "default": ""}

    response = client.get(video_url)

    assert response.status_code == 403
    assert not response.has_header("X-Accel-Redirect")


# --- Captions and documents ----------------------------------------------------------------


@pytest.mark.django_db
def test_a_learner_gets_the_captions_as_webvtt(learner_client, module, lecture, lecture_step_id):
    track = lecture.caption_tracks.get()

    response = learner_client.get(route(module, "captions", lecture_step_id, track.pk))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/vtt; charset=utf-8"
    assert body(response).decode("utf-8") == CAPTIONS_SV


@pytest.mark.django_db
def test_an_anonymous_visitor_gets_403_for_the_captions(client, module, lecture, lecture_step_id):
    track = lecture.caption_tracks.get()

    response = client.get(route(module, "captions", lecture_step_id, track.pk))

    assert response.status_code == 403
    assert b"WEBVTT" not in body(response)


@pytest.mark.django_db
def test_captions_of_another_lecture_are_not_served_through_this_step(
    learner_client, module, lecture_step_id
):
    other_track = CaptionTrackFactory()

    response = learner_client.get(route(module, "captions", lecture_step_id, other_track.pk))

    assert response.status_code == 404


@pytest.mark.django_db
def test_a_learner_opens_the_document_of_a_document_step(learner_client, module, document):
    response = learner_client.get(route(module, "document", module.steps[2].id))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "handbok" in response["Content-Disposition"]
    document.file.open("rb")
    with document.file:
        assert body(response) == document.file.read()


@pytest.mark.django_db
def test_an_anonymous_visitor_gets_403_for_the_document(client, module, document):
    response = client.get(route(module, "document", module.steps[2].id))

    assert response.status_code == 403
    assert b"%PDF" not in body(response)
