"""Adding a course page while Wagtail autosaves the new form (issue 21), at the HTTP level:
the autosave and the Save in both orders. The Save waits for the autosave in flight and then
goes to the edit view the autosave named (static/js/editor-save.js); a late autosave to the
create view is refused with a message, never a 500, and never makes a second page."""

import pytest
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from tests.factories import SuperuserFactory, course_index
from wagtail_learning.courses.models import CoursePage

pytestmark = pytest.mark.django_db

AUTOSAVE = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def editor(client):
    client.force_login(SuperuserFactory())
    return client


def form(**fields) -> dict:
    data = {
        "title": "Tillgänglighet i vården",
        "summary": "En kort kurs.",
        "audience": "",
        "learning_outcomes": rich_text(""),
        "estimated_minutes": "",
        "organiser": "",
        "enrolment_mode": "open",
        # The slug as the editor form fills it in from the title (transliterated).
        "slug": "tillganglighet-i-varden",
        "seo_title": "",
        "search_description": "",
        "go_live_at": "",
        "expire_at": "",
        "comment_notifications": "on",
        "comments": inline_formset([]),
    }
    data.update(fields)
    return nested_form_data(data)


def test_autosave_then_save_makes_one_course_page(editor):
    add = f"/admin/pages/add/courses/coursepage/{course_index().pk}/"
    autosaved = editor.post(add, form(), **AUTOSAVE)
    assert autosaved.json()["success"] is True, autosaved.json()

    saved = editor.post(autosaved.json()["url"], form(summary="En kort kurs om vården."))

    assert saved.status_code == 302
    course = CoursePage.objects.get()
    assert course.slug == "tillganglighet-i-varden"
    assert course.get_latest_revision_as_object().summary == "En kort kurs om vården."


def test_save_then_a_late_autosave_to_the_create_view_is_refused_not_a_500(editor):
    add = f"/admin/pages/add/courses/coursepage/{course_index().pk}/"
    saved = editor.post(add, form())
    assert saved.status_code == 302, saved.context["form"].errors

    late = editor.post(add, form(), **AUTOSAVE)

    assert late.status_code == 400
    assert late.json()["error_code"] == "validation_error"
    assert CoursePage.objects.count() == 1


def test_the_page_editor_holds_save_while_an_autosave_is_in_flight(editor):
    response = editor.get(f"/admin/pages/add/courses/coursepage/{course_index().pk}/")

    assert "w-autosave" in response.content.decode()
    assert "js/editor-save.js" in response.content.decode()
