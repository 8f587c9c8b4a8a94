"""The caption editor: the lecture's owner's editors correct a cue beside the video; the
file is checked again, the change is logged on the lecture, learners see it; other
editors cannot open it (decision 0035)."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from wagtail.models import ModelLogEntry
from wagtail.users.models import UserProfile

from tests.factories import (
    CAPTIONS_SV,
    CaptionTrackFactory,
    CourseIndexPageFactory,
    CoursePageFactory,
    HomePageFactory,
    LectureFactory,
    ModulePageFactory,
    UserFactory,
    enrolled_learner,
    lecture_step,
    org_unit,
    route,
)
from wagtail_learning.modules.captions import digest
from wagtail_learning.modules.models import LectureCaptionTrack
from wagtail_learning.org.models import EditorialGroup

PERMISSIONS = ["access_admin", "add_lecture", "change_lecture", "view_lecture"]


def editor_for(organisation, name: str):
    group = Group.objects.create(name=name)
    group.permissions.add(*Permission.objects.filter(codename__in=PERMISSIONS))
    EditorialGroup.objects.create(group=group, organisation=organisation)
    user = UserFactory()
    user.groups.add(group)
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


@pytest.fixture
def world(db):
    sundbyberg, huddinge = org_unit("Sundbybergs stad"), org_unit("Huddinge kommun")
    lecture = LectureFactory(title="Samer i Sverige", owner=sundbyberg)
    track = CaptionTrackFactory(lecture=lecture)
    return {
        "lecture": lecture,
        "track": track,
        "owner_editor": editor_for(sundbyberg, "Redaktörer Sundbyberg"),
        "other_editor": editor_for(huddinge, "Redaktörer Huddinge"),
    }


def editor_url(lecture) -> str:
    return reverse("wagtailsnippets_modules_lecture:captions", args=[lecture.pk])


def cue_post(track, number: int, start: str, end: str, text: str, seen: str | None = None):
    return {
        "number": str(number),
        "seen": seen if seen is not None else digest(track.read_text()),
        "start": start,
        "end": end,
        "text": text,
    }


def test_the_owners_editor_sees_each_cue_beside_the_video(client, world):
    client.force_login(world["owner_editor"])

    response = client.get(editor_url(world["lecture"]))

    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    video = soup.select_one("[data-caption-editor] video source")
    assert video["src"] == reverse(
        "wagtailsnippets_modules_lecture:captions_video", args=[world["lecture"].pk]
    )
    cues = soup.select("li.caption-cue")
    assert [cue.select_one("textarea").get_text() for cue in cues] == [
        "Välkommen till föreläsningen om mänskliga rättigheter.",
        "Vi börjar med diskrimineringslagens sju grunder.",
    ]
    assert cues[1].select_one("input[name=start]")["value"] == "00:00:04.500"
    # A line longer than 42 characters is pointed out beside its cue.
    assert "A line of 54 characters" in cues[0].get_text()
    assert client.get(video["src"]).status_code == 200


def test_another_organisations_editor_cannot_open_the_editor_nor_its_video(client, world):
    client.force_login(world["other_editor"])
    lecture = world["lecture"]

    video = reverse("wagtailsnippets_modules_lecture:captions_video", args=[lecture.pk])
    track = reverse(
        "wagtailsnippets_modules_lecture:captions_track", args=[lecture.pk, world["track"].pk]
    )
    for response in [
        client.get(editor_url(lecture)),
        client.post(
            editor_url(lecture), cue_post(world["track"], 1, "00:00:00.000", "00:00:01.000", "Nej")
        ),
        client.get(video),
        client.get(track),
    ]:
        # Wagtail's refusal: back to the dashboard with "Sorry, you do not have permission".
        assert response.status_code == 302 and response.url == reverse("wagtailadmin_home")
    assert LectureCaptionTrack.objects.get(pk=world["track"].pk).read_text() == CAPTIONS_SV


def test_a_corrected_cue_is_stored_logged_and_shown_to_learners(client, world):
    lecture, track = world["lecture"], world["track"]
    home = HomePageFactory()
    course = CoursePageFactory(parent=CourseIndexPageFactory(parent=home))
    step = lecture_step(lecture)
    module = ModulePageFactory(parent=course, steps=[step])
    client.force_login(world["owner_editor"])

    response = client.post(
        editor_url(lecture),
        cue_post(track, 2, "00:00:04.600", "00:00:09.000", "Vi börjar med lagens\nsju grunder."),
    )

    assert response.status_code == 302
    assert response.url.endswith("#cue-2")
    stored = LectureCaptionTrack.objects.get(pk=track.pk)
    assert stored.read_text() == (
        "WEBVTT\n\n1\n00:00:00.000 --> 00:00:04.000\n"
        "Välkommen till föreläsningen om mänskliga rättigheter.\n\n"
        "2\n00:00:04.600 --> 00:00:09.000\nVi börjar med lagens\nsju grunder.\n"
    )
    entry = ModelLogEntry.objects.get(action="modules.correct_cue")
    assert entry.object_id == str(lecture.pk)
    assert entry.user_id == world["owner_editor"].pk
    assert entry.data["before"]["text"] == "Vi börjar med diskrimineringslagens sju grunder."
    assert entry.data["after"]["start"] == "00:00:04.600"
    history = client.get(reverse("wagtailsnippets_modules_lecture:history", args=[lecture.pk]))
    assert "Caption cue corrected" in history.content.decode()

    client.force_login(enrolled_learner(course))
    page = client.get(route(module, "step", step["id"]))
    transcript = BeautifulSoup(page.content, "html.parser").select_one("details.transcript")
    assert "Vi börjar med lagens sju grunder." in transcript.get_text()


def test_a_correction_that_makes_cues_overlap_is_refused_naming_them(client, world):
    lecture, track = world["lecture"], world["track"]
    client.force_login(world["owner_editor"])

    response = client.post(
        editor_url(lecture), cue_post(track, 2, "00:00:03.000", "00:00:09.000", "Krock")
    )

    assert response.status_code == 400
    soup = BeautifulSoup(response.content, "html.parser")
    invalid = soup.select_one("li.caption-cue-invalid")
    assert invalid["id"] == "cue-2"
    assert "cue 1 at 00:00:00.000 has ended" in invalid.get_text()
    assert invalid.select_one("input[name=start]")["value"] == "00:00:03.000"  # as typed
    assert LectureCaptionTrack.objects.get(pk=track.pk).read_text() == CAPTIONS_SV
    assert not ModelLogEntry.objects.filter(action="modules.correct_cue").exists()


def test_a_cue_past_the_end_of_the_video_is_refused(client, world):
    lecture, track = world["lecture"], world["track"]  # 12:30
    client.force_login(world["owner_editor"])

    response = client.post(
        editor_url(lecture), cue_post(track, 2, "00:00:04.500", "00:13:00.000", "Sent")
    )

    assert response.status_code == 400
    assert "after the video (00:12:30.000)" in response.content.decode()


def test_a_timing_that_is_not_a_time_is_a_field_error(client, world):
    lecture, track = world["lecture"], world["track"]
    client.force_login(world["owner_editor"])

    response = client.post(editor_url(lecture), cue_post(track, 1, "fyra", "00:00:04.000", "X"))

    assert response.status_code == 400
    assert "Give a time like" in response.content.decode()
    assert LectureCaptionTrack.objects.get(pk=track.pk).read_text() == CAPTIONS_SV


def test_a_correction_made_on_captions_changed_since_is_refused(client, world):
    lecture, track = world["lecture"], world["track"]
    client.force_login(world["owner_editor"])
    seen = digest(track.read_text())
    first = cue_post(track, 1, "00:00:00.000", "00:00:04.000", "Första ändringen", seen=seen)
    assert client.post(editor_url(lecture), first).status_code == 302

    second = cue_post(track, 2, "00:00:04.500", "00:00:09.000", "Andra ändringen", seen=seen)
    response = client.post(editor_url(lecture), second)

    assert response.status_code == 400
    assert "changed by someone else" in response.content.decode()
    assert "Första ändringen" in LectureCaptionTrack.objects.get(pk=track.pk).read_text()
    assert "Andra ändringen" not in LectureCaptionTrack.objects.get(pk=track.pk).read_text()


def test_text_that_would_break_the_file_is_refused(client, world):
    lecture, track = world["lecture"], world["track"]
    client.force_login(world["owner_editor"])

    response = client.post(
        editor_url(lecture),
        cue_post(track, 1, "00:00:00.000", "00:00:04.000", "Hej\n00:00:05.000 --> 00:00:06.000"),
    )

    assert response.status_code == 400
    assert "put an empty line before each cue" in response.content.decode()
    assert LectureCaptionTrack.objects.get(pk=track.pk).read_text() == CAPTIONS_SV
