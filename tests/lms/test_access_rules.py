"""Access rules tests/lms/test_access_matrix.py does not reach (lms/access.py): an editor who
is also enrolled, where a refusal points the visitor, and what a refused file says."""

from dataclasses import dataclass

import pytest

from tests.factories import (
    CoursePageFactory,
    LectureFactory,
    ModulePageFactory,
    UserFactory,
    completed_module,
    editor_of,
    enrol,
    in_english,
    lecture_step,
    reading_step,
    route,
)
from wagtail_learning.lms import api as lms
from wagtail_learning.lms.models import StepProgress

EDITOR_MESSAGE = "You are viewing this module as an editor; enrol to record progress."


@dataclass
class Course:
    course: object
    first: object  # the prerequisite
    module: object  # locked until `first` is completed
    reading: str
    lecture: str


@pytest.fixture
def world():
    course = CoursePageFactory(title="Mänskliga rättigheter")
    first = ModulePageFactory(parent=course, title="Grunder", steps=[reading_step()])
    module = ModulePageFactory(
        parent=course,
        title="Fördjupning",
        prerequisites=[first],
        steps=[reading_step("Läs vidare"), lecture_step(LectureFactory())],
    )
    reading, lecture = (block.id for block in module.steps)
    return Course(course, first, module, reading, lecture)


@pytest.fixture
def enrolled_editor(world):
    editor = editor_of(world.course)
    enrol(editor, world.course)
    return editor


# --- An editor who is also enrolled ---------------------------------------------------------


@pytest.mark.django_db
def test_an_enrolled_editor_may_look_at_a_module_still_locked_for_them(world, enrolled_editor):
    decision = lms.check_module_access(user=enrolled_editor, module=world.module)

    assert decision.allowed
    assert decision.as_editor
    assert decision.cycle == 1


@pytest.mark.django_db
def test_an_enrolled_editor_records_nothing_in_a_module_still_locked_for_them(
    client, world, enrolled_editor
):
    client.force_login(enrolled_editor)
    in_english(client)

    page = client.get(route(world.module, "step", world.reading))
    done = client.post(route(world.module, "step", world.reading))

    assert page.status_code == 200
    assert done.status_code == 403
    assert EDITOR_MESSAGE in done.content.decode()
    with pytest.raises(lms.AccessDenied, match="as an editor"):
        lms.complete_step(enrolled_editor, module=world.module, step_id=world.reading)
    assert not StepProgress.objects.filter(user=enrolled_editor).exists()


@pytest.mark.django_db
def test_once_the_module_unlocks_an_enrolled_editor_learns_like_anyone(world, enrolled_editor):
    completed_module(enrolled_editor, world.first)

    decision = lms.check_module_access(user=enrolled_editor, module=world.module)
    completed = lms.complete_step(enrolled_editor, module=world.module, step_id=world.reading)

    assert decision.allowed
    assert not decision.as_editor
    assert completed
    assert StepProgress.objects.filter(user=enrolled_editor, completed_at__isnull=False).exists()


@pytest.mark.django_db
def test_an_enrolled_editor_of_another_course_is_held_to_the_lock(world):
    learner = editor_of(CoursePageFactory())
    enrol(learner, world.course)

    decision = lms.check_module_access(user=learner, module=world.module)

    assert not decision.allowed
    assert decision.reason == "locked_prerequisites"
    assert decision.blocking == [world.first]


# --- Where a refusal points --------------------------------------------------------------------


@pytest.mark.django_db
def test_a_visitor_not_enrolled_is_pointed_to_the_course_to_enrol_in(client, world):
    visitor = UserFactory()
    client.force_login(visitor)
    in_english(client)

    decision = lms.check_module_access(user=visitor, module=world.first)
    page = client.get(world.first.url).content.decode()

    assert decision.reason == "not_enrolled"
    assert [p.pk for p in decision.blocking] == [world.course.pk]
    notice = page.split('class="notice notice-locked"')[1].split("</div>")[0]
    assert f'<li><a href="{world.course.url}">{world.course.title}</a></li>' in notice


# --- What a refused file says -------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("not_enrolled", "Enrol in the course to open its modules."),
        ("locked", "Complete Grunder first."),
    ],
)
def test_a_refused_video_says_why(client, world, who, message):
    user = UserFactory()
    if who == "locked":
        enrol(user, world.course)
    client.force_login(user)
    in_english(client)

    response = client.get(route(world.module, "video", world.lecture))

    assert response.status_code == 403
    assert response.content.decode() == message
