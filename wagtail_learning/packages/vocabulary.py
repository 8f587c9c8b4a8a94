"""The packages app's words, each declared once."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["Standard"]


class Standard(models.TextChoices):
    SCORM_12 = "scorm12", _("SCORM 1.2")
    SCORM_2004 = "scorm2004", _("SCORM 2004")
    CMI5 = "cmi5", _("cmi5")
