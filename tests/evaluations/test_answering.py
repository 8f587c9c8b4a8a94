"""A learner is offered an evaluation when they complete a course (or a module, or attend
an event), answers it once on its page, and the answers are stored without them."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import models
from django.urls import reverse

from tests.events.helpers import make_event
from tests.factories import OneModuleCourse, org_unit, staff_member
from wagtail_learning.evaluations.models import Answer, Participant, Submission
from wagtail_learning.events import api as events

from .helpers import answers_for, make_evaluation

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit():
    return org_unit("Enhet Tumba", org_unit("Botkyrka kommun"))


def test_completing_the_course_offers_its_evaluation_once(unit, django_capture_on_commit_callbacks):
    course = OneModuleCourse()
    evaluation = make_evaluation(course.course)
    learner = staff_member(unit, username="lisa")
    with django_capture_on_commit_callbacks(execute=True):
        course.take(learner, reflection="Vi pratar om det på APT.", correct=True)
    offered = Participant.objects.filter(evaluation=evaluation, user=learner)
    assert offered.count() == 1
    assert offered.get().answered_at is None


def test_attending_an_event_offers_its_evaluation(unit, django_capture_on_commit_callbacks):
    event = make_event()
    evaluation = make_evaluation(event)
    learner = staff_member(unit, username="omar")
    events.register(learner, event=event)
    session = event.sessions.first()
    with django_capture_on_commit_callbacks(execute=True):  # attendance: once it is held
        events.mark_attendance(learner, session=session, attended=True, now=session.start)
    assert Participant.objects.filter(evaluation=evaluation, user=learner).exists()


@pytest.fixture
def offered(unit):
    course = OneModuleCourse()
    evaluation = make_evaluation(course.course)
    learner = staff_member(unit, username="lisa")
    participant = Participant.objects.create(
        evaluation=evaluation, user=learner, offered_at="2026-11-01T10:00Z"
    )
    return evaluation, learner, participant


def test_the_learner_answers_once_and_a_second_answer_is_refused(client, offered):
    evaluation, learner, participant = offered
    client.force_login(learner)
    url = reverse("evaluations:answer", args=[participant.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Innehållet var relevant" in page.content.decode()

    given = answers_for(evaluation, text="Mer tid")
    sent = client.post(url, {f"q-{k}": v for k, v in given.items()})
    assert sent.status_code == 302
    assert Submission.objects.filter(evaluation=evaluation).count() == 1

    again = client.post(url, {f"q-{k}": v for k, v in answers_for(evaluation).items()})
    assert again.status_code == 409
    assert "Du har redan svarat på den här utvärderingen." in again.content.decode()
    assert Submission.objects.filter(evaluation=evaluation).count() == 1


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"scale": "7"}, "Välj ett tal från 1 till 5."),
        ({"scale": ""}, "Svara på frågan."),
        ({"yes_no": "kanske"}, "Svara ja eller nej."),
    ],
)
def test_bad_answers_are_refused_with_a_message_and_nothing_is_stored(
    client, offered, values, message
):
    evaluation, learner, participant = offered
    client.force_login(learner)
    response = client.post(
        reverse("evaluations:answer", args=[participant.pk]),
        {f"q-{k}": v for k, v in answers_for(evaluation, **values).items()},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Submission.objects.exists()
    participant.refresh_from_db()
    assert participant.answered_at is None


def test_someone_elses_evaluation_is_not_found(client, offered, unit):
    _evaluation, _learner, participant = offered
    client.force_login(staff_member(unit, username="nyfiken"))
    assert client.get(reverse("evaluations:answer", args=[participant.pk])).status_code == 404


def _reaches_user(model, seen=()) -> list[str]:
    """Every chain of relations from `model` that ends at the user model (answers to the
    evaluation's own definition, its page and owner, are not the respondent)."""
    user = get_user_model()
    found = []
    for field in model._meta.get_fields():
        if not (field.is_relation and field.many_to_one and field.concrete):
            continue
        target = field.related_model
        if target is user:
            found.append(f"{model.__name__}.{field.name}")
        elif target in (Submission, Answer) and target not in seen:
            found += _reaches_user(target, (*seen, model))
    return found


def test_no_answer_row_leads_to_a_person():
    """Answers and their submission carry no user, no time (which would line them up with
    who answered, and when) and no id in order of arrival."""
    assert _reaches_user(Answer) == []
    assert _reaches_user(Submission) == []
    for model in (Submission, Answer):
        kinds = {type(f) for f in model._meta.concrete_fields}
        assert not kinds & {models.DateTimeField, models.DateField, models.TimeField}, model
    assert isinstance(Submission._meta.pk, models.UUIDField)


def test_the_record_says_that_they_answered_not_what(client, offered):
    evaluation, learner, participant = offered
    client.force_login(learner)
    client.post(
        reverse("evaluations:answer", args=[participant.pk]),
        {f"q-{k}": v for k, v in answers_for(evaluation, text="Föreläsaren var otydlig").items()},
    )
    record = client.get(reverse("learning:training_record"))
    body = record.content.decode()
    assert "Utvärdering av kursen" in body
    assert "Föreläsaren var otydlig" not in body
    exported = client.get(reverse("learning:training_record_json")).content.decode()
    assert "Utvärdering av kursen" in exported
    assert "Föreläsaren var otydlig" not in exported


def test_the_offer_is_mailed_once_with_the_link_to_answer(
    unit, django_capture_on_commit_callbacks, mailoutbox
):
    from wagtail_learning.evaluations.services import offer_evaluations

    course = OneModuleCourse()
    make_evaluation(course.course)
    learner = staff_member(unit, username="lisa", email="lisa@botkyrka.example.se")
    with django_capture_on_commit_callbacks(execute=True):
        course.take(learner, reflection="Bra kurs.", correct=True)
    with django_capture_on_commit_callbacks(execute=True):
        offer_evaluations(user=learner, page_id=course.course.pk)  # offered again: no mail

    (offer,) = [m for m in mailoutbox if "Vad tyckte du om" in m.subject]
    assert offer.to == ["lisa@botkyrka.example.se"]
    participant = Participant.objects.get(user=learner)
    assert f"/utvardering/{participant.pk}/" in offer.body
    assert "anonyma" in offer.body


def test_the_course_page_links_the_evaluation_the_learner_has_open_until_answered(
    client, unit, django_capture_on_commit_callbacks
):
    course = OneModuleCourse()
    evaluation = make_evaluation(course.course)
    learner = staff_member(unit, username="lisa")
    with django_capture_on_commit_callbacks(execute=True):
        course.take(learner, reflection="Bra kurs.", correct=True)
    participant = Participant.objects.get(user=learner)
    client.force_login(learner)
    answer_url = reverse("evaluations:answer", args=[participant.pk])

    page = client.get(course.course.url).content.decode()
    assert f'href="{answer_url}"' in page

    client.post(answer_url, {f"q-{k}": v for k, v in answers_for(evaluation).items()})
    assert Participant.objects.get(pk=participant.pk).answered_at is not None
    assert f'href="{answer_url}"' not in client.get(course.course.url).content.decode()
