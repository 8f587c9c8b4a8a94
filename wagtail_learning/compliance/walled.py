"""The models that carry a person (or a unit), registered with the wall (org.api).

Compliance registers the engine's models too: `lms` and `org` know nothing of each other,
and compliance is the first layer that sees both (decision 0013)."""

from __future__ import annotations

from wagtail_learning.lms.api import Completion, Enrolment, QuizAttempt, StepProgress
from wagtail_learning.org.api import register_person_model, register_unit_model

from .models import Assignment, CertificationRule, ComplianceSnapshot, Reminder, UnitRuleSnapshot


def register() -> None:
    for model in (Enrolment, StepProgress, QuizAttempt, Completion, Reminder):
        register_person_model(model, person="user")
    register_unit_model(Assignment, unit="unit")
    register_unit_model(CertificationRule, unit="assignment__unit")
    register_unit_model(UnitRuleSnapshot, unit="unit")
    register_unit_model(ComplianceSnapshot, unit="unit")
