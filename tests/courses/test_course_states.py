"""The course page shows each module's state for the learner: locked (and why), available,
in progress, completed; unlocking follows prerequisites (in any course) and opening dates."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from tests.factories import (
    CoursePageFactory,
    LectureFactory,
    ModulePageFactory,
    QuizFactory,
    UserFactory,
    completed_module,
    enrol,
    enrolled_learner,
    in_english,
    lecture_step,
    quiz_step,
    reading_step,
    route,
)
from wagtail_learning.lms import api as lms
from wagtail_learning.lms.models import StepProgress


def states(html: str) -> list[str]:
    return re.findall(r'data-module-state="([a-z_]+)"', html)


def item_of(html: str, title: str) -> str:
    """The outline item of the module with this title."""
    for item in re.findall(r'<li class="outline-item".*?</li>', html, re.S):
        if f">{title}<" in item:
            return item
    raise AssertionError(f"no outline item for {title}")


@pytest.fixture
def course():
    return CoursePageFactory(title="Mänskliga rättigheter")


@pytest.fixture
def basics(course):
    return ModulePageFactory(
        parent=course, title="Grunderna", steps=[reading_step(), reading_step()]
    )


@pytest.fixture
def deeper(course, basics):
    return ModulePageFactory(
        parent=course, title="Fördjupningen", steps=[reading_step()], prerequisites=[basics]
    )


@pytest.fixture
def learner(course):
    return enrolled_learner(course)


@pytest.fixture
def learner_client(client, learner):
    client.force_login(learner)
    return in_english(client)


@pytest.mark.django_db
def test_a_module_is_locked_until_its_prerequisite_is_completed(
    learner, learner_client, course, basics, deeper
):
    page = learner_client.get(course.url).content.decode()
    assert states(page) == ["available", "locked"]
    assert "Complete Grunderna first." in item_of(page, "Fördjupningen")
    assert f'href="{deeper.url}"' not in page  # no link into a locked module
    assert learner_client.get(deeper.url).status_code == 403

    for block in basics.steps:
        lms.complete_step(learner, module=basics, step_id=block.id)

    page = learner_client.get(course.url).content.decode()
    assert states(page) == ["completed", "available"]
    assert learner_client.get(deeper.url).status_code == 200


@pytest.mark.django_db
def test_a_prerequisite_in_another_course_locks_until_completed_there(
    learner_client, learner, course
):
    other = CoursePageFactory(title="Introduktion")
    intro = ModulePageFactory(parent=other, title="Introduktionsmodulen", steps=[reading_step()])
    module = ModulePageFactory(
        parent=course, title="Tillämpning", steps=[reading_step()], prerequisites=[intro]
    )

    page = learner_client.get(course.url).content.decode()
    assert states(page) == ["locked"]
    assert "Complete Introduktionsmodulen first." in page
    locked = learner_client.get(module.url)
    assert locked.status_code == 403
    assert f'href="{intro.url}"' in locked.content.decode()  # where to go first

    enrol(learner, other)
    lms.complete_step(learner, module=intro, step_id=intro.steps[0].id)

    assert states(learner_client.get(course.url).content.decode()) == ["available"]
    assert learner_client.get(module.url).status_code == 200


@pytest.mark.django_db
def test_a_module_opening_later_is_locked_with_its_date(learner_client, course):
    opens = timezone.now() + timedelta(days=10)
    ModulePageFactory(parent=course, title="Senare", steps=[reading_step()], available_from=opens)

    page = learner_client.get(course.url).content.decode()

    assert states(page) == ["locked"]
    with translation.override("en"):
        date = date_format(timezone.localtime(opens), "j F Y H:i")
    assert f"Opens {date}." in item_of(page, "Senare")


@pytest.mark.django_db
def test_a_module_that_opened_in_the_past_is_available(learner_client, course):
    ModulePageFactory(
        parent=course,
        title="Öppnad",
        steps=[reading_step()],
        available_from=timezone.now() - timedelta(minutes=1),
    )

    assert states(learner_client.get(course.url).content.decode()) == ["available"]


@pytest.mark.django_db
def test_the_course_page_shows_every_state(learner, learner_client, course, basics, deeper):
    started = ModulePageFactory(
        parent=course, title="Påbörjad", steps=[reading_step(), reading_step()]
    )
    lms.complete_step(learner, module=started, step_id=started.steps[0].id)
    completed_module(learner, basics)

    page = learner_client.get(course.url).content.decode()

    assert states(page) == ["completed", "available", "in_progress"]
    assert "In progress" in item_of(page, "Påbörjad")
    assert 'value="50"' in item_of(page, "Påbörjad")
    assert "Completed " in item_of(page, "Grunderna")


@pytest.mark.django_db
def test_in_swedish_by_default_the_lock_reason_is_shown_in_swedish(client, learner, course, deeper):
    client.force_login(learner)  # no language chosen: the site speaks Swedish

    page = client.get(course.url).content.decode()

    assert '<html lang="sv">' in page
    with translation.override("sv"):
        reason = gettext("Complete %(modules)s first.") % {"modules": "Grunderna"}
    assert reason in item_of(page, "Fördjupningen")
    assert states(page) == ["available", "locked"]


@pytest.mark.django_db
def test_a_visitor_not_enrolled_sees_the_outline_but_no_progress(client, course, basics, deeper):
    client.force_login(UserFactory())
    in_english(client)

    page = client.get(course.url).content.decode()

    assert "Enrol in the course" in page
    assert "Complete Grunderna first." not in page
    assert "In progress" not in page


# --- Cost ------------------------------------------------------------------------------------


def course_with_progress(count: int, learner):
    """`count` modules, each with a lecture, a quiz and a reading; every module after the
    second requires the second. The learner has finished the first module, done a step of
    the second and watched part of every lecture."""
    lecture, quiz = LectureFactory(), QuizFactory()
    course = CoursePageFactory(title=f"Kurs med {count} moduler")
    enrol(learner, course)
    modules = []
    for number in range(count):
        modules.append(
            ModulePageFactory(
                parent=course,
                title=f"Modul {number}",
                steps=[lecture_step(lecture), quiz_step(quiz), reading_step()],
                prerequisites=modules[1:2],
            )
        )
    completed_module(learner, modules[0])
    lms.complete_step(learner, module=modules[1], step_id=modules[1].steps[2].id)
    for module in modules:
        StepProgress.objects.create(
            user=learner,
            module_id=module.pk,
            step_id=module.steps[0].id,
            kind="lecture",
            watched_ranges=[[0, 60]],
            watched_seconds=60,
            duration_seconds=750,
            position_seconds=60,
        )
    return course


def queries(client, url) -> int:
    client.get(url)  # fill the site and URL caches, as any request before would
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.django_db
def test_the_course_page_costs_the_same_with_4_and_40_modules(client, django_assert_num_queries):
    learner = UserFactory()
    small, large = course_with_progress(4, learner), course_with_progress(40, learner)
    client.force_login(learner)
    expected = queries(client, small.url)
    client.get(large.url)

    with django_assert_num_queries(expected):
        response = client.get(large.url)

    assert states(response.content.decode()) == ["completed", "in_progress"] + ["locked"] * 38


@pytest.mark.django_db
def test_a_module_page_shows_its_steps_progress(learner, learner_client, basics):
    lms.complete_step(learner, module=basics, step_id=basics.steps[0].id)

    page = learner_client.get(basics.url).content.decode()

    assert "1/2" in page
    assert f'href="{route(basics, "step", basics.steps[1].id)}"' in page


# --- Enrolment -------------------------------------------------------------------------------


def enrol_url(course) -> str:
    return course.url + course.reverse_subpage("enrol")


@pytest.mark.django_db
def test_a_learner_enrols_with_a_post_and_sees_their_progress(client, course, basics):
    user = UserFactory()
    client.force_login(user)
    in_english(client)
    assert f'action="{enrol_url(course)}"' in client.get(course.url).content.decode()

    response = client.post(enrol_url(course), follow=True)

    page = response.content.decode()
    assert response.redirect_chain == [(course.url, 302)]
    assert "You are enrolled. Welcome to the course!" in page
    assert 'id="course-progress"' in page
    assert lms.get_enrolment(user=user, course_id=course.pk).source == "self"


@pytest.mark.django_db
def test_a_get_to_the_enrol_url_does_not_enrol(client, course):
    user = UserFactory()
    client.force_login(user)

    response = client.get(enrol_url(course))

    assert response.status_code == 405
    assert lms.get_enrolment(user=user, course_id=course.pk) is None


@pytest.mark.django_db
def test_an_assigned_only_course_refuses_self_enrolment_with_a_message(client):
    course = CoursePageFactory(enrolment_mode="assigned")
    user = UserFactory()
    client.force_login(user)
    in_english(client)
    assert (
        "This course is assigned by your organisation." in client.get(course.url).content.decode()
    )

    response = client.post(enrol_url(course), follow=True)

    assert response.status_code == 200
    assert "you cannot enrol yourself" in response.content.decode()
    assert lms.get_enrolment(user=user, course_id=course.pk) is None


@pytest.mark.django_db
def test_enrolling_twice_keeps_one_enrolment(client, course):
    from wagtail_learning.lms.models import Enrolment

    user = UserFactory()
    client.force_login(user)
    in_english(client)
    client.post(enrol_url(course), follow=True)  # shows (and so uses up) the welcome

    again = client.post(enrol_url(course), follow=True)

    assert again.status_code == 200
    assert "You are enrolled." not in again.content.decode()
    assert Enrolment.objects.filter(user=user, course_id=course.pk).count() == 1


@pytest.mark.django_db
def test_an_anonymous_visitor_is_sent_to_log_in_before_enrolling(client, course):
    response = client.post(enrol_url(course))

    assert response.status_code == 302
    assert response["Location"].startswith("/konto/logga-in/")


@pytest.mark.django_db
def test_a_withdrawn_learner_who_enrols_again_is_active_again(course):
    from wagtail_learning.lms.models import Enrolment

    user = UserFactory()
    enrolment, _ = lms.enrol_learner(user, course=course)
    enrolment.status = Enrolment.Status.WITHDRAWN
    enrolment.save()

    again, created = lms.enrol_learner(user, course=course)

    assert not created
    assert again.pk == enrolment.pk
    assert again.status == Enrolment.Status.ACTIVE
