"""Taking a quiz: the draw, what a learner may see before submitting, grading on the server
against the revision the attempt started on, limits, double submits (lms/quizzes.py)."""

import re

import pytest

from tests.factories import (
    ModulePageFactory,
    QuizFactory,
    api_post,
    choice,
    enrolled_learner,
    in_english,
    multiple_choice,
    quiz_step,
    route,
    single_choice,
    true_false,
)
from wagtail_learning.lms import api as lms
from wagtail_learning.lms.models import QuizAttempt, StepProgress
from wagtail_learning.modules.models import ModulePage

SECRETS = [
    "FEEDBACK-fem-fel",
    "FEEDBACK-sju-ratt",
    "FEEDBACK-skaningar",
    "FEEDBACK-sant",
    "FEEDBACK-falskt",
    "EXPLANATION-grunder",
    "EXPLANATION-minoriteter",
    "EXPLANATION-fem",
]


def secret_questions():
    """Three questions whose feedback and explanations a learner must not see early."""
    grounds = single_choice(
        "Hur många diskrimineringsgrunder har lagen?",
        [
            choice("Fem", feedback="FEEDBACK-fem-fel"),
            choice("Sju", correct=True, feedback="FEEDBACK-sju-ratt"),
        ],
        explanation="<p>EXPLANATION-grunder</p>",
        points=2,
    )
    minorities = multiple_choice(
        "Vilka är nationella minoriteter?",
        [
            choice("Samer", correct=True),
            choice("Tornedalingar", correct=True),
            choice("Skåningar", feedback="FEEDBACK-skaningar"),
        ],
        explanation="<p>EXPLANATION-minoriteter</p>",
    )
    five = true_false(
        "Sverige har fem nationella minoriteter.",
        correct_answer="true",
        feedback_true="FEEDBACK-sant",
        feedback_false="FEEDBACK-falskt",
        explanation="<p>EXPLANATION-fem</p>",
    )
    return [grounds, minorities, five]


def ids_of(question):
    return [item["id"] for item in question["value"]["choices"]]


def right_answers(questions) -> dict:
    answers = {}
    for q in questions:
        if q["type"] == "true_false":
            answers[q["id"]] = [q["value"]["correct_answer"]]
        else:
            answers[q["id"]] = [c["id"] for c in q["value"]["choices"] if c["value"]["correct"]]
    return answers


def wrong_answers(questions) -> dict:
    answers = {}
    for q in questions:
        if q["type"] == "true_false":
            answers[q["id"]] = ["false" if q["value"]["correct_answer"] == "true" else "true"]
        else:
            answers[q["id"]] = [
                next(c["id"] for c in q["value"]["choices"] if not c["value"]["correct"])
            ]
    return answers


def as_form(attempt_id, answers) -> dict:
    return {"action": "submit", "attempt": str(attempt_id)} | {
        f"q-{qid}": chosen for qid, chosen in answers.items()
    }


def shown_order(html: str) -> list[tuple[str, str]]:
    """(question id, choice id) of every answer input, in page order."""
    return re.findall(r'name="q-([^"]+)" id="q-[^"]+" value="([^"]+)"', html)


def quiz_form(html: str) -> str:
    match = re.search(r"<form[^>]*data-quiz.*?</form>", html, re.S)
    assert match, "the page has no quiz form"
    return match.group(0)


@pytest.fixture
def questions():
    return secret_questions()


def make(questions, *, pass_required=True, **quiz_kwargs):
    quiz = QuizFactory(questions=questions, **quiz_kwargs)
    module = ModulePageFactory(steps=[quiz_step(quiz, pass_required=pass_required)])
    return quiz, module, module.steps[0].id


@pytest.fixture
def setup(questions):
    return make(questions, pass_required=True, pass_mark=100)


@pytest.fixture
def quiz(setup):
    return setup[0]


@pytest.fixture
def module(setup):
    return setup[1]


@pytest.fixture
def step_id(setup):
    return setup[2]


@pytest.fixture
def learner(module):
    return enrolled_learner(module.get_parent())


@pytest.fixture
def learner_client(client, learner):
    client.force_login(learner)
    return in_english(client)


def learner_client_for(client, module):
    client.force_login(enrolled_learner(module.get_parent()))
    return in_english(client)


def start(client, module, step_id):
    url = route(module, "step", step_id)
    response = client.post(url, {"action": "start"})
    assert response.status_code == 302
    return QuizAttempt.objects.filter(submitted_at__isnull=True).latest("pk")


def progress(learner, module, step_id):
    return StepProgress.objects.filter(user=learner, module_id=module.pk, step_id=step_id).first()


# --- What a learner sees before submitting ----------------------------------------------


@pytest.mark.django_db
def test_the_quiz_page_shows_no_answers_feedback_or_explanations_before_submission(
    learner_client, module, step_id, questions
):
    start(learner_client, module, step_id)

    html = learner_client.get(route(module, "step", step_id)).content.decode()

    form = quiz_form(html)
    assert len(shown_order(form)) == 2 + 3 + 2  # every choice is offered...
    for secret in SECRETS:
        assert secret not in html  # ...and nothing about which is right
    assert "correct" not in form.lower()


@pytest.mark.django_db
def test_the_attempt_json_has_no_correct_flags_feedback_or_explanations(
    learner_client, module, step_id
):
    response = api_post(
        learner_client, "start_quiz_attempt", {"module_id": module.pk, "step_id": step_id}
    )

    assert response.status_code == 200
    body = response.content.decode()
    for secret in SECRETS:
        assert secret not in body
    for question in response.json()["questions"]:
        assert set(question) == {"id", "kind", "text", "multiple", "choices"}
        for offered in question["choices"]:
            assert set(offered) == {"id", "text"}


@pytest.mark.django_db
def test_feedback_and_explanations_come_with_the_result(client, questions):
    _, module, step_id = make(questions, pass_mark=100, review=lms.ReviewPolicy.ALWAYS)
    learner_client = learner_client_for(client, module)
    attempt = start(learner_client, module, step_id)
    answers = wrong_answers(questions)

    response = learner_client.post(route(module, "step", step_id), as_form(attempt.pk, answers))
    result = learner_client.get(response["Location"]).content.decode()

    assert "FEEDBACK-fem-fel" in result  # feedback of the chosen (wrong) answer
    assert "FEEDBACK-sju-ratt" not in result  # not of choices left unchosen
    for explanation in ("EXPLANATION-grunder", "EXPLANATION-minoriteter", "EXPLANATION-fem"):
        assert explanation in result
    assert "Not passed yet" in result


# --- The draw ----------------------------------------------------------------------------


@pytest.fixture
def pool():
    return [
        single_choice(
            f"Fråga {n}", [choice(f"A{n}", correct=True), choice(f"B{n}"), choice(f"C{n}")]
        )
        for n in range(6)
    ]


@pytest.mark.django_db
def test_the_draw_and_the_shuffle_stay_the_same_when_the_page_is_reloaded(client, pool):
    _quiz, module, step_id = make(
        pool, draw_count=3, shuffle_questions=True, shuffle_choices=True, max_attempts=None
    )
    client.force_login(enrolled_learner(module.get_parent()))
    attempt = start(client, module, step_id)
    url = route(module, "step", step_id)

    first = shown_order(client.get(url).content.decode())
    second = shown_order(client.get(url).content.decode())
    json_order = api_post(
        client, "start_quiz_attempt", {"module_id": module.pk, "step_id": step_id}
    ).json()

    assert first == second
    assert len({qid for qid, _ in first}) == 3
    assert [q for q, _ in first[::3]] == attempt.question_ids
    assert json_order["attempt_id"] == attempt.pk  # the open attempt, not a new draw
    assert [(q["id"], c["id"]) for q in json_order["questions"] for c in q["choices"]] == first


@pytest.mark.django_db
def test_new_attempts_draw_anew(pool):
    _quiz, module, step_id = make(
        pool, draw_count=3, shuffle_questions=True, shuffle_choices=True, max_attempts=None
    )
    learner = enrolled_learner(module.get_parent())
    pool_ids = {q["id"] for q in pool}
    draws = set()
    for _ in range(12):
        attempt = lms.start_quiz_attempt(learner, module=module, step_id=step_id)
        assert len(set(attempt.question_ids)) == 3
        assert set(attempt.question_ids) <= pool_ids
        draws.add(
            (tuple(attempt.question_ids), tuple(tuple(v) for v in attempt.choice_order.values()))
        )
        lms.submit_quiz_attempt(learner, module=module, attempt_id=attempt.pk, answers={})

    # 120 ordered draws × 6³ choice orders: twelve identical ones would mean no randomness.
    assert len(draws) > 1


@pytest.mark.django_db
@pytest.mark.parametrize("draw_count", [3, 4])
def test_with_fresh_draws_a_new_attempt_draws_first_what_the_last_did_not_have(pool, draw_count):
    _quiz, module, step_id = make(pool, draw_count=draw_count, fresh_draw=True, max_attempts=None)
    learner = enrolled_learner(module.get_parent())
    previous: set[str] = set()
    for _ in range(4):
        attempt = lms.start_quiz_attempt(learner, module=module, step_id=step_id)
        drawn = set(attempt.question_ids)
        assert len(drawn) == draw_count
        # 6 in the pool: 3 drawn are all new; of 4, the 2 not had last time and 2 again.
        assert len(drawn - previous) == min(draw_count, 6 - len(previous))
        lms.submit_quiz_attempt(learner, module=module, attempt_id=attempt.pk, answers={})
        previous = drawn


@pytest.mark.django_db
def test_without_shuffling_questions_and_choices_keep_the_editors_order(pool):
    _quiz, module, step_id = make(pool, shuffle_questions=False, shuffle_choices=False)
    attempt = lms.start_quiz_attempt(
        enrolled_learner(module.get_parent()), module=module, step_id=step_id
    )

    assert attempt.question_ids == [q["id"] for q in pool]
    assert attempt.choice_order == {q["id"]: ids_of(q) for q in pool}


# --- Grading ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_attempt_is_graded_against_the_revision_it_started_on(
    learner, learner_client, quiz, module, step_id, questions
):
    attempt = start(learner_client, module, step_id)
    old_right = right_answers(questions)
    # The editor now publishes a revision where "Fem" is the right answer, reworded.
    grounds = questions[0]
    fem, sju = grounds["value"]["choices"]
    fem["value"]["correct"], sju["value"]["correct"] = True, False
    grounds["value"]["question"] = "OMFORMULERAD fråga"
    quiz.questions = questions
    quiz.save_revision().publish()

    page = learner_client.get(route(module, "step", step_id)).content.decode()
    assert "OMFORMULERAD" not in page  # the open attempt still shows what it was drawn from
    response = learner_client.post(route(module, "step", step_id), as_form(attempt.pk, old_right))

    attempt.refresh_from_db()
    assert response.status_code == 302
    assert attempt.score == 100
    assert attempt.passed

    # A new attempt is drawn from, and graded against, the new revision.
    module = ModulePage.objects.get(pk=module.pk)  # as the next request loads it
    second = lms.start_quiz_attempt(learner, module=module, step_id=step_id)
    result = lms.submit_quiz_attempt(
        learner, module=module, attempt_id=second.pk, answers=old_right
    )
    assert second.revision_id != attempt.revision_id
    assert not result.questions[0].correct
    assert result.score < 100


@pytest.mark.django_db
def test_points_weigh_questions_and_a_partly_right_multiple_choice_is_wrong(
    learner, quiz, module, step_id, questions
):
    quiz.review = lms.ReviewPolicy.ALWAYS  # to read which question was wrong
    quiz.save_revision().publish()
    module = ModulePage.objects.get(pk=module.pk)  # as the next request loads it
    attempt = lms.start_quiz_attempt(learner, module=module, step_id=step_id)
    answers = right_answers(questions)
    answers[questions[1]["id"]] = answers[questions[1]["id"]][:1]  # one of the two minorities

    result = lms.submit_quiz_attempt(learner, module=module, attempt_id=attempt.pk, answers=answers)

    assert [q.correct for q in result.questions] == [True, False, True]
    assert result.score == 75  # 2 + 0 + 1 of 4 points
    assert not result.passed


@pytest.mark.django_db
def test_failing_does_not_complete_the_step_passing_does_and_the_best_score_is_kept(
    learner, learner_client, module, step_id, questions
):
    url = route(module, "step", step_id)

    def take(answers):
        attempt = start(learner_client, module, step_id)
        learner_client.post(url, as_form(attempt.pk, answers))

    take(wrong_answers(questions))
    assert progress(learner, module, step_id).completed_at is None
    assert progress(learner, module, step_id).best_score == 0

    take(right_answers(questions))
    completed_at = progress(learner, module, step_id).completed_at
    assert completed_at is not None

    take(wrong_answers(questions))
    row = progress(learner, module, step_id)
    assert row.best_score == 100
    assert row.completed_at == completed_at
    assert "Your best score: 100 %." in learner_client.get(url).content.decode()


@pytest.mark.django_db
def test_without_a_required_pass_submitting_completes_the_step(questions):
    _quiz, module, step_id = make(questions, pass_required=False, pass_mark=100)
    learner = enrolled_learner(module.get_parent())
    attempt = lms.start_quiz_attempt(learner, module=module, step_id=step_id)

    result = lms.submit_quiz_attempt(
        learner, module=module, attempt_id=attempt.pk, answers=wrong_answers(questions)
    )

    assert not result.passed
    assert result.step_completed
    assert progress(learner, module, step_id).completed_at is not None


# --- Limits and double submits --------------------------------------------------------------


@pytest.mark.django_db
def test_the_attempt_limit_is_enforced_and_the_remaining_attempts_are_shown(
    learner_client, questions
):
    _quiz, module, step_id = make(questions, max_attempts=2, pass_mark=100)
    learner_client.force_login(enrolled_learner(module.get_parent()))
    url = route(module, "step", step_id)
    assert "2 attempts left." in learner_client.get(url).content.decode()

    first = start(learner_client, module, step_id)
    learner_client.post(url, as_form(first.pk, wrong_answers(questions)))
    assert "1 attempt left." in learner_client.get(url).content.decode()

    second = start(learner_client, module, step_id)
    learner_client.post(url, as_form(second.pk, wrong_answers(questions)))
    page = learner_client.get(url).content.decode()
    assert "0 attempts left." in page
    assert "You have used all your attempts." in page

    refused = learner_client.post(url, {"action": "start"})
    assert refused.status_code == 409
    assert "You have used all 2 attempts." in refused.content.decode()
    api = api_post(
        learner_client, "start_quiz_attempt", {"module_id": module.pk, "step_id": step_id}
    )
    assert api.status_code == 409
    assert api.json()["detail"] == "You have used all 2 attempts."
    assert QuizAttempt.objects.count() == 2


@pytest.mark.django_db
def test_a_double_submitted_form_counts_once(learner, learner_client, module, step_id, questions):
    attempt = start(learner_client, module, step_id)
    url = route(module, "step", step_id)

    first = learner_client.post(url, as_form(attempt.pk, wrong_answers(questions)))
    # The second click arrives with other answers: the first submit stands.
    second = learner_client.post(url, as_form(attempt.pk, right_answers(questions)))

    attempt.refresh_from_db()
    assert first["Location"] == second["Location"] == f"{url}?resultat={attempt.pk}"
    assert QuizAttempt.objects.filter(user=learner).count() == 1
    assert attempt.score == 0
    assert progress(learner, module, step_id).completed_at is None


@pytest.mark.django_db
def test_a_double_submit_through_the_api_returns_the_same_result(
    learner_client, module, step_id, questions
):
    attempt = api_post(
        learner_client, "start_quiz_attempt", {"module_id": module.pk, "step_id": step_id}
    ).json()

    def submit(answers):
        return api_post(
            learner_client,
            "submit_quiz_attempt",
            {"module_id": module.pk, "answers": answers},
            attempt_id=attempt["attempt_id"],
        )

    first = submit(right_answers(questions))
    second = submit(wrong_answers(questions))

    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert first.json()["attempts_used"] == 1
    assert first.json()["passed"] is True
    assert QuizAttempt.objects.count() == 1


# --- Answers that do not belong to the attempt --------------------------------------------


@pytest.fixture
def drawn_one(pool):
    """A quiz that draws one question of six: the others are not in the attempt."""
    _quiz, module, step_id = make(pool, draw_count=1, shuffle_questions=True)
    learner = enrolled_learner(module.get_parent())
    attempt = lms.start_quiz_attempt(learner, module=module, step_id=step_id)
    drawn = attempt.question_ids[0]
    other = next(q for q in pool if q["id"] != drawn)
    return learner, module, step_id, attempt, drawn, other


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("question", "is not a question of this attempt"),
        ("choice", "is not a choice of question"),
    ],
)
def test_an_answer_outside_the_attempt_is_refused_in_the_form(client, drawn_one, kind, message):
    learner, module, step_id, attempt, drawn, other = drawn_one
    client.force_login(learner)
    in_english(client)
    answers = {
        "question": {other["id"]: [ids_of(other)[0]]},
        "choice": {drawn: [ids_of(other)[0]]},
    }[kind]

    response = client.post(route(module, "step", step_id), as_form(attempt.pk, answers))

    attempt.refresh_from_db()
    assert response.status_code == 400
    assert message in response.content.decode()
    assert attempt.submitted_at is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("question", "is not a question of this attempt"),
        ("choice", "is not a choice of question"),
        ("two-for-single", "Choose only one answer"),
    ],
)
def test_an_answer_outside_the_attempt_is_refused_by_the_api(client, drawn_one, kind, message):
    learner, module, step_id, attempt, drawn, other = drawn_one
    client.force_login(learner)
    in_english(client)
    drawn_choices = attempt.choice_order[drawn]
    answers = {
        "question": {other["id"]: [ids_of(other)[0]]},
        "choice": {drawn: [ids_of(other)[0]]},
        "two-for-single": {drawn: drawn_choices[:2]},
    }[kind]

    response = api_post(
        client,
        "submit_quiz_attempt",
        {"module_id": module.pk, "answers": answers},
        attempt_id=attempt.pk,
    )

    attempt.refresh_from_db()
    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert attempt.submitted_at is None


@pytest.mark.django_db
def test_another_learners_attempt_cannot_be_submitted(client, learner, module, step_id):
    attempt = lms.start_quiz_attempt(learner, module=module, step_id=step_id)
    client.force_login(enrolled_learner(module.get_parent()))

    response = api_post(
        client,
        "submit_quiz_attempt",
        {"module_id": module.pk, "answers": {}},
        attempt_id=attempt.pk,
    )

    attempt.refresh_from_db()
    assert response.status_code == 404
    assert attempt.submitted_at is None


@pytest.mark.django_db
def test_another_learners_result_is_not_shown(client, learner, module, step_id, questions):
    attempt = lms.start_quiz_attempt(learner, module=module, step_id=step_id)
    lms.submit_quiz_attempt(
        learner, module=module, attempt_id=attempt.pk, answers=wrong_answers(questions)
    )
    client.force_login(enrolled_learner(module.get_parent()))

    page = client.get(f"{route(module, 'step', step_id)}?resultat={attempt.pk}").content.decode()

    assert "FEEDBACK-fem-fel" not in page
    assert "EXPLANATION-grunder" not in page


# --- Review options: what a result reveals -----------------------------------------------

Policy = lms.ReviewPolicy
# (policy, outcome) -> whether the result reveals the review. "failed, attempts left":
# attempt 1 of 3 failed; "failed, none left": the only attempt failed; "passed".
REVEALS = {
    Policy.NEVER: (False, False, False),
    Policy.AFTER_PASS: (False, False, True),
    Policy.NO_ATTEMPTS_LEFT: (False, True, False),
    Policy.AFTER_PASS_OR_NO_ATTEMPTS_LEFT: (False, True, True),
    Policy.ALWAYS: (True, True, True),
}
OUTCOMES = {
    "failed, attempts left": (3, False),
    "failed, none left": (1, False),
    "passed": (3, True),
}
CORRECT_MARK = "correct answer"  # the HTML review's label on a correct choice


def take_in_the_form(client, module, step_id, answers) -> str:
    attempt = start(client, module, step_id)
    response = client.post(route(module, "step", step_id), as_form(attempt.pk, answers))
    return client.get(response["Location"]).content.decode()


def take_through_the_api(client, module, step_id, answers) -> dict:
    attempt = api_post(
        client, "start_quiz_attempt", {"module_id": module.pk, "step_id": step_id}
    ).json()
    response = api_post(
        client,
        "submit_quiz_attempt",
        {"module_id": module.pk, "answers": answers},
        attempt_id=attempt["attempt_id"],
    )
    assert response.status_code == 200
    return response.json()


@pytest.mark.django_db
@pytest.mark.parametrize("outcome", list(OUTCOMES))
@pytest.mark.parametrize("policy", list(Policy))
def test_a_result_reveals_answers_only_as_the_review_option_allows(
    client, questions, policy, outcome
):
    max_attempts, passing = OUTCOMES[outcome]
    reveals = REVEALS[policy][list(OUTCOMES).index(outcome)]
    _, module, step_id = make(
        questions, pass_mark=100, max_attempts=max_attempts, review=policy.value
    )
    answers = right_answers(questions) if passing else wrong_answers(questions)

    html = take_in_the_form(learner_client_for(client, module), module, step_id, answers)
    result = html.split('class="quiz-result"', 1)[1].split("</section>", 1)[0]
    body = take_through_the_api(learner_client_for(client, module), module, step_id, answers)

    expected_score = "100 % on attempt 1" if passing else "0 % on attempt 1"
    assert expected_score in result  # the score is always shown
    assert body["score"] == (100.0 if passing else 0.0)
    assert body["reviewed"] is reveals
    api_text = str(body)
    if reveals:
        assert CORRECT_MARK in result
        assert ("Incorrect" in result) is not passing
        assert "EXPLANATION-grunder" in result and "EXPLANATION-grunder" in api_text
        assert len(body["questions"]) == 3
        assert any(c["correct"] for q in body["questions"] for c in q["choices"])
        assert "data-review-withheld" not in result
    else:
        for secret in SECRETS:
            assert secret not in result
            assert secret not in api_text
        assert CORRECT_MARK not in result
        assert "Incorrect" not in result and ">Correct<" not in result
        assert body["questions"] == []
        assert "data-review-withheld" in result
        assert str(policy.withheld_message) in result


@pytest.mark.django_db
def test_a_stricter_review_option_applies_to_results_already_taken(client, questions):
    quiz, module, step_id = make(
        questions, pass_mark=100, max_attempts=3, review=Policy.ALWAYS.value
    )
    learner_client = learner_client_for(client, module)
    html = take_in_the_form(learner_client, module, step_id, wrong_answers(questions))
    assert "EXPLANATION-grunder" in html
    quiz.review = Policy.AFTER_PASS.value
    quiz.save_revision().publish()

    attempt = QuizAttempt.objects.get()
    again = learner_client.get(f"{route(module, 'step', step_id)}?resultat={attempt.pk}")

    assert "EXPLANATION-grunder" not in again.content.decode()
