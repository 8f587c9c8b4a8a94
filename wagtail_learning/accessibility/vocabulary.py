"""The accessibility app's one vocabulary: how well the service conforms, why a barrier is
there, how the service was assessed, and where a reported barrier stands."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Conformance(models.TextChoices):
    # The three levels of the EU model statement (Implementing Decision 2018/1523), as
    # DIGG words them.
    FULL = "full", _("Fully compliant")
    PARTIAL = "partial", _("Partially compliant")
    NONE = "none", _("Not compliant")


class BarrierReason(models.TextChoices):
    NON_COMPLIANCE = "non_compliance", _("Does not meet the requirements")
    DISPROPORTIONATE_BURDEN = "disproportionate_burden", _("Disproportionate burden")
    OUT_OF_SCOPE = "out_of_scope", _("Not covered by the law")


class AssessmentMethod(models.TextChoices):
    SELF = "self", _("Self-assessment")
    THIRD_PARTY = "third_party", _("Assessment by a third party")


class ReportStatus(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    FIXED = "fixed", _("Fixed")
    REJECTED = "rejected", _("Rejected")

    @classmethod
    def closed(cls) -> tuple[str, ...]:
        return (cls.FIXED, cls.REJECTED)
