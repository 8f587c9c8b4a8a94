"""The words of compliance, each declared once with its label: a person's status for an
assigned course and the managers/staff filter of the reports. Reports, HR's screens, the
CSV and the XLSX use these; nothing compares the bare strings."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["AudienceFilter", "ComplianceStatus", "ForecastReason"]


class ComplianceStatus(models.TextChoices):
    """Where a person stands with an assigned course; compliance/policy.py decides which
    (declared in the order the reports' status filter offers them)."""

    COMPLIANT = "compliant", _("Completed")
    OVERDUE = "overdue", _("Overdue")
    EXPIRED = "expired", _("Expired")
    IN_PROGRESS = "in_progress", _("In progress")
    NOT_STARTED = "not_started", _("Not started")


class AudienceFilter(models.TextChoices):
    """The reports' "People" filter. The values are those of Assignment.Audience, whose
    labels describe an assignment ("Managers only") rather than a filter."""

    ALL = "all", _("Managers and staff")
    MANAGERS = "managers", _("Managers")
    STAFF = "staff", _("Staff")


class ForecastReason(models.TextChoices):
    """Why a person is on HR's forecast list (compliance/forecast.py)."""

    LAPSES = "lapses", _("Completion lapses")
    COMES_DUE = "comes_due", _("Becomes overdue")
