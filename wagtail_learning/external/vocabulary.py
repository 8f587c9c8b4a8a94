"""The external app's statuses and kinds, declared once."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class RuleKind(models.TextChoices):
    CERTIFIED_PARTICIPANTS = "participants", _("At least N of its participants certified")
    CONTACT_PERSON = "contact", _("Its contact person certified")


class RecognitionState(models.TextChoices):
    RECOGNISED = "recognised", _("Recognised")
    EXPIRED = "expired", _("Expired")
    WITHDRAWN = "withdrawn", pgettext_lazy("recognition", "Withdrawn")
    NOT_YET = "not_yet", _("Not yet recognised")


class VerifyOutcome(models.TextChoices):
    VERIFIED = "verified", _("Verified")
    EXPIRED = "expired", _("The link has expired")
    USED = "used", _("The link has already been used")
    INVALID = "invalid", _("The link is not valid")
    WRONG_PASSWORD = "password", _("Not the password given when registering")
