"""Quiz rules a learner would notice if they broke (lms/quizzes.py): only a learner with
access may start or submit an attempt, and shuffling and drawing do what the editor chose.

The draws use seeded random generators, so each test sees the same orders on every run.
"""

import random

import pytest
from django.utils import translation

from tests.factories import (
    CoursePageFactory,
    ModulePageFactory,
    QuizFactory,
    UserFactory,
    api_post,
    choice,
    completed_module,
    editor_of,
    enrolled_learner,
    in_english,
    quiz_attempt_for,
    quiz_step,
    reading_step,
    route,
    single_choice,
    true_false,
)
from wagtail_learning.lms import api as lms
from wagtail_learning.lms.models import Enrolment, QuizAttempt, StepProgress

SEEDS = range(12)


def pool(n=6):
    return [
        single_choice(
            f"Fråga {i}", [choice(f"A{i}", correct=True), choice(f"B{i}"), choice(f"C{i}")]
        )
        for i in range(n)
    ]


def quiz_module(questions, **quiz_kwargs):
    quiz = QuizFactory(questions=questions, max_attempts=None, **quiz_kwargs)
    module = ModulePageFactory(steps=[quiz_step(quiz)])
    return module, module.steps[0].id


def attempts(module, step_id, seeds=SEEDS):
    """One attempt per seed by one learner, each submitted before the next is started."""
    learner = enrolled_learner(module.get_parent())
    drawn = []
    for seed in seeds:
        attempt = lms.start_quiz_attempt(
            learner, module=module, step_id=step_id, rng=random.Random(seed)
        )
        lms.submit_quiz_attempt(learner, module=module, attempt_id=attempt.pk, answers={})
        drawn.append(attempt)
    return drawn


def submit_api_response(client, module, attempt_id, answers):
    return api_post(
        client,
        "submit_quiz_attempt",
        {"module_id": module.pk, "answers": answers},
        attempt_id=attempt_id,
    )


def submit_api(client, module, attempt_id, answers):
    return submit_api_response(client, module, attempt_id, answers).json()


def editors_choices(questions) -> dict[str, list[str]]:
    return {q["id"]: [c["id"] for c in q["value"]["choices"]] for q in questions}


# --- Access -----------------------------------------------------------------------------------


@pytest.fixture
def locked():
    """A module behind a prerequisite, with a quiz step; the learner has not done the
    prerequisite, so the module is locked for them."""
    course = CoursePageFactory()
    first = ModulePageFactory(parent=course, title="Grunder", steps=[reading_step()])
    questions = pool(2)
    quiz = QuizFactory(questions=questions)
    module = ModulePageFactory(parent=course, prerequisites=[first], steps=[quiz_step(quiz)])
    return course, first, module, module.steps[0].id, questions


def right_answers(questions):
    return {
        q["id"]: [next(c["id"] for c in q["value"]["choices"] if c["value"]["correct"])]
        for q in questions
    }


def nothing_recorded(user, module, attempt):
    """The attempt is still open and ungraded; no score or completion on the step."""
    attempt.refresh_from_db()
    graded = StepProgress.objects.filter(user=user, module_id=module.pk).exclude(
        best_score=None, completed_at=None
    )
    return attempt.submitted_at is None and attempt.score is None and not graded.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["locked", "not_enrolled", "editor"])
def test_without_access_as_a_learner_an_attempt_cannot_be_submitted(locked, who):
    course, _first, module, step_id, questions = locked
    user = {
        "locked": lambda: enrolled_learner(course),
        "not_enrolled": UserFactory,
        "editor": lambda: editor_of(course),
    }[who]()
    # An attempt of their own, made directly: one they could not have started.
    attempt = quiz_attempt_for(user, module, step_id)

    with pytest.raises(lms.AccessDenied):
        lms.submit_quiz_attempt(
            user, module=module, attempt_id=attempt.pk, answers=right_answers(questions)
        )

    assert nothing_recorded(user, module, attempt)


@pytest.mark.django_db
def test_the_api_refuses_a_locked_learners_submit_with_403_and_records_nothing(client, locked):
    course, _first, module, step_id, questions = locked
    learner = enrolled_learner(course)
    attempt = quiz_attempt_for(learner, module, step_id)
    client.force_login(learner)
    in_english(client)

    response = submit_api_response(client, module, attempt.pk, right_answers(questions))

    assert response.status_code == 403
    assert response.json() == {"detail": "Complete Grunder first."}
    assert nothing_recorded(learner, module, attempt)


@pytest.mark.django_db
def test_a_learner_withdrawn_with_an_attempt_open_cannot_submit_it(locked):
    course, first, module, step_id, questions = locked
    learner = enrolled_learner(course)
    completed_module(learner, first)
    attempt = lms.start_quiz_attempt(learner, module=module, step_id=step_id)
    Enrolment.objects.filter(user=learner).update(status=Enrolment.Status.WITHDRAWN)

    with pytest.raises(lms.AccessDenied):
        lms.submit_quiz_attempt(
            learner, module=module, attempt_id=attempt.pk, answers=right_answers(questions)
        )

    assert nothing_recorded(learner, module, attempt)


@pytest.mark.django_db
def test_a_learner_whose_module_is_locked_cannot_start_an_attempt(locked):
    course, _first, module, step_id, _questions = locked
    learner = enrolled_learner(course)

    with pytest.raises(lms.AccessDenied):
        lms.start_quiz_attempt(learner, module=module, step_id=step_id)

    assert not QuizAttempt.objects.filter(user=learner).exists()


# --- Shuffling and drawing -----------------------------------------------------------------


@pytest.mark.django_db
def test_shuffled_questions_come_in_different_orders_and_their_choices_in_the_editors():
    questions = pool()
    module, step_id = quiz_module(questions, shuffle_questions=True, shuffle_choices=False)

    drawn = attempts(module, step_id)

    orders = {tuple(a.question_ids) for a in drawn}
    assert all(sorted(order) == sorted(q["id"] for q in questions) for order in orders)
    assert len(orders) > len(SEEDS) // 2
    assert all(a.choice_order == editors_choices(questions) for a in drawn)


@pytest.mark.django_db
def test_shuffled_choices_come_in_different_orders_and_the_questions_in_the_editors():
    questions = pool()
    module, step_id = quiz_module(questions, shuffle_questions=False, shuffle_choices=True)

    drawn = attempts(module, step_id)

    assert all(a.question_ids == [q["id"] for q in questions] for a in drawn)
    for question in questions:
        orders = {tuple(a.choice_order[question["id"]]) for a in drawn}
        assert len(orders) > 1, "this question's choices were always in the same order"
        assert all(sorted(o) == sorted(editors_choices([question])[question["id"]]) for o in orders)


@pytest.mark.django_db
def test_without_shuffling_every_attempt_has_the_editors_order():
    questions = pool()
    module, step_id = quiz_module(questions, shuffle_questions=False, shuffle_choices=False)

    drawn = attempts(module, step_id)

    assert all(a.question_ids == [q["id"] for q in questions] for a in drawn)
    assert all(a.choice_order == editors_choices(questions) for a in drawn)


@pytest.mark.django_db
def test_true_or_false_is_never_shuffled_when_other_choices_are():
    statement = true_false("Samiska är ett nationellt minoritetsspråk.")
    questions = [*pool(2), statement]
    module, step_id = quiz_module(questions, shuffle_questions=False, shuffle_choices=True)

    drawn = attempts(module, step_id)

    first_order = drawn[0].choice_order[statement["id"]]
    assert sorted(first_order) == ["false", "true"]
    assert all(a.choice_order[statement["id"]] == first_order for a in drawn)
    assert len({tuple(a.choice_order[questions[0]["id"]]) for a in drawn}) > 1


@pytest.mark.django_db
def test_a_drawn_subset_without_shuffling_keeps_the_pools_order():
    questions = pool()
    position = {q["id"]: i for i, q in enumerate(questions)}
    module, step_id = quiz_module(
        questions, draw_count=3, shuffle_questions=False, shuffle_choices=False
    )

    drawn = attempts(module, step_id)

    assert len({frozenset(a.question_ids) for a in drawn}) > 1  # different questions drawn
    for attempt in drawn:
        assert len(attempt.question_ids) == 3
        assert attempt.question_ids == sorted(attempt.question_ids, key=position.get)


@pytest.mark.django_db
def test_a_drawn_subset_with_shuffling_comes_in_different_orders():
    questions = pool()
    position = {q["id"]: i for i, q in enumerate(questions)}
    module, step_id = quiz_module(
        questions, draw_count=3, shuffle_questions=True, shuffle_choices=False
    )

    drawn = attempts(module, step_id)

    assert all(len(a.question_ids) == 3 for a in drawn)
    assert any(a.question_ids != sorted(a.question_ids, key=position.get) for a in drawn)


@pytest.mark.django_db
def test_drawing_as_many_questions_as_the_pool_has_draws_them_all():
    questions = pool(4)
    module, step_id = quiz_module(
        questions, draw_count=4, shuffle_questions=False, shuffle_choices=False
    )

    drawn = attempts(module, step_id, seeds=range(3))

    assert all(a.question_ids == [q["id"] for q in questions] for a in drawn)


# --- Attempts, results and status ------------------------------------------------------------


@pytest.fixture
def three_points():
    """Three one-point questions, a pass mark of 100 %, any number of attempts; results
    reviewed after every attempt, so a failed attempt's answers can be checked (what each
    review option reveals is tested in test_quizzes.py)."""
    questions = pool(3)
    module, step_id = quiz_module(questions, pass_mark=100, review="always")
    return module, step_id, questions


def wrong(question) -> str:
    return next(c["id"] for c in question["value"]["choices"] if not c["value"]["correct"])


def right(question) -> str:
    return next(c["id"] for c in question["value"]["choices"] if c["value"]["correct"])


@pytest.mark.django_db
def test_a_result_shows_the_score_to_two_decimals_and_marks_the_learners_answers(
    client, three_points
):
    module, step_id, questions = three_points
    learner = enrolled_learner(module.get_parent())
    client.force_login(learner)
    attempt = lms.start_quiz_attempt(learner, module=module, step_id=step_id)
    answers = {
        questions[0]["id"]: [right(questions[0])],
        questions[1]["id"]: [wrong(questions[1])],
    }

    result = submit_api(client, module, attempt.pk, answers)

    assert result["score"] == 33.33  # one point of three
    assert result["passed"] is False
    selected = {
        q["question_id"]: [c["id"] for c in q["choices"] if c["selected"]]
        for q in result["questions"]
    }
    assert selected == {
        questions[0]["id"]: [right(questions[0])],
        questions[1]["id"]: [wrong(questions[1])],
        questions[2]["id"]: [],  # unanswered
    }


@pytest.mark.django_db
def test_an_attempt_with_nothing_right_scores_zero(client, three_points):
    module, step_id, questions = three_points
    learner = enrolled_learner(module.get_parent())
    client.force_login(learner)
    attempt = lms.start_quiz_attempt(learner, module=module, step_id=step_id)

    result = submit_api(client, module, attempt.pk, {q["id"]: [wrong(q)] for q in questions})
    stored = lms.get_quiz_result(learner, module=module, attempt_id=attempt.pk)

    assert result["score"] == 0
    assert stored.score == 0


@pytest.mark.django_db
def test_attempts_are_numbered_and_the_status_knows_the_open_and_the_last_one(client, three_points):
    module, step_id, questions = three_points
    learner = enrolled_learner(module.get_parent())
    client.force_login(learner)
    in_english(client)
    answers = {q["id"]: [wrong(q)] for q in questions}

    first = lms.start_quiz_attempt(learner, module=module, step_id=step_id)
    assert lms.get_quiz_status(learner, module=module, step_id=step_id).open_attempt == first
    lms.submit_quiz_attempt(learner, module=module, attempt_id=first.pk, answers=answers)
    assert lms.get_quiz_status(learner, module=module, step_id=step_id).open_attempt is None
    second = lms.start_quiz_attempt(learner, module=module, step_id=step_id)
    lms.submit_quiz_attempt(learner, module=module, attempt_id=second.pk, answers=answers)
    third = lms.start_quiz_attempt(learner, module=module, step_id=step_id)

    assert [first.number, second.number, third.number] == [1, 2, 3]
    status = lms.get_quiz_status(learner, module=module, step_id=step_id)
    assert status.attempts_used == 3
    assert status.open_attempt == third
    assert status.last_attempt == second
    page = client.get(route(module, "step", step_id)).content.decode()
    assert "Attempt 3" in page


@pytest.mark.django_db
def test_starting_a_quiz_puts_the_module_in_progress(three_points):
    module, step_id, _questions = three_points
    learner = enrolled_learner(module.get_parent())

    lms.start_quiz_attempt(learner, module=module, step_id=step_id)

    state = lms.get_module_progress(user=learner, module=module)
    assert state.state == "in_progress"
    assert state.steps[0].started


@pytest.mark.django_db
@pytest.mark.parametrize("answer", [5, [5], {"a": "b"}])
def test_answers_of_the_wrong_shape_are_refused(three_points, answer):
    module, step_id, questions = three_points
    learner = enrolled_learner(module.get_parent())
    attempt = lms.start_quiz_attempt(learner, module=module, step_id=step_id)

    with (
        translation.override("en"),
        pytest.raises(lms.InvalidInput, match="Each answer must be a list of choice ids."),
    ):
        lms.submit_quiz_attempt(
            learner, module=module, attempt_id=attempt.pk, answers={questions[0]["id"]: answer}
        )

    attempt.refresh_from_db()
    assert attempt.submitted_at is None


@pytest.mark.django_db
def test_an_attempt_without_a_pinned_revision_is_graded_against_the_live_quiz(three_points):
    module, step_id, questions = three_points
    learner = enrolled_learner(module.get_parent())
    attempt = lms.start_quiz_attempt(learner, module=module, step_id=step_id)
    QuizAttempt.objects.filter(pk=attempt.pk).update(revision=None)  # as before revisions

    result = lms.submit_quiz_attempt(
        learner,
        module=module,
        attempt_id=attempt.pk,
        answers={q["id"]: [right(q)] for q in questions},
    )

    assert (result.score, result.passed) == (100, True)


@pytest.mark.django_db
def test_an_unpinned_attempt_whose_questions_were_all_replaced_scores_zero(three_points):
    module, step_id, _questions = three_points
    learner = enrolled_learner(module.get_parent())
    attempt = lms.start_quiz_attempt(learner, module=module, step_id=step_id)
    QuizAttempt.objects.filter(pk=attempt.pk).update(revision=None)
    quiz = module.get_lms_quiz(step_id)
    quiz.questions = pool(2)  # new questions, new ids
    quiz.save_revision().publish()

    result = lms.submit_quiz_attempt(learner, module=module, attempt_id=attempt.pk, answers={})

    assert (result.score, result.passed, result.questions) == (0, False, [])
