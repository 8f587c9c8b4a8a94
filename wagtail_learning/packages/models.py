"""Packages (SCORM 1.2/2004, cmi5) and what a learner's runtime reported in each attempt."""

from __future__ import annotations

import uuid

import swapper
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.search import index

from wagtail_learning.org.api import owner_field

from .forms import PackageForm
from .vocabulary import Standard

PAGE_MODEL = swapper.get_model_name("wagtailcore", "Page")
FOLDER = "packages"


class ContentPackage(index.Indexed, models.Model):
    """An uploaded package, unpacked into protected storage under `folder`. Only a zip that
    passed every check (packages.manifests) becomes one; its files never change: a new
    upload is a new folder."""

    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    standard = models.CharField(
        _("standard"), max_length=16, choices=Standard.choices, editable=False
    )
    version = models.CharField(_("version"), max_length=32, editable=False)
    folder = models.CharField(max_length=64, editable=False, unique=True)
    launch_path = models.CharField(_("launch file"), max_length=1024, editable=False)
    launch_query = models.CharField(max_length=1024, blank=True, editable=False)
    # SCORM 1.2: adlcp:masteryscore and adlcp:datafromlms of the launched item.
    mastery_score = models.FloatField(null=True, blank=True, editable=False)
    launch_data = models.TextField(blank=True, editable=False)
    # cmi5: the assignable units ({id, title, path, query, move_on, mastery_score, ...}).
    aus = models.JSONField(default=list, blank=True, editable=False)
    # Every launchable unit (SCORM SCOs and assets, cmi5 AUs) in the order a learner meets
    # them ({id, title, path, query, kind, depth, mastery_score, launch_data}); the first
    # is the one launch_path names. Decision 0047.
    units = models.JSONField(default=list, blank=True, editable=False)
    # cmi5: the course's activity id (cmi5.xml), which the LMS's "satisfied" names.
    activity_id = models.CharField(max_length=1024, blank=True, editable=False)
    # False: SCORM 2004 controlMode choice="false": the units are played in order only.
    choice = models.BooleanField(default=True, editable=False)
    files = models.JSONField(default=list, editable=False)
    size_bytes = models.PositiveBigIntegerField(default=0, editable=False)
    unpacked_bytes = models.PositiveBigIntegerField(default=0, editable=False)
    owner = owner_field()  # org.ownership, decision 0035
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    base_form_class = PackageForm
    panels = [FieldPanel("package_file"), FieldPanel("title"), FieldPanel("description")]
    search_fields = [index.SearchField("title"), index.AutocompleteField("title")]

    class Meta:
        verbose_name = _("e-learning package")
        verbose_name_plural = _("e-learning packages")

    def __str__(self) -> str:
        return self.title

    @staticmethod
    def new_folder() -> str:
        return uuid.uuid4().hex

    def storage_name(self, path: str) -> str:
        return f"{FOLDER}/{self.folder}/{path}"

    def has_file(self, path: str) -> bool:
        return path in set(self.files)

    def unit(self, unit_id: str | None) -> dict | None:
        """The unit with this identifier; the first for None (a commit from a page that
        names none)."""
        units = self.units or []
        if unit_id is None:
            return units[0] if units else None
        return next((unit for unit in units if unit["id"] == unit_id), None)

    @property
    def standard_display(self) -> str:
        if self.standard == Standard.SCORM_2004:
            return f"SCORM {self.version}"
        return self.get_standard_display()


class AttemptResult(models.Model):
    """The results a runtime reports, kept alike for a package attempt (the package as a
    whole, rolled up from its units: services.rollup) and for each unit of it."""

    completion_status = models.CharField(max_length=32, blank=True)
    success_status = models.CharField(max_length=32, blank=True)
    score = models.FloatField(null=True, blank=True)  # percent
    total_seconds = models.FloatField(default=0)
    last_session_seconds = models.FloatField(default=0)
    commits = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class PackageAttempt(AttemptResult):
    """One learner's attempt at a package step in a cycle: the CMI data the runtime
    committed, kept whole, and the results read from it. A new cycle is a new row, so a
    recertification starts clean."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="package_attempts"
    )
    module = models.ForeignKey(PAGE_MODEL, on_delete=models.CASCADE, related_name="+")
    step_id = models.CharField(max_length=64)
    cycle = models.PositiveSmallIntegerField(default=1)
    # A deleted package leaves the results (the step's completion is the engine's anyway);
    # a launch of another package starts clean.
    package = models.ForeignKey(
        ContentPackage, null=True, on_delete=models.SET_NULL, related_name="attempts"
    )
    # What belongs to the attempt as a whole (cmi5: the registration, the statements the
    # LMS made); each unit's own CMI data is its UnitAttempt's.
    cmi = models.JSONField(default=dict, blank=True)
    # The unit the learner last opened: reopening the step starts there.
    current_unit = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = _("package attempt")
        verbose_name_plural = _("package attempts")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "module", "step_id", "cycle"],
                name="packages_attempt_unique_step",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.module_id}/{self.step_id} ({self.cycle})"


class UnitAttempt(AttemptResult):
    """One unit (a SCO, an asset, a cmi5 AU) of a package attempt: its runtime's CMI tree
    as last committed (without session time; suspend_data whole) or, for an AU, the verbs
    and state documents it sent, and the unit's results."""

    attempt = models.ForeignKey(PackageAttempt, on_delete=models.CASCADE, related_name="units")
    unit_id = models.CharField(max_length=255)
    cmi = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("package unit attempt")
        verbose_name_plural = _("package unit attempts")
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "unit_id"], name="packages_unit_attempt_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.attempt} {self.unit_id}"


class Cmi5Launch(models.Model):
    """One launch of a cmi5 AU: the token its fetch URL hands out once, which the AU then
    sends to the launch's LRS endpoint (packages.cmi5)."""

    attempt = models.ForeignKey(PackageAttempt, on_delete=models.CASCADE, related_name="launches")
    au_index = models.PositiveSmallIntegerField(default=0)
    secret = models.CharField(max_length=64, unique=True)
    fetched = models.BooleanField(default=False)
    # The AU sent "terminated", or the LMS recorded "abandoned" for it (cmi5 9.6.2).
    ended = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cmi5 launch")
        verbose_name_plural = _("cmi5 launches")

    def __str__(self) -> str:
        return f"{self.attempt} AU {self.au_index}"
