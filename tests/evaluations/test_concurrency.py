"""Two answers sent at once for the same person and cycle (a double click, two tabs): one
is stored, the other refused. Needs PostgreSQL's row locks and concurrent transactions."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.events.test_concurrency import at_once
from tests.factories import CoursePageFactory, org_unit, staff_member
from wagtail_learning.evaluations.errors import AlreadyAnswered
from wagtail_learning.evaluations.models import Answer, Participant, Submission
from wagtail_learning.evaluations.services import offer_evaluations, submit_answers

from .helpers import answers_for, make_evaluation

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: row locks, concurrent transactions (SQLite serialises writers)",
    ),
]


def test_two_answers_at_once_store_one():
    evaluation = make_evaluation(CoursePageFactory(title="Arbetsmiljö"))
    person = staff_member(org_unit("Enhet", org_unit("Solna stad")), username="dubbel")
    (participant,) = offer_evaluations(user=person, page_id=evaluation.page_id)
    answers = answers_for(evaluation, text="Bra")

    results = at_once(
        [
            lambda: submit_answers(Participant.objects.get(pk=participant.pk), answers=answers)
            for _ in range(2)
        ]
    )

    assert sorted(type(r).__name__ for r in results) == ["AlreadyAnswered", "Submission"]
    assert any(isinstance(r, AlreadyAnswered) for r in results)
    assert Submission.objects.filter(evaluation=evaluation).count() == 1
    assert Answer.objects.filter(submission__evaluation=evaluation).count() == 3
