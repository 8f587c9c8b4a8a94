"""Finishing a step leads on: after a passed quiz the next step, after the last step of a
module a "module complete" panel with the next module (and the certificate link once the
course is done); no "Try again" after a pass (modules/views.py, lms/state.py)."""

import pytest

from tests.factories import (
    CertificateDesignFactory,
    CoursePageFactory,
    ModulePageFactory,
    QuizFactory,
    UserFactory,
    choice,
    enrol,
    in_english,
    quiz_step,
    reading_step,
    route,
    single_choice,
)
from wagtail_learning.lms import api as lms


def one_question_quiz():
    right, wrong = choice("Sju", correct=True), choice("Fem")
    question = single_choice("Hur många diskrimineringsgrunder?", [wrong, right])
    quiz = QuizFactory(title="Kunskapstest", questions=[question])
    return quiz, question, right, wrong


@pytest.fixture
def course():
    """Two modules: Grund (a reading, then a quiz) and Fördjupning (requires Grund)."""
    quiz, question, right, wrong = one_question_quiz()
    course = CoursePageFactory(title="Likabehandling")
    basic = ModulePageFactory(
        parent=course, title="Grund", steps=[reading_step("Läs lagen"), quiz_step(quiz)]
    )
    advanced = ModulePageFactory(
        parent=course,
        title="Fördjupning",
        steps=[quiz_step(quiz), reading_step("Efteråt")],
        prerequisites=[basic],
    )
    course.answers = {
        "right": {question["id"]: [right["id"]]},
        "wrong": {question["id"]: [wrong["id"]]},
    }
    course.basic, course.advanced = basic, advanced
    return course


@pytest.fixture
def learner(course):
    user = UserFactory()
    enrol(user, course)
    return user


@pytest.fixture
def learner_client(client, learner):
    client.force_login(learner)
    return in_english(client)


def take_quiz(client, module, step_id, answers) -> str:
    url = route(module, "step", step_id)
    client.post(url, {"action": "start"})
    attempt = lms.QuizAttempt.objects.filter(submitted_at__isnull=True).latest("pk")
    form = {"action": "submit", "attempt": str(attempt.pk)}
    form |= {f"q-{qid}": chosen for qid, chosen in answers.items()}
    response = client.post(url, form)
    assert response.status_code == 302
    return client.get(response["Location"]).content.decode()


def panel(html: str) -> str:
    return html.split("data-module-complete", 1)[1].split("</section>", 1)[0]


@pytest.mark.django_db
def test_passing_the_last_quiz_shows_module_complete_and_the_next_module(
    learner, learner_client, course
):
    basic, advanced = course.basic, course.advanced
    lms.complete_step(learner, module=basic, step_id=basic.steps[0].id)

    html = take_quiz(learner_client, basic, basic.steps[1].id, course.answers["right"])

    assert "Module complete" in html
    assert f'href="{advanced.url}" data-next-module' in panel(html)
    assert "Next module: Fördjupning" in panel(html)
    assert "You have passed this quiz." in html
    assert "Try again" not in html
    assert "data-certificate-link" not in html  # the course is not done yet
    overview = learner_client.get(basic.url).content.decode()
    assert f'href="{advanced.url}" data-next-module' in panel(overview)


@pytest.mark.django_db
def test_a_passed_quiz_offers_no_new_attempt_even_without_its_result(
    learner, learner_client, course
):
    basic = course.basic
    take_quiz(learner_client, basic, basic.steps[1].id, course.answers["right"])

    html = learner_client.get(route(basic, "step", basic.steps[1].id)).content.decode()

    assert "You have passed this quiz." in html
    assert "Try again" not in html
    assert 'value="start"' not in html


@pytest.mark.django_db
def test_a_failed_quiz_with_attempts_left_offers_try_again_and_no_module_complete(
    learner, learner_client, course
):
    basic = course.basic
    lms.complete_step(learner, module=basic, step_id=basic.steps[0].id)

    html = take_quiz(learner_client, basic, basic.steps[1].id, course.answers["wrong"])

    assert "Try again" in html
    assert "data-module-complete" not in html
    assert "You have passed this quiz." not in html


@pytest.mark.django_db
def test_passing_a_quiz_in_the_middle_of_a_module_leads_to_the_next_step(
    learner, learner_client, course
):
    basic, advanced = course.basic, course.advanced
    lms.complete_step(learner, module=basic, step_id=basic.steps[0].id)
    take_quiz(learner_client, basic, basic.steps[1].id, course.answers["right"])

    html = take_quiz(learner_client, advanced, advanced.steps[0].id, course.answers["right"])

    next_url = route(advanced, "step", advanced.steps[1].id)
    assert f'href="{next_url}" data-next-step' in html
    assert "Next step: Efteråt" in html
    assert "data-module-complete" not in html  # "Efteråt" is still to do


@pytest.mark.django_db
def test_completing_the_last_module_shows_the_course_done_and_the_certificate_link(
    learner, learner_client, course
):
    course.certificate_design = CertificateDesignFactory(revision=True)
    course.save_revision().publish()
    basic, advanced = course.basic, course.advanced
    lms.complete_step(learner, module=basic, step_id=basic.steps[0].id)
    take_quiz(learner_client, basic, basic.steps[1].id, course.answers["right"])
    take_quiz(learner_client, advanced, advanced.steps[0].id, course.answers["right"])
    response = learner_client.post(route(advanced, "step", advanced.steps[1].id))
    assert response.status_code == 302

    html = learner_client.get(response["Location"]).content.decode()

    done = panel(html)
    assert "You have completed the course Likabehandling." in done
    assert "data-certificate-link" in done
    assert "data-next-module" not in done  # nothing left to do
