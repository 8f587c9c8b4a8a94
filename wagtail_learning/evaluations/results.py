"""Evaluation results: figures per question for the whole evaluation (a course, a module,
an event) and per organisation or unit, each only for a group of at least k answers
(LMS_EVALUATION_MIN_ANSWERS, default 5), free text too.

Who reads what (decision 0040):
- Superusers, and the editors of the organisation that owns the evaluation (the owner of a
  shared course), read every organisation's answers.
- Coordinators read the answers of the people of their reporting scope (the wall).
- Evaluators (the permission evaluations.view_results_across) read, besides, the answers
  of the organisations that consented (`OrganisationConsent`).
- Anyone else reads nothing.
Within what a reader may read, a group under k shows nothing (not its count either), and
`compliance.api.withhold_small_groups` (decision 0034) withholds the next smallest group
when the total would give a withheld one back by subtraction. Free text is shown only for
the whole (never per group, where subtracting one group's list from the whole's would
give a small group's words back), sorted, so its order says nothing about who wrote it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from wagtail_learning.compliance.api import Withheld, withhold_small_groups
from wagtail_learning.org.api import Organisation, editing_organisations, scope_filter

from .conf import min_answers
from .models import Answer, Evaluation, OrganisationConsent, Question, Submission

__all__ = [
    "BREAKDOWNS",
    "VIEW_ACROSS",
    "EvaluationResults",
    "Group",
    "QuestionFigures",
    "evaluations_with_results_for",
    "get_results",
    "may_read_results",
]

VIEW_ACROSS = "evaluations.view_results_across"
BREAKDOWNS = ("total", "organisation", "unit")


@dataclass
class QuestionFigures:
    question: Question
    answered: int = 0
    # Scale: how many chose 1..5; yes/no: [yes, no]. Shares are of `answered`.
    counts: list[int] = field(default_factory=list)
    mean: float | None = None


@dataclass
class Group:
    """The answers of one organisation or unit (`organisation`), or of all (the total).
    When the group is under k, `answers` and `questions` are a `Withheld` mark."""

    organisation: Any
    label: str
    answers: int | Withheld
    questions: list[QuestionFigures] | Withheld
    texts: dict[int, list[str]] | Withheld = field(default_factory=dict)
    withheld: Withheld | None = None


@dataclass
class EvaluationResults:
    evaluation: Evaluation
    by: str
    k: int
    total: Group
    rows: list[Group]
    questions: list[Question]


def _consenting() -> list[int]:
    return list(
        OrganisationConsent.objects.filter(share_with_evaluators=True).values_list(
            "organisation_id", flat=True
        )
    )


def _readable(user, evaluation: Evaluation) -> Q | None:
    """The submissions of `evaluation` that `user` may read, as a Q; None: none at all."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser or (
        evaluation.owner_id is not None and evaluation.owner_id in editing_organisations(user)
    ):
        return Q()
    condition = Q(pk__in=[])
    tops = scope_filter(user, "unit__path")
    condition |= tops | scope_filter(user, "organisation__path")
    if user.has_perm(VIEW_ACROSS):
        condition |= Q(organisation_id__in=_consenting())
    return condition


def may_read_results(user, evaluation: Evaluation) -> bool:
    """Whether `user` may open the results of `evaluation` at all (they may still read no
    answers: then the page says so)."""
    return _readable(user, evaluation) is not None and (
        user.is_superuser
        or user.has_perm(VIEW_ACROSS)
        or (evaluation.owner_id is not None and evaluation.owner_id in editing_organisations(user))
        or user.has_perm("compliance.view_compliance")
    )


def evaluations_with_results_for(user) -> list[Evaluation]:
    """The evaluations whose results page `user` may open, by title."""
    return [
        evaluation
        for evaluation in Evaluation.objects.select_related("page").order_by("title", "pk")
        if may_read_results(user, evaluation)
    ]


def _figures(questions: list[Question], rows: dict[tuple[int, int | None], int]) -> list:
    figures = []
    for question in questions:
        if question.kind == Question.Kind.SCALE:
            counts = [rows.get((question.pk, value), 0) for value in range(1, 6)]
            answered = sum(counts)
            mean = (
                sum(value * count for value, count in zip(range(1, 6), counts, strict=True))
                / answered
                if answered
                else None
            )
        elif question.kind == Question.Kind.YES_NO:
            counts = [rows.get((question.pk, 1), 0), rows.get((question.pk, 0), 0)]
            answered = sum(counts)
            mean = None
        else:
            counts, mean = [], None
            answered = rows.get((question.pk, None), 0)
        figures.append(QuestionFigures(question, answered=answered, counts=counts, mean=mean))
    return figures


def get_results(user, evaluation: Evaluation, *, by: str = "total") -> EvaluationResults:
    """The results of `evaluation` that `user` may read, for the whole and, with `by`
    "organisation" or "unit", per group; small groups withheld (see the module). A fixed
    number of queries, whatever the number of answers."""
    if by not in BREAKDOWNS:
        by = "total"
    k = min_answers()
    questions = evaluation.questions()
    readable = _readable(user, evaluation)
    submissions = Submission.objects.filter(evaluation=evaluation)
    submissions = submissions.filter(readable) if readable is not None else submissions.none()
    key = {"organisation": "organisation_id", "unit": "unit_id"}.get(by)

    sizes: dict[int | None, int] = {}
    if key:
        for row in submissions.values(key).annotate(n=Count("pk")).order_by():
            sizes[row[key]] = row["n"]
    total_size = submissions.count()
    answers = Answer.objects.filter(submission__in=submissions)
    per_group: dict[Any, dict] = defaultdict(dict)
    all_rows: dict[tuple[int, int | None], int] = defaultdict(int)
    group_field = f"submission__{key}" if key else None
    values = ["question_id", "value"] + ([group_field] if group_field else [])
    for row in answers.values(*values).annotate(n=Count("pk")).order_by():
        item = (row["question_id"], row["value"])
        all_rows[item] += row["n"]
        if group_field:
            per_group[row[group_field]][item] = row["n"]

    total = Group(
        organisation=SimpleNamespace(pk=0),
        label=_("All answers"),
        answers=total_size,
        questions=_figures(questions, all_rows),
    )
    groups: list[Group] = []
    if key:
        named = Organisation.objects.in_bulk([pk for pk in sizes if pk is not None])
        for pk, size in sizes.items():
            organisation = named.get(pk)
            groups.append(
                Group(
                    organisation=organisation or SimpleNamespace(pk=-1),
                    label=organisation.name if organisation else _("Not placed"),
                    answers=size,
                    questions=_figures(questions, per_group.get(pk, {})),
                )
            )
        groups.sort(key=lambda group: group.label)
    withhold_small_groups(
        groups,
        total,
        own=(),
        size="answers",
        figures=("answers", "questions"),
        total_of=lambda shown: SimpleNamespace(answers=sum(g.answers for g in shown)),
        k=k,
    )
    if not isinstance(total.answers, Withheld) and 0 < total.answers < k:
        mark = Withheld(k, small=True)
        total.answers = total.questions = total.withheld = mark
    if isinstance(total.answers, Withheld):
        total.texts = total.answers
    elif total.answers:
        texts: dict[int, list[str]] = defaultdict(list)
        for question_id, text in (
            answers.exclude(text="").values_list("question_id", "text").order_by("text")
        ):
            texts[question_id].append(text)
        total.texts = dict(texts)
    return EvaluationResults(
        evaluation=evaluation, by=by, k=k, total=total, rows=groups, questions=questions
    )
