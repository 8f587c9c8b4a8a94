"""The demo of evaluations (issue 24): the course "Nationella minoriteter" has an
evaluation of the library's standard questions, answered by six people of Huddinge's
largest unit (their figures show: at least k = 5 answers) and three of each of the next
two (groups under k: nothing shown for them; two of them, so that the whole minus the
shown unit is a group of six and no shown unit has to be withheld to protect them).
Huddinge lets the evaluators read its results.

Idempotent like the rest of seed_demo: the evaluation is looked up by its title, an offer
is made once per person and cycle, and a person who has answered is left alone."""

from __future__ import annotations

from django.db.models import Count
from wagtail.models import Page

from wagtail_learning.evaluations.api import (
    Evaluation,
    EvaluationQuestion,
    OrganisationConsent,
    Question,
    offer_evaluations,
    submit_answers,
)
from wagtail_learning.org.api import LearnerProfile, Organisation

TITLE = "Kursutvärdering: Nationella minoriteter"
COURSE_SLUG = "nationella-minoriteter"
MUNICIPALITY = "Huddinge kommun"
# How many answer in the largest units: one group that shows, two under k.
GROUPS = (6, 3, 3)
TEXTS = [
    "Fler exempel från förskolan",
    "Mer tid för diskussion i grupp",
    "",
    "Filmerna var bra men långa",
]


def _answers(questions, index: int) -> dict[str, str]:
    answers = {}
    for question in questions:
        if question.kind == "scale":
            answers[str(question.pk)] = str(3 + (index + question.pk) % 3)
        elif question.kind == "yes_no":
            answers[str(question.pk)] = "no" if index % 4 == 3 else "yes"
        else:
            answers[str(question.pk)] = TEXTS[index % len(TEXTS)]
    return answers


def seed_evaluations(note) -> None:
    course = Page.objects.filter(slug=COURSE_SLUG).first()
    municipality = Organisation.objects.filter(depth=1, name=MUNICIPALITY).first()
    if course is None or municipality is None:
        note("evaluations", "course or municipality missing", outcome="skipped")
        return
    evaluation, created = Evaluation.objects.get_or_create(
        title=TITLE, defaults={"page": course, "owner": municipality}
    )
    note("evaluations", TITLE, created=created)
    if created:
        standard = Question.objects.filter(owner=None).order_by("pk")
        for order, question in enumerate(standard):
            EvaluationQuestion.objects.create(
                evaluation=evaluation, question=question, sort_order=order
            )
    OrganisationConsent.objects.get_or_create(
        organisation=municipality, defaults={"share_with_evaluators": True}
    )
    questions = evaluation.questions()
    index = 0
    units = (
        Organisation.objects.filter(path__startswith=municipality.path, depth__gt=1)
        .annotate(staff=Count("members"))
        .filter(staff__gt=0)
        .order_by("-staff", "path")
    )
    for unit, count in zip(units, GROUPS, strict=False):
        unit_name = unit.name
        profiles = LearnerProfile.objects.filter(unit=unit).select_related("user")
        for profile in profiles.order_by("user__username")[:count]:
            for participant in offer_evaluations(user=profile.user, page_id=course.pk):
                if participant.answered_at is None:
                    submit_answers(participant, answers=_answers(questions, index))
                    note("evaluation answers", unit_name, created=True)
            index += 1
