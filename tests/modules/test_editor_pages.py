"""What an editor meets around modules: caption tracks that start on in Swedish, a
prerequisite chooser grouped by course where a draft may be chosen (and what learners are
told while it is a draft), and previews whose step links can be followed."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import translation

from tests.factories import (
    CaptionTrackFactory,
    CoursePageFactory,
    LectureFactory,
    ModulePageFactory,
    enrolled_learner,
    lecture_step,
    reading_step,
)
from wagtail_learning.modules.models import ModulePage

pytestmark = pytest.mark.django_db


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def step_address(module, index: int = 0) -> str:
    return module.url + module.reverse_subpage("step", args=[module.steps[index].id])


# --- 4. Caption tracks ------------------------------------------------------------------


def tracks_on_by_default(client, tracks: list[dict]) -> list[str]:
    lecture = LectureFactory()
    for number, options in enumerate(tracks):
        CaptionTrackFactory(lecture=lecture, sort_order=number, **options)
    course = CoursePageFactory()
    module = ModulePageFactory(parent=course, steps=[lecture_step(lecture)])
    client.force_login(enrolled_learner(course))
    page = soup(client.get(step_address(module)))
    return [track["srclang"] for track in page.select("video track") if track.has_attr("default")]


def test_the_first_swedish_track_is_on_when_the_editor_chose_nothing(client):
    assert tracks_on_by_default(
        client, [{"language": "en", "is_default": None}, {"language": "sv", "is_default": None}]
    ) == ["sv"]


def test_a_track_the_editor_turned_on_wins_over_swedish(client):
    assert tracks_on_by_default(
        client, [{"language": "sv", "is_default": None}, {"language": "en", "is_default": True}]
    ) == ["en"]


def test_a_swedish_track_the_editor_turned_off_stays_off(client):
    assert (
        tracks_on_by_default(
            client,
            [{"language": "sv", "is_default": False}, {"language": "en", "is_default": None}],
        )
        == []
    )


# --- 5. Prerequisites ---------------------------------------------------------------------


@pytest.fixture
def two_courses():
    equality = CoursePageFactory(title="Jämlikhet")
    minorities = CoursePageFactory(title="Nationella minoriteter")
    basic = ModulePageFactory(parent=equality, title="Grundmodul", steps=[reading_step()])
    draft = ModulePageFactory(parent=minorities, title="Samer i Sverige", steps=[reading_step()])
    draft.unpublish()
    target = ModulePageFactory(parent=equality, title="Fördjupning", steps=[reading_step()])
    return basic, ModulePage.objects.get(pk=draft.pk), target


def test_the_prerequisite_chooser_groups_modules_by_course_offers_drafts_and_searches(
    editor_client, two_courses
):
    basic, draft, target = two_courses

    page = soup(editor_client.get(reverse("wagtailadmin_pages:edit", args=[target.pk])))

    chooser = page.select_one("[data-prerequisite-chooser]")
    groups = {
        group.legend.get_text(strip=True): [
            label.get_text(" ", strip=True) for label in group.select("label")
        ]
        for group in chooser.select("fieldset")
    }
    assert groups["Jämlikhet"] == ["Grundmodul"]  # not the module itself
    assert groups["Nationella minoriteter"] == ["Samer i Sverige (draft: locks until published)"]
    assert chooser.select_one("input[type=search][data-prerequisite-search]")
    assert "A draft may be chosen" in page.get_text()


def test_a_draft_prerequisite_keeps_the_module_locked_and_the_learner_is_told_why(
    client, two_courses
):
    _basic, draft, target = two_courses
    target.prerequisites.set([draft])
    target.save()
    client.force_login(enrolled_learner(target.get_parent().specific))

    response = client.get(target.url)

    assert response.status_code == 403
    text = soup(response).get_text(" ", strip=True)
    assert "Samer i Sverige är inte publicerad än; den här modulen förblir låst" in text
    assert soup(response).find("a", string="Samer i Sverige") is None  # no link to a 404


def test_saving_a_module_with_a_draft_prerequisite_tells_the_editor(rf, two_courses):
    from django.contrib.messages.storage.fallback import FallbackStorage

    from wagtail_learning.modules.wagtail_hooks import tell_the_editor_about_draft_prerequisites

    _basic, draft, target = two_courses
    target.prerequisites.set([draft])
    request = rf.post("/")
    request.session = {}
    request._messages = FallbackStorage(request)

    with translation.override("en"):
        tell_the_editor_about_draft_prerequisites(request, target)

    [message] = list(request._messages)
    assert "Samer i Sverige is not published yet" in str(message)
    assert message.level_tag == "warning"


# --- 6. Walkable previews --------------------------------------------------------------------


def test_a_draft_modules_preview_links_to_its_steps_within_the_preview(editor_client):
    course = CoursePageFactory(title="Jämlikhet")
    module = ModulePageFactory(
        parent=course,
        title="Utkastmodul",
        steps=[reading_step("Första steget"), reading_step("Andra steget")],
    )
    module.unpublish()
    module = ModulePage.objects.get(pk=module.pk)
    module.save_revision()
    first, second = (block.id for block in module.steps)
    draft_url = reverse("wagtailadmin_pages:view_draft", args=[module.pk])

    overview = soup(editor_client.get(draft_url))
    link = overview.find("a", string="Första steget")
    assert link["href"] == f"?mode=step%3A{first}"

    step = editor_client.get(draft_url + link["href"])
    assert step.status_code == 200
    page = soup(step)
    assert page.h1.get_text(strip=True) == "Första steget"
    assert page.select_one("a[rel=next]")["href"] == f"?mode=step%3A{second}"

    # Outside the preview the draft's step has no address yet.
    assert editor_client.get(f"{course.url}utkastmodul/steg/{first}/").status_code == 404


def test_a_course_preview_leads_to_the_preview_of_its_modules(editor_client):
    course = CoursePageFactory(title="Jämlikhet")
    module = ModulePageFactory(parent=course, title="Grundmodul", steps=[reading_step()])
    course.save_revision()

    page = soup(editor_client.get(reverse("wagtailadmin_pages:view_draft", args=[course.pk])))

    link = page.find("a", string="Grundmodul")
    assert link["href"] == reverse("wagtailadmin_pages:view_draft", args=[module.pk])
