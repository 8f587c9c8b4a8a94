"""Offering evaluations, answering them once, and the one reminder."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail_learning import defaults
from wagtail_learning.lms.api import public_url
from wagtail_learning.org.api import LearnerProfile

from .errors import AlreadyAnswered, InvalidAnswers
from .models import Answer, Evaluation, Participant, Question, Submission

__all__ = [
    "get_open_participation",
    "offer_evaluations",
    "open_evaluations_of",
    "send_reminders",
    "submit_answers",
]


def offer_evaluations(*, user, page_id: int, cycle: int = 1) -> list[Participant]:
    """Offer `user` every active evaluation attached to the page (a completed course or
    module, an attended event), once per cycle: repeating the call offers nothing new."""
    offered = []
    now = timezone.now()
    for evaluation in Evaluation.objects.filter(page_id=page_id, active=True):
        try:
            with transaction.atomic():
                participant, created = Participant.objects.get_or_create(
                    evaluation=evaluation, user=user, cycle=cycle, defaults={"offered_at": now}
                )
        except IntegrityError:  # the same offer made at the same moment elsewhere
            participant = Participant.objects.get(evaluation=evaluation, user=user, cycle=cycle)
            created = False
        if created:  # the offer's one mail, for the row made here: a repeat makes none
            transaction.on_commit(lambda pk=participant.pk: _mail_offer(pk))
        offered.append(participant)
    return offered


def _mail_offer(participant_id: int) -> None:
    """Tell the person they are asked for an evaluation, with the link to answer it."""
    participant = (
        Participant.objects.select_related("evaluation__page", "user")
        .filter(pk=participant_id, answered_at__isnull=True)
        .first()
    )
    if participant is None or not participant.user.email:
        return
    title = participant.evaluation.page.title
    context = {
        "title": title,
        "url": public_url(reverse("evaluations:answer", args=[participant.pk])),
    }
    EmailMessage(
        _("What did you think of %(title)s?") % {"title": title},
        render_to_string("evaluations/email/offer.txt", context),
        None,
        [participant.user.email],
    ).send()


def open_evaluations_of(user) -> list[Participant]:
    """The evaluations offered to `user` that they have not answered, newest first."""
    return list(
        Participant.objects.filter(user=user, answered_at__isnull=True, evaluation__active=True)
        .select_related("evaluation")
        .order_by("-offered_at", "-pk")
    )


def get_open_participation(user, participant_id: int) -> Participant:
    """`user`'s own offer `participant_id` (raises Participant.DoesNotExist for anyone
    else's: an offer is no one else's business)."""
    return Participant.objects.select_related("evaluation").get(pk=participant_id, user=user)


def _clean(question: Question, raw: str) -> tuple[int | None, str]:
    """(value, text) of one answer, or ValueError with the message for the person."""
    raw = (raw or "").strip()
    if not raw:
        if question.required:
            raise ValueError(_("Please answer this question."))
        return None, ""
    if question.kind == Question.Kind.TEXT:
        if len(raw) > 4000:
            raise ValueError(_("Please keep the answer under 4000 characters."))
        return None, raw
    if question.kind == Question.Kind.YES_NO:
        if raw not in {"yes", "no"}:
            raise ValueError(_("Answer yes or no."))
        return (1 if raw == "yes" else 0), ""
    if raw not in {"1", "2", "3", "4", "5"}:
        raise ValueError(_("Choose a number from 1 to 5."))
    return int(raw), ""


def submit_answers(participant: Participant, *, answers: Mapping[str, str]) -> Submission:
    """Record the person's answers to `participant.evaluation` once for its cycle. The
    answers are stored without the person (no user, no time); the participant row only
    says that they answered. `answers` maps a question id (as text) to the answer: 1-5 for
    a scale, "yes"/"no", or text.

    Raises InvalidAnswers (a message per question) or AlreadyAnswered. Two submissions at
    once: the participant row is locked, so the second finds it answered."""
    questions = participant.evaluation.questions()
    cleaned, errors = {}, {}
    for question in questions:
        try:
            cleaned[question] = _clean(question, answers.get(str(question.pk), ""))
        except ValueError as error:
            errors[question.pk] = str(error)
    if errors:
        raise InvalidAnswers(errors)
    profile = LearnerProfile.objects.filter(user_id=participant.user_id).first()
    with transaction.atomic():
        locked = Participant.objects.select_for_update().get(pk=participant.pk)
        if locked.answered_at is not None:
            raise AlreadyAnswered(_("You have already answered this evaluation."))
        locked.answered_at = timezone.now()
        locked.save(update_fields=["answered_at"])
        submission = Submission.objects.create(
            evaluation_id=locked.evaluation_id,
            cycle=locked.cycle,
            organisation_id=profile.organisation_id if profile else None,
            unit_id=profile.unit_id if profile else None,
        )
        Answer.objects.bulk_create(
            Answer(submission=submission, question=question, value=value, text=text)
            for question, (value, text) in cleaned.items()
            if value is not None or text
        )
    participant.answered_at = locked.answered_at
    return submission


def send_reminders(*, now=None) -> int:
    """One reminder to each person who has not answered an evaluation offered at least
    LMS_EVALUATION_REMINDER_DAYS ago. Safe to run again: a participant is marked reminded
    in the same statement that claims it, so no one gets a second one. Answers how many
    were sent."""
    now = now or timezone.now()
    due = Participant.objects.filter(
        answered_at__isnull=True,
        reminded_at__isnull=True,
        evaluation__active=True,
        offered_at__lte=now - timedelta(days=defaults.value("LMS_EVALUATION_REMINDER_DAYS")),
    ).select_related("evaluation__page", "user")
    sent = 0
    for participant in due:
        claimed = Participant.objects.filter(pk=participant.pk, reminded_at__isnull=True).update(
            reminded_at=now
        )
        if not claimed or not participant.user.email:
            continue
        context = {
            "participant": participant,
            "evaluation": participant.evaluation,
            "title": participant.evaluation.page.title,
            "url": public_url(reverse("evaluations:answer", args=[participant.pk])),
        }
        EmailMessage(
            _("Reminder: what did you think of %(title)s?")
            % {"title": participant.evaluation.page.title},
            render_to_string("evaluations/email/reminder.txt", context),
            None,
            [participant.user.email],
        ).send()
        sent += 1
    return sent
