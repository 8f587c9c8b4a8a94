"""Completing steps, then modules, then courses; `completed_at` set once; the hooks
`lms_module_completed` and `lms_course_completed` fired once (lms/completion.py)."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from wagtail import hooks

from tests.factories import (
    CoursePageFactory,
    ModulePageFactory,
    QuizFactory,
    enrolled_learner,
    quiz_step,
    reading_step,
    single_choice,
)
from wagtail_learning.lms import api as lms
from wagtail_learning.lms.models import Completion, Enrolment
from wagtail_learning.modules.models import ModulePage


@pytest.fixture
def course():
    return CoursePageFactory(title="Likabehandling")


@pytest.fixture
def first(course):
    """Two required steps and an optional one."""
    return ModulePageFactory(
        parent=course,
        title="Första",
        steps=[reading_step("Ett"), reading_step("Två"), reading_step("Extra", required=False)],
    )


@pytest.fixture
def second(course):
    return ModulePageFactory(parent=course, title="Andra", steps=[reading_step("Tre")])


@pytest.fixture
def optional(course):
    module = ModulePageFactory(parent=course, title="Fördjupning", steps=[reading_step("Fyra")])
    module.required_for_course = False
    module.save_revision().publish()
    return ModulePage.objects.get(pk=module.pk)


@pytest.fixture
def learner(course):
    return enrolled_learner(course)


@pytest.fixture
def calls():
    """What the engine's hooks were called with, while the test runs."""
    recorded = {lms.MODULE_COMPLETED: [], lms.COURSE_COMPLETED: []}

    def on_module(**kwargs):
        recorded[lms.MODULE_COMPLETED].append(kwargs)

    def on_course(**kwargs):
        recorded[lms.COURSE_COMPLETED].append(kwargs)

    with (
        hooks.register_temporarily(lms.MODULE_COMPLETED, on_module),
        hooks.register_temporarily(lms.COURSE_COMPLETED, on_course),
    ):
        yield recorded


def ids(module):
    return [block.id for block in module.steps]


def complete(user, module, step_id, at=None):
    return lms.complete_step(user, module=module, step_id=step_id, now=at)


def completion(user, page):
    return Completion.objects.filter(user=user, page_id=page.pk).first()


@pytest.mark.django_db
def test_a_module_completes_when_its_required_steps_do_and_optional_ones_do_not_matter(
    learner, first, optional, second
):
    one, two, _extra = ids(first)

    complete(learner, first, one)
    assert completion(learner, first) is None

    complete(learner, first, two)
    assert completion(learner, first).kind == Completion.Kind.MODULE


@pytest.mark.django_db
def test_a_course_completes_when_its_required_modules_do_and_an_optional_one_does_not_matter(
    learner, course, first, second, optional
):
    at = timezone.now()
    for step_id in ids(first)[:2]:
        complete(learner, first, step_id, at)
    assert completion(learner, course) is None

    complete(learner, second, ids(second)[0], at)

    done = completion(learner, course)
    assert done.kind == Completion.Kind.COURSE
    assert done.completed_at == at
    assert completion(learner, optional) is None
    enrolment = Enrolment.objects.get(user=learner, course_id=course.pk)
    assert enrolment.status == Enrolment.Status.COMPLETED
    assert enrolment.completed_at == at


@pytest.mark.django_db
def test_completing_again_never_moves_completed_at(learner, course, first, second):
    at = timezone.now() - timedelta(days=3)
    for module in (first, second):
        for step_id in ids(module):
            complete(learner, module, step_id, at)
    step_row = lms.get_module_progress(user=learner, module=first).steps[0]

    later = at + timedelta(days=2)
    assert complete(learner, first, ids(first)[0], later) is False
    complete(learner, second, ids(second)[0], later)

    assert completion(learner, first).completed_at == at
    assert completion(learner, course).completed_at == at
    assert lms.get_module_progress(user=learner, module=first).steps[0].completed_at == (
        step_row.completed_at
    )
    assert Completion.objects.filter(user=learner).count() == 3


@pytest.mark.django_db
def test_the_hooks_fire_once_each_with_the_learner_and_the_page(
    learner, course, first, second, calls, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for step_id in ids(first)[:2]:
            complete(learner, first, step_id)
    assert len(calls[lms.MODULE_COMPLETED]) == 1
    assert calls[lms.COURSE_COMPLETED] == []

    with django_capture_on_commit_callbacks(execute=True):
        complete(learner, second, ids(second)[0])
        # Repeat calls, and the optional step afterwards, announce nothing new.
        complete(learner, second, ids(second)[0])
        complete(learner, first, ids(first)[0])
        complete(learner, first, ids(first)[2])

    module_calls, course_calls = calls[lms.MODULE_COMPLETED], calls[lms.COURSE_COMPLETED]
    assert [(c["user"], c["page"].pk) for c in module_calls] == [
        (learner, first.pk),
        (learner, second.pk),
    ]
    assert len(course_calls) == 1
    assert course_calls[0]["user"] == learner
    assert course_calls[0]["page"].pk == course.pk
    assert course_calls[0]["completion"] == completion(learner, course)


@pytest.mark.django_db
def test_no_hook_fires_when_the_transaction_is_rolled_back(
    learner, first, calls, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        for step_id in ids(first)[:2]:
            complete(learner, first, step_id)
        raise RuntimeError("the request failed after completing")

    assert callbacks == []
    assert calls[lms.MODULE_COMPLETED] == []
    assert completion(learner, first) is None


@pytest.mark.django_db
def test_passing_the_last_quiz_completes_module_and_course_and_announces_both(
    course, calls, django_capture_on_commit_callbacks
):
    question = single_choice()
    right = next(c["id"] for c in question["value"]["choices"] if c["value"]["correct"])
    module = ModulePageFactory(
        parent=course, steps=[reading_step(), quiz_step(QuizFactory(questions=[question]))]
    )
    learner = enrolled_learner(course)
    reading, quiz = ids(module)
    complete(learner, module, reading)
    attempt = lms.start_quiz_attempt(learner, module=module, step_id=quiz)

    with django_capture_on_commit_callbacks(execute=True):
        lms.submit_quiz_attempt(
            learner, module=module, attempt_id=attempt.pk, answers={question["id"]: [right]}
        )

    assert [c["page"].pk for c in calls[lms.MODULE_COMPLETED]] == [module.pk]
    assert [c["page"].pk for c in calls[lms.COURSE_COMPLETED]] == [course.pk]


# --- Editors change a module after learners started (docs/decisions/0002) ------------------


def add_required_step(module) -> tuple[ModulePage, str]:
    module = ModulePage.objects.get(pk=module.pk)
    new = reading_step("Nytt avsnitt")
    module.steps = [*module.steps.raw_data, new]
    module.save_revision().publish()
    return ModulePage.objects.get(pk=module.pk), new["id"]


@pytest.mark.django_db
def test_a_step_added_later_keeps_earned_completions_and_is_required_of_the_rest(
    course, first, second
):
    finished, halfway = enrolled_learner(course), enrolled_learner(course)
    one, two, _extra = ids(first)
    complete(finished, first, one)
    complete(finished, first, two)
    complete(halfway, first, one)
    earned = completion(finished, first).completed_at

    first, added = add_required_step(first)

    assert completion(finished, first).completed_at == earned
    assert lms.get_module_progress(user=finished, module=first).state == "completed"

    complete(halfway, first, two)
    assert completion(halfway, first) is None  # the new step is required of them
    state = lms.get_module_progress(user=halfway, module=first)
    assert (state.required_done, state.required_total) == (2, 3)

    complete(halfway, first, added)
    assert completion(halfway, first) is not None


@pytest.mark.django_db
def test_removing_the_only_step_a_learner_missed_completes_the_module_for_them(
    learner, first, second, django_capture_on_commit_callbacks
):
    one, two, extra = ids(first)
    complete(learner, first, one)
    complete(learner, first, extra)
    module = ModulePage.objects.get(pk=first.pk)
    module.steps = [b for b in module.steps.raw_data if b["id"] != two]
    with django_capture_on_commit_callbacks(execute=True):
        module.save_revision().publish()  # the publish signal queues the recompute
    module = ModulePage.objects.get(pk=first.pk)

    assert lms.get_module_progress(user=learner, module=module).state == "completed"
