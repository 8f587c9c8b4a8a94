"""Captions before publishing (issue 25, WCAG 1.2.2): a module cannot be published with a
lecture that has no Swedish captions, and a lecture shown in a live module cannot lose
them. The rule (modules.caption_duty) is asked from both admin forms; tested through the
admin as an editor posts them, and through the service."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from wagtail.models import Page
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from tests.factories import (
    CAPTIONS_SV,
    CaptionTrackFactory,
    CourseIndexPageFactory,
    CoursePageFactory,
    HomePageFactory,
    LectureFactory,
    ModulePageFactory,
    lecture_step,
    lecture_with_captions,
    reading_step,
)
from wagtail_learning.modules.caption_duty import (
    check_lecture_keeps_captions,
    check_module_may_publish,
    live_modules_using,
)
from wagtail_learning.modules.models import LectureCaptionTrack, ModulePage


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def course(db):
    home = HomePageFactory()
    return CoursePageFactory(parent=CourseIndexPageFactory(parent=home), title="Likabehandling")


def uncaptioned(**kwargs):
    """A lecture with English subtitles and Swedish descriptions, but no Swedish captions."""
    lecture = LectureFactory(title="Lagen utan text", **kwargs)
    CaptionTrackFactory(lecture=lecture, language="en", kind="subtitles", is_default=None)
    CaptionTrackFactory(lecture=lecture, language="sv", kind="descriptions", is_default=None)
    return lecture


# --- The service --------------------------------------------------------------------------------


def test_a_module_with_a_lecture_without_swedish_captions_may_not_be_published(course):
    module = ModulePageFactory(parent=course, title="Grunderna", live=False)
    captioned = lecture_with_captions(title="Med text")

    with pytest.raises(ValidationError) as caught:
        check_module_may_publish(module, [captioned, uncaptioned(), None])

    assert caught.value.messages == [
        "The lecture “Lagen utan text” has no Swedish captions, so “Grunderna” cannot be "
        "published. Add a Swedish caption track to the lecture (Learning content › Lecture "
        "library) and publish again."
    ]


def test_a_module_whose_lectures_all_have_swedish_captions_may_be_published(course):
    module = ModulePageFactory(parent=course, live=False)

    check_module_may_publish(module, [lecture_with_captions(), lecture_with_captions()])


def test_a_lecture_in_a_live_module_may_not_be_left_without_swedish_captions(course):
    lecture = lecture_with_captions()
    ModulePageFactory(parent=course, title="Grunderna", steps=[lecture_step(lecture)])
    ModulePageFactory(parent=course, title="Utkastet", steps=[lecture_step(lecture)], live=False)

    with pytest.raises(ValidationError) as caught:
        check_lecture_keeps_captions(lecture, tracks=[("en", "captions"), ("sv", "descriptions")])

    assert caught.value.messages == [
        "The lecture is used in the live module “Grunderna” and must keep its Swedish "
        "captions. Add a Swedish caption track, or remove the lecture from the module first."
    ]
    check_lecture_keeps_captions(lecture, tracks=[("sv", "subtitles")])


def test_a_lecture_used_only_in_drafts_may_be_without_captions(course):
    lecture = lecture_with_captions()
    ModulePageFactory(parent=course, steps=[lecture_step(lecture)], live=False)
    ModulePageFactory(parent=course, steps=[reading_step()])

    check_lecture_keeps_captions(lecture, tracks=[])

    assert live_modules_using(lecture) == []


def test_live_modules_using_a_lecture_are_found_by_its_id_not_a_prefix_of_it(course):
    lecture = lecture_with_captions()
    others = [LectureFactory() for _ in range(11)]  # ids 1 and 11 share a prefix
    ModulePageFactory(parent=course, title="Andra", steps=[lecture_step(o) for o in others])
    mine = ModulePageFactory(parent=course, title="Min", steps=[lecture_step(lecture)])

    assert [m.pk for m in live_modules_using(lecture)] == [mine.pk]


# --- Publishing a module in the admin ------------------------------------------------------------


def module_form(module, lecture, **extra) -> dict:
    return nested_form_data(
        {
            "title": module.title,
            "slug": module.slug,
            "level": "1",
            "estimated_minutes": "",
            "summary": "",
            "steps": streamfield(
                [("lecture", {"lecture": lecture.pk, "required_share": "90", "required": "on"})]
            ),
            "required_for_course": "on",
            "available_from": "",
            "comments": inline_formset([]),
            **extra,
        }
    )


def edit_url(page) -> str:
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


@pytest.mark.django_db
def test_publishing_a_module_with_an_uncaptioned_lecture_is_refused_naming_it(
    editor_client, course
):
    module = ModulePageFactory(parent=course, title="Grunderna", steps=[reading_step()])
    lecture = uncaptioned()

    response = editor_client.post(
        edit_url(module), module_form(module, lecture, **{"action-publish": "action-publish"})
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "The lecture “Lagen utan text” has no Swedish captions" in html
    live = ModulePage.objects.get(pk=module.pk)
    assert [block.block_type for block in live.steps] == ["reading"]  # still the old content
    assert live.live_revision_id == module.live_revision_id


@pytest.mark.django_db
def test_a_new_module_with_an_uncaptioned_lecture_cannot_be_published_at_once(
    editor_client, course
):
    lecture = uncaptioned()
    url = reverse("wagtailadmin_pages:add", args=["modules", "modulepage", course.pk])
    draft = ModulePage(title="Ny modul", slug="ny-modul")

    response = editor_client.post(
        url, module_form(draft, lecture, **{"action-publish": "action-publish"})
    )

    assert response.status_code == 200
    assert "“Ny modul” cannot be published" in response.content.decode()
    assert not Page.objects.filter(slug="ny-modul").exists()


@pytest.mark.django_db
def test_the_same_module_may_be_saved_as_a_draft_and_published_once_captioned(
    editor_client, course
):
    module = ModulePageFactory(parent=course, title="Grunderna", steps=[reading_step()])
    lecture = uncaptioned()

    saved = editor_client.post(edit_url(module), module_form(module, lecture))
    assert saved.status_code == 302
    assert ModulePage.objects.get(pk=module.pk).has_unpublished_changes

    CaptionTrackFactory(lecture=lecture, language="sv", kind="captions")
    published = editor_client.post(
        edit_url(module), module_form(module, lecture, **{"action-publish": "action-publish"})
    )

    assert published.status_code == 302
    live = ModulePage.objects.get(pk=module.pk)
    assert [block.value["lecture"].pk for block in live.steps] == [lecture.pk]


# --- Editing the lecture in the admin ------------------------------------------------------------


def lecture_form(lecture, tracks: list[dict], initial: int) -> dict:
    return nested_form_data(
        {
            "title": lecture.title,
            "duration": "12:30",
            "description": "",
            "speakers": "",
            "organiser": "",
            "recorded_on": "",
            "poster": "",
            "transcript": "",
            "caption_tracks": inline_formset(tracks, initial=initial),
            "chapters": inline_formset([]),
        }
    )


def existing(track, **changes) -> dict:
    return {
        "id": track.pk,
        "language": track.language,
        "kind": track.kind,
        "label": "",
        "is_default": "",
        "file": "",
        **changes,
    }


def lecture_edit_url(lecture) -> str:
    return reverse("wagtailsnippets_modules_lecture:edit", args=[lecture.pk])


@pytest.mark.django_db
def test_removing_the_swedish_captions_of_a_lecture_in_a_live_module_is_refused(
    editor_client, course
):
    lecture = LectureFactory(title="Lagen")
    swedish = CaptionTrackFactory(lecture=lecture)
    ModulePageFactory(parent=course, title="Grunderna", steps=[lecture_step(lecture)])

    response = editor_client.post(
        lecture_edit_url(lecture), lecture_form(lecture, [existing(swedish, DELETE="1")], 1)
    )

    assert response.status_code == 200
    assert "used in the live module “Grunderna”" in response.content.decode()
    assert LectureCaptionTrack.objects.filter(pk=swedish.pk).exists()


@pytest.mark.django_db
def test_turning_the_swedish_captions_into_english_is_refused_too(editor_client, course):
    lecture = LectureFactory(title="Lagen")
    swedish = CaptionTrackFactory(lecture=lecture)
    ModulePageFactory(parent=course, title="Grunderna", steps=[lecture_step(lecture)])

    response = editor_client.post(
        lecture_edit_url(lecture), lecture_form(lecture, [existing(swedish, language="en")], 1)
    )

    assert response.status_code == 200
    assert "used in the live module “Grunderna”" in response.content.decode()
    assert LectureCaptionTrack.objects.get(pk=swedish.pk).language == "sv"


@pytest.mark.django_db
def test_replacing_the_swedish_track_in_one_save_is_allowed(editor_client, course):
    lecture = LectureFactory(title="Lagen")
    old = CaptionTrackFactory(lecture=lecture)
    ModulePageFactory(parent=course, title="Grunderna", steps=[lecture_step(lecture)])
    new = {
        "language": "sv",
        "kind": "subtitles",
        "label": "Svenska (ny)",
        "is_default": "",
        "file": SimpleUploadedFile("ny.vtt", CAPTIONS_SV.encode(), "text/vtt"),
    }

    response = editor_client.post(
        lecture_edit_url(lecture), lecture_form(lecture, [existing(old, DELETE="1"), new], 1)
    )

    assert response.status_code == 302
    assert list(lecture.caption_tracks.values_list("label", flat=True)) == ["Svenska (ny)"]


@pytest.mark.django_db
def test_a_lecture_in_no_live_module_may_lose_its_captions(editor_client, course):
    lecture = LectureFactory(title="Lagen")
    swedish = CaptionTrackFactory(lecture=lecture)
    ModulePageFactory(parent=course, steps=[lecture_step(lecture)], live=False)

    response = editor_client.post(
        lecture_edit_url(lecture), lecture_form(lecture, [existing(swedish, DELETE="1")], 1)
    )

    assert response.status_code == 302
    assert not lecture.caption_tracks.exists()


# --- Bulk publishing in the page listing ---------------------------------------------------------


def bulk_publish_url(*pages, next_url="/admin/pages/") -> str:
    url = reverse("wagtail_bulk_action", args=("wagtailcore", "page", "publish"))
    return url + "?" + "&".join(f"id={p.pk}" for p in pages) + f"&next={next_url}"


@pytest.mark.django_db
def test_bulk_publishing_a_draft_module_with_an_uncaptioned_lecture_is_refused(
    editor_client, course
):
    lecture = uncaptioned()
    draft = ModulePageFactory(
        parent=course, title="Utkastet", steps=[lecture_step(lecture)], live=False
    )
    draft.save_revision()

    response = editor_client.post(bulk_publish_url(draft), follow=True)

    shown = [str(m) for m in response.context["messages"]]
    assert any("“Lagen utan text” has no Swedish captions, so “Utkastet”" in m for m in shown)
    assert not ModulePage.objects.get(pk=draft.pk).live


@pytest.mark.django_db
def test_bulk_publishing_a_course_with_its_draft_modules_checks_the_modules(editor_client, course):
    lecture = uncaptioned()
    draft = ModulePageFactory(
        parent=course, title="Utkastet", steps=[lecture_step(lecture)], live=False
    )
    draft.save_revision()
    course.save_revision()

    response = editor_client.post(
        bulk_publish_url(course), {"include_descendants": "on"}, follow=True
    )

    shown = [str(m) for m in response.context["messages"]]
    assert any("so “Utkastet” cannot be published" in m for m in shown)
    assert not ModulePage.objects.get(pk=draft.pk).live


@pytest.mark.django_db
def test_bulk_publishing_a_module_whose_lectures_are_captioned_goes_through(editor_client, course):
    draft = ModulePageFactory(
        parent=course, steps=[lecture_step(lecture_with_captions())], live=False
    )
    draft.save_revision()

    response = editor_client.post(bulk_publish_url(draft))

    assert response.status_code == 302
    assert ModulePage.objects.get(pk=draft.pk).live
