"""The engine's words for where a learner stands, each declared once: a module's state for
a learner and why a module's content is refused. Compared as these enums, never as bare
strings; the values are what the JSON API and the pages' data attributes show."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["LockReason", "ModuleStatus"]


class ModuleStatus(models.TextChoices):
    LOCKED = "locked", _("Locked")
    AVAILABLE = "available", _("Available")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")


class LockReason(models.TextChoices):
    """Why a module's content is refused: a code for programs, never shown; the sentence
    shown to the learner travels beside it as `message`."""

    ANONYMOUS = "anonymous"
    NOT_ENROLLED = "not_enrolled"
    PREREQUISITES = "locked_prerequisites"
    NOT_OPEN_YET = "locked_date"
