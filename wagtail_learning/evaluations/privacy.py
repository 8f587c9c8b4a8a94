"""What evaluations keep about a person: in their own record only that they were offered
an evaluation and whether they answered (the answers name no one, so they cannot be in
anyone's record), and what happens to it when they are anonymised."""

from __future__ import annotations

from django.urls import reverse
from wagtail import hooks

from wagtail_learning.compliance.api import (
    PERSONAL_DATA,
    RECORD_SECTIONS,
    TRAINING_RECORD,
    OnAnonymise,
    RecordSection,
)

from .models import Participant


@hooks.register(PERSONAL_DATA)
def personal_data() -> dict[str, OnAnonymise]:
    return {
        "evaluations.participant.user": OnAnonymise(
            "that an evaluation was offered and answered, and when: not what (the answers "
            "name no one)"
        ),
    }


@hooks.register(TRAINING_RECORD)
def training_record(*, user) -> dict:
    rows = (
        Participant.objects.filter(user=user)
        .select_related("evaluation")
        .order_by("offered_at", "pk")
    )
    return {
        "evaluations": [
            {
                "evaluation": row.evaluation.title,
                "offered": row.offered_at,
                "answered": row.answered_at,
                "answer_url": reverse("evaluations:answer", args=[row.pk])
                if row.answered_at is None and row.evaluation.active
                else "",
            }
            for row in rows
        ]
    }


@hooks.register(RECORD_SECTIONS)
def record_section() -> RecordSection:
    return RecordSection(template="evaluations/record_section.html", order=250)
