"""The heartbeat's one-query access check asked directly: it allows exactly what the full
check allows (with the learner's cycle), and answers None (let the page decide) for the
rest, including a learner the course is not for (decision 0033)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import (
    CoursePageFactory,
    LectureFactory,
    ModulePageFactory,
    UserFactory,
    completed_module,
    enrolled_learner,
    learner_profile,
    lecture_step,
    reading_step,
)
from wagtail_learning.lms.access import (
    check_learner_access_in_one_query,
    find_progress_with_learner_access,
)
from wagtail_learning.lms.models import Completion, Enrolment, StepProgress
from wagtail_learning.lms.snapshots import get_module_snapshot
from wagtail_learning.modules.models import ModulePage
from wagtail_learning.org.models import LearnerProfile

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    return CoursePageFactory()


def module_in(course, **kwargs) -> ModulePage:
    module = ModulePageFactory(parent=course, steps=[lecture_step(LectureFactory())], **kwargs)
    return ModulePage.objects.get(pk=module.pk)


def test_an_enrolled_learner_is_allowed_with_their_cycle(course):
    module = module_in(course)
    learner = enrolled_learner(course)
    Enrolment.objects.filter(user=learner).update(cycle=3)

    decision = check_learner_access_in_one_query(
        user=learner, snapshot=get_module_snapshot(module.pk)
    )

    assert decision is not None
    assert (decision.allowed, decision.cycle, decision.as_editor) == (True, 3, False)


def test_an_external_participant_in_a_staff_course_is_left_to_the_page(course):
    module = module_in(course)
    external = UserFactory()
    learner_profile(external, kind=LearnerProfile.Kind.EXTERNAL)
    Enrolment.objects.create(user=external, course_id=course.pk)
    snapshot = get_module_snapshot(module.pk)

    assert check_learner_access_in_one_query(user=external, snapshot=snapshot) is None
    course.open_to_external = True
    course.save_revision().publish()
    snapshot = get_module_snapshot(module.pk)
    decision = check_learner_access_in_one_query(user=external, snapshot=snapshot)
    assert decision is not None and decision.allowed


def test_a_module_opens_at_its_opening_moment_not_after(course):
    opens = timezone.now() - timedelta(hours=1)
    module = module_in(course, available_from=opens)
    learner = enrolled_learner(course)
    snapshot = get_module_snapshot(module.pk)

    assert check_learner_access_in_one_query(user=learner, snapshot=snapshot, now=opens)
    before = opens - timedelta(seconds=1)
    assert check_learner_access_in_one_query(user=learner, snapshot=snapshot, now=before) is None


def test_each_prerequisite_counts_once_however_many_cycles_completed_it(course):
    first = ModulePageFactory(parent=course, steps=[reading_step()])
    second = ModulePageFactory(parent=course, steps=[reading_step()])
    module = module_in(course, prerequisites=[first, second])
    learner = enrolled_learner(course)
    completed_module(learner, first)
    Completion.objects.create(
        user=learner, page_id=first.pk, kind="module", cycle=2, completed_at=timezone.now()
    )
    snapshot = get_module_snapshot(module.pk)

    assert check_learner_access_in_one_query(user=learner, snapshot=snapshot) is None
    completed_module(learner, second)
    decision = check_learner_access_in_one_query(user=learner, snapshot=snapshot)
    assert decision is not None and decision.allowed


def test_the_progress_row_comes_with_access_only_for_the_current_cycle(course):
    """The heartbeat reads its row and access together: the row of the enrolment's cycle,
    and nothing (let the longer way decide) for an older cycle's row, a withdrawn learner
    or a page unpublished since the snapshot."""
    module = module_in(course)
    step_id = module.steps[0].id
    learner = enrolled_learner(course)
    rows = {
        cycle: StepProgress.objects.create(
            user=learner, module_id=module.pk, step_id=step_id, kind="lecture", cycle=cycle
        )
        for cycle in (1, 2)
    }

    def found():
        return find_progress_with_learner_access(
            user=learner, snapshot=get_module_snapshot(module.pk), step_id=step_id
        )

    decision, row = found()
    assert (decision.allowed, decision.cycle, row.pk) == (True, 1, rows[1].pk)
    Enrolment.objects.filter(user=learner).update(cycle=2)
    assert found()[1].pk == rows[2].pk
    Enrolment.objects.filter(user=learner).update(cycle=3)
    assert found() is None
    Enrolment.objects.filter(user=learner).update(cycle=2, status=Enrolment.Status.WITHDRAWN)
    assert found() is None
    Enrolment.objects.filter(user=learner).update(status=Enrolment.Status.ACTIVE)
    snapshot = get_module_snapshot(module.pk)
    ModulePage.objects.filter(pk=module.pk).update(live=False)
    assert (
        find_progress_with_learner_access(user=learner, snapshot=snapshot, step_id=step_id) is None
    )


def test_the_kept_statement_reads_each_learners_own_row(course):
    """The statement is compiled once per module and step with the learner's id as its
    parameter: the second learner gets their own row, and none without one."""
    module = module_in(course)
    step_id = module.steps[0].id
    snapshot = get_module_snapshot(module.pk)
    first, second, third = (enrolled_learner(course) for _ in range(3))
    rows = {
        user.pk: StepProgress.objects.create(
            user=user, module_id=module.pk, step_id=step_id, kind="lecture"
        )
        for user in (first, second)
    }

    for user in (first, second, first):
        _decision, row = find_progress_with_learner_access(
            user=user, snapshot=snapshot, step_id=step_id
        )
        assert (row.pk, row.user_id) == (rows[user.pk].pk, user.pk)
    assert find_progress_with_learner_access(user=third, snapshot=snapshot, step_id=step_id) is None
