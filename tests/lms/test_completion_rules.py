"""Completion rules tests/lms/test_completion.py does not reach (lms/completion.py): what the
recompute task after an editor's change reports, a course without required modules, and a
completion another request recorded first.
"""

import pytest
from django.db import IntegrityError
from django.utils import timezone

from tests.factories import (
    CoursePageFactory,
    ModulePageFactory,
    enrolled_learner,
    reading_step,
)
from wagtail_learning.lms import api as lms
from wagtail_learning.lms.models import Completion
from wagtail_learning.lms.tasks import recompute_completions_task
from wagtail_learning.modules.models import ModulePage

pytestmark = pytest.mark.django_db


def step_ids(module):
    return [block.id for block in module.steps]


def complete(user, module, step_id):
    return lms.complete_step(user, module=module, step_id=step_id)


def completed(user, page) -> bool:
    return Completion.objects.filter(user=user, page_id=page.pk).exists()


def edit(page, **fields):
    """Publish an editor's change without running the recompute its publish queues (the
    on-commit callback never runs inside the test's transaction)."""
    page = type(page).objects.get(pk=page.pk)
    for name, value in fields.items():
        setattr(page, name, value)
    page.save_revision().publish()
    return type(page).objects.get(pk=page.pk)


@pytest.fixture
def course():
    return CoursePageFactory(title="Tillgänglighet")


@pytest.fixture
def module(course):
    return ModulePageFactory(
        parent=course, title="Grunder", steps=[reading_step("Ett"), reading_step("Två")]
    )


# --- The recompute task --------------------------------------------------------------------------


def test_the_recompute_task_reports_the_completions_it_recorded(course, module):
    one, two = step_ids(module)
    almost = enrolled_learner(course)  # did step one: now done with the module and course
    started = enrolled_learner(course)  # opened step two only: still has step one to do
    untouched = enrolled_learner(course)
    complete(almost, module, one)
    complete(started, module, two)

    edit(module, steps=[b for b in module.steps.raw_data if b["id"] != two])
    recorded = recompute_completions_task(module.pk)

    assert recorded == 2  # Almost's module and course
    assert completed(almost, module) and completed(almost, course)
    assert not completed(started, module) and not completed(untouched, module)
    assert recompute_completions_task(module.pk) == 0  # nothing new the second time


def test_making_a_module_optional_the_task_reports_each_course_completed(course, module):
    extra = ModulePageFactory(parent=course, title="Fördjupning", steps=[reading_step()])
    done = [enrolled_learner(course) for _ in range(2)]
    for learner in done:
        for step_id in step_ids(module):
            complete(learner, module, step_id)
    halfway = enrolled_learner(course)
    complete(halfway, module, step_ids(module)[0])

    edit(extra, required_for_course=False)
    recorded = recompute_completions_task(course.pk)

    assert recorded == 2
    assert all(completed(learner, course) for learner in done)
    assert not completed(halfway, course)


def test_a_course_whose_modules_are_all_optional_is_never_completed_by_them(course, module):
    module = edit(module, required_for_course=False)
    learner = enrolled_learner(course)

    for step_id in step_ids(module):
        complete(learner, module, step_id)

    assert completed(learner, module)
    assert not completed(learner, course)
    assert recompute_completions_task(course.pk) == 0


# --- Another request first -----------------------------------------------------------------------


def test_a_module_completion_recorded_first_by_another_request_stands_and_is_announced_once(
    course, module, monkeypatch, django_capture_on_commit_callbacks
):
    """Two requests finish the module's last steps at once: the one that loses the race
    keeps the winner's completion and announces nothing."""
    one, two = step_ids(module)
    learner = enrolled_learner(course)
    complete(learner, module, one)
    theirs = Completion.objects.create(
        user=learner,
        page_id=module.pk,
        kind=Completion.Kind.MODULE,
        cycle=1,
        completed_at=timezone.now(),
    )
    manager = Completion.objects
    real = manager.get_or_create
    raced = []

    def get_or_create(**kwargs):
        if not raced:  # our read missed their row; our insert then hits the unique index
            raced.append(kwargs)
            raise IntegrityError("UNIQUE constraint failed")
        return real(**kwargs)

    monkeypatch.setattr(manager, "get_or_create", get_or_create)
    announced = []
    with (
        lms_hook(lms.MODULE_COMPLETED, announced),
        lms_hook(lms.COURSE_COMPLETED, announced),
        django_capture_on_commit_callbacks(execute=True),
    ):
        complete(learner, ModulePage.objects.get(pk=module.pk), two)

    assert raced, "the race was not simulated"
    assert list(Completion.objects.filter(user=learner, page_id=module.pk)) == [theirs]
    assert announced == []  # the winner announced it; the course is the winner's to complete
    assert not completed(learner, course)


def lms_hook(name, calls):
    from wagtail import hooks

    return hooks.register_temporarily(name, lambda **kwargs: calls.append((name, kwargs)))


def completed_meanwhile(monkeypatch, kind):
    """The learner's own request records the `kind` completion just before the recompute
    writes it: the recompute's get_or_create finds that row. Returns the rows so made."""
    manager = Completion.objects
    real = manager.get_or_create
    made = []

    def get_or_create(*, defaults, **lookup):
        if not made and defaults["kind"] == kind:
            made.append(manager.create(**lookup, **defaults))
        return real(defaults=defaults, **lookup)

    monkeypatch.setattr(manager, "get_or_create", get_or_create)
    return made


def test_a_module_completed_meanwhile_is_not_counted_again_by_the_recompute(
    course, module, monkeypatch
):
    one, two = step_ids(module)
    learner = enrolled_learner(course)
    complete(learner, module, one)
    edit(module, steps=[b for b in module.steps.raw_data if b["id"] != two])
    made = completed_meanwhile(monkeypatch, Completion.Kind.MODULE)

    recorded = recompute_completions_task(module.pk)

    assert made, "the race was not simulated"
    assert recorded == 1  # the course; the module was the other request's
    assert list(Completion.objects.filter(user=learner, page_id=module.pk)) == made


def test_a_course_completed_meanwhile_is_not_counted_again_by_the_recompute(
    course, module, monkeypatch
):
    extra = ModulePageFactory(parent=course, title="Fördjupning", steps=[reading_step()])
    learner = enrolled_learner(course)
    for step_id in step_ids(module):
        complete(learner, module, step_id)
    edit(extra, required_for_course=False)
    made = completed_meanwhile(monkeypatch, Completion.Kind.COURSE)

    recorded = recompute_completions_task(course.pk)

    assert made, "the race was not simulated"
    assert recorded == 0
    assert list(Completion.objects.filter(user=learner, page_id=course.pk)) == made
