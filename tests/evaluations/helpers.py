"""Evaluations for tests: one with a scale, a yes/no and a free-text question, and people
who answer it through the service (as the answer page does)."""

from __future__ import annotations

from wagtail_learning.evaluations.models import Evaluation, EvaluationQuestion, Question
from wagtail_learning.evaluations.services import offer_evaluations, submit_answers


def make_evaluation(page, *, owner=None, title="Utvärdering av kursen") -> Evaluation:
    evaluation = Evaluation.objects.create(title=title, page=page, owner=owner)
    questions = [
        Question.objects.create(text="Innehållet var relevant", kind="scale"),
        Question.objects.create(text="Rekommenderar du den?", kind="yes_no"),
        Question.objects.create(text="Vad kan bli bättre?", kind="text", required=False),
    ]
    for order, question in enumerate(questions):
        EvaluationQuestion.objects.create(
            evaluation=evaluation, question=question, sort_order=order
        )
    return evaluation


def answers_for(evaluation, *, scale="4", yes_no="yes", text="") -> dict[str, str]:
    scale_q, yes_q, text_q = evaluation.questions()
    return {str(scale_q.pk): scale, str(yes_q.pk): yes_no, str(text_q.pk): text}


def answer(evaluation, person, **values):
    (participant,) = offer_evaluations(user=person, page_id=evaluation.page_id)
    return submit_answers(participant, answers=answers_for(evaluation, **values))
