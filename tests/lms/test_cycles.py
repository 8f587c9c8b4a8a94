"""Recertification: a new completion cycle starts a course afresh; history stays."""

import pytest
from wagtail import hooks

from tests.factories import (
    CoursePageFactory,
    ModulePageFactory,
    enrolled_learner,
    reading_step,
)
from wagtail_learning.lms import api as lms
from wagtail_learning.lms.models import Completion, Enrolment, StepProgress

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    course = CoursePageFactory(title="Antidiskriminering")
    ModulePageFactory(parent=course, title="Grundmodul", steps=[reading_step()])
    return course


def finish(user, course, django_capture_on_commit_callbacks):
    module = course.get_lms_modules()[0]
    step_id = module.get_lms_steps()[0].step_id
    with django_capture_on_commit_callbacks(execute=True):
        return lms.complete_step(user, module=module, step_id=step_id)


def fresh(course):
    return type(course).objects.get(pk=course.pk)


def test_a_new_cycle_starts_the_course_afresh_and_keeps_the_old_completion(
    course, django_capture_on_commit_callbacks
):
    learner = enrolled_learner(course)
    finish(learner, fresh(course), django_capture_on_commit_callbacks)
    first = Completion.objects.get(user=learner, page_id=course.pk)

    enrolment = lms.start_new_cycle(Enrolment.objects.get(user=learner))

    progress = lms.get_course_progress(user=learner, course=fresh(course))
    assert enrolment.cycle == 2
    assert progress.completed_at is None
    assert progress.percent == 0
    assert progress.modules[0].state == "available"
    assert Completion.objects.filter(pk=first.pk).exists()  # history stays


def test_completing_again_in_the_new_cycle_records_a_second_completion_and_fires_hooks(
    course, django_capture_on_commit_callbacks
):
    learner = enrolled_learner(course)
    finish(learner, fresh(course), django_capture_on_commit_callbacks)
    lms.start_new_cycle(Enrolment.objects.get(user=learner))
    fired = []

    with hooks.register_temporarily(
        lms.COURSE_COMPLETED, lambda **kw: fired.append(kw["completion"].cycle)
    ):
        assert finish(learner, fresh(course), django_capture_on_commit_callbacks)

    cycles = sorted(
        Completion.objects.filter(user=learner, page_id=course.pk).values_list("cycle", flat=True)
    )
    assert cycles == [1, 2]
    assert fired == [2]
    assert StepProgress.objects.filter(user=learner).count() == 2  # one row per cycle
    assert Enrolment.objects.get(user=learner).status == Enrolment.Status.COMPLETED


def test_a_prerequisite_completed_in_an_earlier_cycle_still_unlocks(
    django_capture_on_commit_callbacks,
):
    course = CoursePageFactory()
    basic = ModulePageFactory(parent=course, title="Grund", steps=[reading_step()])
    advanced = ModulePageFactory(
        parent=course, title="Fördjupning", steps=[reading_step()], prerequisites=[basic]
    )
    learner = enrolled_learner(course)
    with django_capture_on_commit_callbacks(execute=True):
        lms.complete_step(learner, module=basic, step_id=basic.get_lms_steps()[0].step_id)
    lms.start_new_cycle(Enrolment.objects.get(user=learner))

    decision = lms.check_module_access(user=learner, module=advanced)

    assert decision.allowed
    assert decision.cycle == 2


def test_making_a_module_optional_completes_the_course_for_those_who_did_the_rest(
    django_capture_on_commit_callbacks,
):
    course = CoursePageFactory()
    done = ModulePageFactory(parent=course, title="Gjord", steps=[reading_step()])
    skipped = ModulePageFactory(parent=course, title="Överhoppad", steps=[reading_step()])
    learner = enrolled_learner(course)
    with django_capture_on_commit_callbacks(execute=True):
        lms.complete_step(learner, module=done, step_id=done.get_lms_steps()[0].step_id)
    assert not Completion.objects.filter(user=learner, page_id=course.pk).exists()

    skipped.required_for_course = False
    with django_capture_on_commit_callbacks(execute=True):
        skipped.save_revision().publish()

    assert Completion.objects.filter(user=learner, page_id=course.pk).exists()
