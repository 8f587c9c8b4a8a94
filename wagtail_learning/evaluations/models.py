"""Evaluations: questions from a shared library, attached to the end of a course or a
module or to an event; who was offered one and who answered; and the answers, which name
no one (decision 0040).

The answers (`Submission` and its `Answer` rows) hold no user, no time and no sequential
id: nothing in them leads back to a person, and they cannot be lined up with the
`Participant` rows (who answered, and when) by order or by time. They keep the
organisation and unit the person belonged to, for the breakdowns, which are shown only
for groups of at least k answers.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import Orderable

from wagtail_learning.org.api import owner_field

# The page apps an evaluation may be attached to: a course's end, a module's end, an event.
ATTACHABLE_APPS = ("courses", "modules", "events")


class Question(models.Model):
    """A question of the library, shared so that results compare across courses."""

    class Kind(models.TextChoices):
        SCALE = "scale", _("Scale 1-5")
        YES_NO = "yes_no", _("Yes or no")
        TEXT = "text", _("Free text")

    text = models.CharField(_("question"), max_length=300)
    kind = models.CharField(_("kind of answer"), max_length=8, choices=Kind.choices)
    required = models.BooleanField(_("required"), default=True)
    owner = owner_field()

    panels = [FieldPanel("text"), FieldPanel("kind"), FieldPanel("required")]

    class Meta:
        verbose_name = _("evaluation question")
        verbose_name_plural = _("evaluation questions")
        ordering = ["text"]

    def __str__(self) -> str:
        return self.text

    def clean(self):
        """A question's kind stays once it has answers: a 1-5 figure read as yes/no (or
        the other way) would be wrong in every result that compares it."""
        super().clean()
        if self.pk is None:
            return
        stored = type(self).objects.filter(pk=self.pk).values_list("kind", flat=True).first()
        if stored and stored != self.kind and Answer.objects.filter(question_id=self.pk).exists():
            raise ValidationError(
                {"kind": _("The question has answers: its kind of answer can no longer change.")},
                code="kind",
            )


class Evaluation(ClusterableModel):
    """Questions offered to each person who completes `page` (a course or a module) or
    attends it (an event)."""

    title = models.CharField(_("title"), max_length=200)
    page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("course, module or event"),
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Offered when the course or module is completed, or after the event."),
    )
    active = models.BooleanField(_("offered"), default=True)
    owner = owner_field()

    panels = [
        FieldPanel("title"),
        FieldPanel("page"),
        FieldPanel("active"),
        InlinePanel("items", label=_("Questions"), min_num=1),
    ]

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        permissions = [
            ("view_results_across", _("Can read evaluation results across organisations")),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        super().clean()
        if self.page_id is not None:
            app = self.page.specific_class._meta.app_label if self.page.specific_class else ""
            if app not in ATTACHABLE_APPS:
                raise ValidationError(
                    {"page": _("Choose a course, a module or an event.")}, code="page"
                )

    def questions(self) -> list[Question]:
        return [item.question for item in self.items.select_related("question")]


class EvaluationQuestion(Orderable):
    evaluation = ParentalKey(Evaluation, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="+"
    )

    panels = [FieldPanel("question")]

    class Meta(Orderable.Meta):
        verbose_name = _("question of an evaluation")
        verbose_name_plural = _("questions of an evaluation")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "question"], name="evaluations_item_unique"
            )
        ]


class Participant(models.Model):
    """One person offered an evaluation in one cycle (their completion's, or 1 for an
    event), and whether they answered: at most one answer per person and cycle."""

    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    cycle = models.PositiveSmallIntegerField(default=1)
    offered_at = models.DateTimeField()
    reminded_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("evaluation participant")
        verbose_name_plural = _("evaluation participants")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "user", "cycle"], name="evaluations_participant_unique"
            )
        ]
        indexes = [models.Index(fields=["answered_at", "reminded_at"], name="evaluations_open")]

    def __str__(self) -> str:
        return f"{self.evaluation_id}/{self.user_id}/{self.cycle}"


class Submission(models.Model):
    """One person's answers, without the person: a random id (no order), no time."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="submissions")
    cycle = models.PositiveSmallIntegerField(default=1)
    # Where the person belonged when they answered (their profile): for the breakdowns.
    organisation = models.ForeignKey(
        "org.Organisation", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    unit = models.ForeignKey(
        "org.Organisation", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("evaluation answer")
        verbose_name_plural = _("evaluation answers")
        indexes = [models.Index(fields=["evaluation", "organisation"], name="evaluations_sub_org")]

    def __str__(self) -> str:
        return str(self.pk)


class Answer(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    value = models.PositiveSmallIntegerField(null=True, blank=True)  # 1-5; yes 1, no 0
    text = models.TextField(blank=True)

    class Meta:
        verbose_name = _("answer to a question")
        verbose_name_plural = _("answers to questions")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "question"], name="evaluations_answer_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(value__isnull=True) | models.Q(value__lte=5),
                name="evaluations_answer_value_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.value if self.value is not None else self.text[:40]}"


class OrganisationConsent(models.Model):
    """Whether an organisation lets the evaluators (the permission
    evaluations.view_results_across) read its evaluation results."""

    organisation = models.OneToOneField(
        "org.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"depth": 1},
    )
    share_with_evaluators = models.BooleanField(_("evaluators may read our results"), default=False)

    class Meta:
        verbose_name = _("consent to evaluators")
        verbose_name_plural = _("consents to evaluators")

    def __str__(self) -> str:
        return str(self.organisation)
