"""Organisations and the people in them: the tree (municipality -> administration ->
unit), learner profiles, unit memberships and the reporting scopes that draw the wall
between organisations.

The tables keep the names they had when these models lived in `lms` (decision 0004).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node


class Organisation(MP_Node):
    """Municipality -> administration -> unit, any depth. Paths make subtree queries cheap.

    A root is an organisation of its own (a municipality, a region or county board, an
    association, a business); its `kind` says which. Nodes below a root are its parts and
    keep the default kind of their root's tree ("unit")."""

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        REGION = "region", _("Region or county board")
        ASSOCIATION = "association", _("Association")
        BUSINESS = "business", _("Business")
        OTHER = "other", _("Other organisation")
        UNIT = "unit", _("Part of an organisation")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"),
        max_length=16,
        choices=Kind.choices,
        default=Kind.UNIT,
        help_text=_("For a top-level organisation: what kind of organisation it is."),
    )
    code = models.CharField(
        _("code"), max_length=64, blank=True, help_text=_("From the HR system.")
    )
    # Free text, so a municipality can use its own words; certification rules match it
    # case-insensitively ("only units of type Skola").
    unit_type = models.CharField(
        _("unit type"),
        max_length=64,
        blank=True,
        help_text=_("What kind of unit this is, e.g. Skola, Förskola, Äldreboende."),
    )

    # The organisation's "not yet placed" unit (one per top-level organisation, created on
    # demand by `org.people.unplaced_unit`): where someone who signed in through the
    # organisation's identity provider waits for the next staff import to place them.
    is_unplaced = models.BooleanField(default=False, editable=False)

    node_order_by = ["name"]

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        db_table = "lms_organization"

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # A root that nobody classified is a municipality (the platform's first tenant);
        # a node below a root is a part of it, whatever was passed.
        if self.depth == 1 and self.kind == self.Kind.UNIT:
            self.kind = self.Kind.MUNICIPALITY
        elif self.depth and self.depth > 1:
            self.kind = self.Kind.UNIT
        super().save(*args, **kwargs)

    @property
    def top(self) -> Organisation:
        """The top-level organisation this node belongs to (itself for a root)."""
        return self if self.depth == 1 else self.get_root()

    @property
    def label(self) -> str:
        return "/".join(node.name for node in [*self.get_ancestors(), self])

    @property
    def root_path(self) -> str:
        """The path of the top-level organisation this node belongs to."""
        return self.path[: self.steplen]


class LearnerProfile(models.Model):
    class Kind(models.TextChoices):
        STAFF = "staff", _("Staff")
        EXTERNAL = "external", _("External participant")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learner_profile"
    )
    unit = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("unit"),
    )
    # The top-level organisation (a root of the tree) the person belongs to: an employee
    # number identifies a person within it, never across organisations (decision 0032).
    # Kept in step with the unit's root by save() and by `root_ids` for bulk writes; it
    # stays when the unit is deleted (the person is still that organisation's).
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
        limit_choices_to={"depth": 1},
    )
    employee_number = models.CharField(_("employee number"), max_length=64, null=True, blank=True)
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    is_manager = models.BooleanField(_("manager"), default=False)
    hire_date = models.DateField(_("hire date"), null=True, blank=True)
    leave_date = models.DateField(_("leave date"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.STAFF)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("learner profile")
        verbose_name_plural = _("learner profiles")
        db_table = "lms_learnerprofile"
        indexes = [models.Index(fields=["unit", "is_manager"], name="lms_profile_unit_manager")]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "employee_number"],
                name="org_profile_unique_employee_number",
            )
        ]
        permissions = [("import_staff", "Can import staff from the HR system")]

    def __str__(self) -> str:
        return f"{self.user} ({self.employee_number or '-'})"

    def save(self, *args, **kwargs):
        if self.unit_id is not None:
            self.organisation_id = root_ids([self.unit_id])[self.unit_id]
            update_fields = kwargs.get("update_fields")
            if update_fields is not None and "unit" in update_fields:
                kwargs["update_fields"] = {*update_fields, "organisation"}
        super().save(*args, **kwargs)


def root_ids(unit_ids) -> dict[int, int]:
    """Unit id -> the id of its top-level organisation: the one rule that says which
    organisation a profile's unit puts it in (save() uses it; bulk writes must too)."""
    unit_ids = list(set(unit_ids))
    paths = dict(Organisation.objects.filter(pk__in=unit_ids).values_list("pk", "path"))
    steplen = Organisation.steplen
    roots = dict(
        Organisation.objects.filter(
            path__in={path[:steplen] for path in paths.values()}
        ).values_list("path", "pk")
    )
    return {pk: roots[path[:steplen]] for pk, path in paths.items()}


class Membership(models.Model):
    """A person's place in a unit. Most have one; some (a manager of two units) have more.
    The profile's unit is the primary one and is always among these."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lms_memberships"
    )
    unit = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")

    class Meta:
        verbose_name = _("unit membership")
        verbose_name_plural = _("unit memberships")
        db_table = "lms_membership"
        constraints = [
            models.UniqueConstraint(fields=["user", "unit"], name="lms_membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.unit}"


class ReportingScope(models.Model):
    """The part of the organisation an HR user or coordinator may see and export."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="lms_reporting_scopes",
        null=True,
        blank=True,
    )
    group = models.ForeignKey(
        "auth.Group",
        on_delete=models.CASCADE,
        related_name="lms_reporting_scopes",
        null=True,
        blank=True,
    )
    unit = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("reporting scope")
        verbose_name_plural = _("reporting scopes")
        db_table = "lms_reportingscope"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | models.Q(group__isnull=False),
                name="lms_scope_user_or_group",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user or self.group} → {self.unit}"


class StaffImport(models.Model):
    """An import from the admin, from upload to result: the stored file, the mapping, the
    dry run's report (computed once, shown on every visit), then the real run as a task
    with its progress and its report. Reports hold names: they are personal data."""

    class Status(models.TextChoices):
        CHECKING = "checking", _("Dry run in progress")
        CHECKED = "checked", _("Checked (dry run)")
        QUEUED = "queued", _("Waiting to run")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    token = models.CharField(max_length=32, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    scope = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="staff_imports",
        verbose_name=_("organisation"),
    )
    filename = models.CharField(_("file name"), max_length=255)
    file = models.CharField(max_length=255, blank=True)  # its name in the protected storage
    full = models.BooleanField(default=False)
    create_units = models.BooleanField(default=False)
    headings = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.CHECKED
    )
    # The dry run of `mapping`; None when the file or mapping cannot be used (`error`), or
    # while a task computes it. `checks` counts the dry runs asked for: a task stores its
    # result only if no newer one was asked for meanwhile.
    dry_run_report = models.JSONField(null=True, blank=True)
    checks = models.PositiveIntegerField(default=0)
    report = models.JSONField(null=True, blank=True)  # the real run's
    counts = models.JSONField(default=dict)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    errors_so_far = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("staff import")
        verbose_name_plural = _("staff imports")
        indexes = [models.Index(fields=["status", "created_at"], name="org_import_status")]

    def __str__(self) -> str:
        return f"{self.filename} → {self.scope} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def is_checking(self) -> bool:
        return self.status == self.Status.CHECKING


class EditorialGroup(models.Model):
    """A group whose members are the editors of one top-level organisation: they edit the
    lectures, quizzes and certificate designs it owns (`org.ownership`, decision 0035).
    Everyone else with the model permission may choose and reuse them, read-only."""

    group = models.OneToOneField(
        "auth.Group",
        on_delete=models.CASCADE,
        related_name="editorial_organisation",
        verbose_name=_("group"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="editorial_groups",
        verbose_name=_("organisation"),
        limit_choices_to={"depth": 1},
    )

    class Meta:
        verbose_name = _("editorial group")
        verbose_name_plural = _("editorial groups")

    def __str__(self) -> str:
        return f"{self.group} → {self.organisation}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.organisation_id and self.organisation.depth != 1:
            raise ValidationError(
                {"organisation": _("Content is owned by a top-level organisation.")}
            )
