"""The rules of one answer, as stored: yes is 1 and no is 0, a text of 4000 characters is
kept and one more is refused; the submission is handed back; nobody without an address is
mailed (the offer, the reminder)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import CoursePageFactory, org_unit, staff_member
from wagtail_learning.evaluations.errors import InvalidAnswers
from wagtail_learning.evaluations.models import Answer, Participant, Submission
from wagtail_learning.evaluations.services import (
    offer_evaluations,
    send_reminders,
    submit_answers,
)

from .helpers import answers_for, make_evaluation

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluation():
    return make_evaluation(CoursePageFactory(title="Bemötande"))


def person(name: str, email: str | None = None):
    unit = org_unit("Enhet", org_unit("Huddinge kommun"))
    return staff_member(unit, username=name, email=email if email is not None else f"{name}@x.se")


@pytest.mark.parametrize(("given", "stored"), [("yes", 1), ("no", 0)])
def test_yes_is_stored_as_1_and_no_as_0(evaluation, given, stored):
    (participant,) = offer_evaluations(user=person("ja"), page_id=evaluation.page_id)

    submission = submit_answers(participant, answers=answers_for(evaluation, yes_no=given))

    assert isinstance(submission, Submission) and submission.pk is not None
    _scale, yes_no, _text = evaluation.questions()
    assert Answer.objects.get(submission=submission, question=yes_no).value == stored


def test_a_text_of_4000_characters_is_kept_and_one_more_is_refused(evaluation):
    (first,) = offer_evaluations(user=person("lang"), page_id=evaluation.page_id)
    (second,) = offer_evaluations(user=person("langre"), page_id=evaluation.page_id)

    with pytest.raises(InvalidAnswers):
        submit_answers(second, answers=answers_for(evaluation, text="å" * 4001))
    kept = submit_answers(first, answers=answers_for(evaluation, text="å" * 4000))

    _scale, _yes_no, text = evaluation.questions()
    assert len(Answer.objects.get(submission=kept, question=text).text) == 4000


def test_nobody_without_an_address_is_mailed_the_offer_nor_the_reminder(
    evaluation, mailoutbox, django_capture_on_commit_callbacks
):
    silent = person("utanadress", email="")
    with django_capture_on_commit_callbacks(execute=True):
        offer_evaluations(user=silent, page_id=evaluation.page_id)
    Participant.objects.filter(user=silent).update(offered_at=timezone.now() - timedelta(days=8))

    assert send_reminders() == 0
    assert mailoutbox == []
