"""Requests that arrive at the same moment: two tabs, double clicks, two steps finished at
once. Real concurrency needs PostgreSQL (row locks); SQLite serialises every write anyway.

Each thread has its own database connection (Django's are per thread) and closes it.
"""

import contextlib
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from wagtail import hooks

from tests.factories import (
    CoursePageFactory,
    LectureFactory,
    ModulePageFactory,
    QuizFactory,
    enrolled_learner,
    lecture_step,
    quiz_step,
    reading_step,
    single_choice,
)
from wagtail_learning.lms import api as lms
from wagtail_learning.lms import completion
from wagtail_learning.lms.models import Completion, QuizAttempt, StepProgress
from wagtail_learning.modules.models import ModulePage

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's row locks"),
    pytest.mark.django_db(transaction=True),
]


def together(*calls, timeout=30):
    """Run the calls in threads released at once by a barrier; return their results.
    An exception in a thread is re-raised here."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)
    errors: list = []

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:  # re-raised in the test's thread below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    if errors:
        raise errors[0]
    return results


def fresh(module) -> ModulePage:
    """Each thread loads its own page, as its own request would."""
    return ModulePage.objects.get(pk=module.pk)


@pytest.fixture
def announced():
    """Hook calls, recorded from any thread."""
    lock = threading.Lock()
    recorded = {lms.MODULE_COMPLETED: [], lms.COURSE_COMPLETED: []}

    def recorder(name):
        def record(**kwargs):
            with lock:
                recorded[name].append(kwargs["page"].pk)

        return record

    with (
        hooks.register_temporarily(lms.MODULE_COMPLETED, recorder(lms.MODULE_COMPLETED)),
        hooks.register_temporarily(lms.COURSE_COMPLETED, recorder(lms.COURSE_COMPLETED)),
    ):
        yield recorded


@pytest.fixture
def side_by_side(monkeypatch):
    """Hold each completing request just before it looks at the module's other steps until
    the other request is there too, so both look before either commits: the race two tabs
    can lose. (Once one request locks the other out, the wait simply times out.)"""
    barrier = threading.Barrier(2)
    original = completion._recompute_module

    def held(*args, **kwargs):
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=3)
        return original(*args, **kwargs)

    monkeypatch.setattr(completion, "_recompute_module", held)


def test_two_tabs_beating_at_once_lose_no_seconds():
    module = ModulePageFactory(
        steps=[lecture_step(LectureFactory(duration=timedelta(seconds=100)))]
    )
    learner = enrolled_learner(module.get_parent())
    step_id = module.steps[0].id
    t0 = timezone.now()

    def beat(session, seq, ranges, at):
        return lambda: lms.record_watch(
            learner,
            module=fresh(module),
            step_id=step_id,
            session_id=session,
            seq=seq,
            ranges=ranges,
            position=ranges[-1][1] if ranges else 0,
            now=t0 + timedelta(seconds=at),
        )

    # First beats at once: the row does not exist yet, both create it.
    together(beat("tab-a-000001", 0, [(0, 2)], 0), beat("tab-b-000001", 0, [(50, 52)], 0))
    # Then ten seconds of playback in each tab, reported at the same moment.
    together(beat("tab-a-000001", 1, [(2, 12)], 10), beat("tab-b-000001", 1, [(52, 62)], 10))

    row = StepProgress.objects.get(user=learner, step_id=step_id)
    assert row.watched_ranges == [[0, 12], [50, 62]]
    assert row.watched_seconds == 24
    assert set(row.playback_sessions) == {"tab-a-000001", "tab-b-000001"}


def test_two_tabs_beating_at_once_through_the_endpoints_path_lose_no_seconds():
    """The heartbeat endpoint's short path (read, then an UPDATE only if no one wrote in
    between) loses nothing either: the beat that lost redoes itself under the row lock."""
    module = ModulePageFactory(
        steps=[lecture_step(LectureFactory(duration=timedelta(seconds=100)))]
    )
    learner = enrolled_learner(module.get_parent())
    step_id = module.steps[0].id
    t0 = timezone.now()

    def beat(session, seq, ranges, at):
        return lambda: lms.record_heartbeat(
            learner,
            module_id=module.pk,
            step_id=step_id,
            session_id=session,
            seq=seq,
            ranges=ranges,
            position=ranges[-1][1] if ranges else 0,
            now=t0 + timedelta(seconds=at),
        )

    together(beat("tab-a-000001", 0, [(0, 2)], 0), beat("tab-b-000001", 0, [(50, 52)], 0))
    for second in range(1, 6):
        start = 2 + (second - 1) * 2
        together(
            beat("tab-a-000001", second, [(start, start + 2)], 2 * second),
            beat("tab-b-000001", second, [(50 + start, 52 + start)], 2 * second),
        )

    row = StepProgress.objects.get(user=learner, step_id=step_id)
    assert row.watched_ranges == [[0, 12], [50, 62]]
    assert row.watched_seconds == 24
    assert row.watch_version == 12  # every beat written once
    assert set(row.playback_sessions) == {"tab-a-000001", "tab-b-000001"}


def test_a_quiz_submitted_twice_at_once_is_graded_once(announced):
    question = single_choice()
    right = next(c["id"] for c in question["value"]["choices"] if c["value"]["correct"])
    module = ModulePageFactory(steps=[quiz_step(QuizFactory(questions=[question]))])
    learner = enrolled_learner(module.get_parent())
    step_id = module.steps[0].id
    attempt = lms.start_quiz_attempt(learner, module=module, step_id=step_id)

    def submit():
        return lms.submit_quiz_attempt(
            learner,
            module=fresh(module),
            attempt_id=attempt.pk,
            answers={question["id"]: [right]},
        )

    first, second = together(submit, submit)

    assert first.score == second.score == 100
    assert first.attempt.submitted_at == second.attempt.submitted_at
    assert QuizAttempt.objects.filter(user=learner).count() == 1
    assert Completion.objects.filter(user=learner, page_id=module.pk).count() == 1
    assert announced[lms.MODULE_COMPLETED] == [module.pk]


def test_the_last_step_completed_twice_at_once_completes_the_module_once(announced):
    module = ModulePageFactory(steps=[reading_step(), reading_step()])
    learner = enrolled_learner(module.get_parent())
    first, last = (block.id for block in module.steps)
    lms.complete_step(learner, module=module, step_id=first)

    def complete():
        return lms.complete_step(learner, module=fresh(module), step_id=last)

    results = together(complete, complete)

    assert sorted(results) == [False, True]
    assert Completion.objects.filter(user=learner, page_id=module.pk).count() == 1
    assert announced[lms.MODULE_COMPLETED] == [module.pk]


def test_the_last_two_steps_completed_at_once_complete_the_module(announced, side_by_side):
    module = ModulePageFactory(steps=[reading_step(), reading_step()])
    learner = enrolled_learner(module.get_parent())
    one, two = (block.id for block in module.steps)

    together(
        lambda: lms.complete_step(learner, module=fresh(module), step_id=one),
        lambda: lms.complete_step(learner, module=fresh(module), step_id=two),
    )

    assert Completion.objects.filter(user=learner, page_id=module.pk).count() == 1
    assert announced[lms.MODULE_COMPLETED] == [module.pk]


def test_the_last_two_modules_completed_at_once_complete_the_course(announced, side_by_side):
    course = CoursePageFactory()
    left = ModulePageFactory(parent=course, steps=[reading_step()])
    right = ModulePageFactory(parent=course, steps=[reading_step()])
    learner = enrolled_learner(course)

    together(
        lambda: lms.complete_step(learner, module=fresh(left), step_id=left.steps[0].id),
        lambda: lms.complete_step(learner, module=fresh(right), step_id=right.steps[0].id),
    )

    assert Completion.objects.filter(user=learner, page_id=course.pk).count() == 1
    assert sorted(announced[lms.MODULE_COMPLETED]) == sorted([left.pk, right.pk])
    assert announced[lms.COURSE_COMPLETED] == [course.pk]
