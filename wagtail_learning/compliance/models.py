"""What compliance keeps: assignments (a course required for an audience, with a due
date, recurrence and target), the reminders sent, and the retention settings.

The tables keep the names they had when these models lived in `lms` (decision 0004).
"""

from __future__ import annotations

import swapper
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

PAGE_MODEL = swapper.get_model_name("wagtailcore", "Page")


class Assignment(models.Model):
    """A course made required for an audience: a unit subtree, managers and/or staff,
    optionally only those hired after a date; due on a date or N days after assignment or
    hire; optionally repeating every M months; with a target share for reports."""

    class Audience(models.TextChoices):
        ALL = "all", _("Managers and staff")
        MANAGERS = "managers", _("Managers only")
        STAFF = "staff", _("Staff only (not managers)")

    class DueMode(models.TextChoices):
        FIXED = "fixed", _("On a fixed date")
        AFTER_ASSIGNMENT = "after_assignment", _("N days after being assigned")
        AFTER_HIRE = "after_hire", _("N days after the hire date")

    course = models.ForeignKey(
        PAGE_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("course")
    )
    unit = models.ForeignKey(
        "org.Organisation",
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("unit (with everything below it)"),
    )
    audience = models.CharField(
        _("audience"), max_length=16, choices=Audience.choices, default=Audience.ALL
    )
    hired_after = models.DateField(
        _("only people hired after"),
        null=True,
        blank=True,
        help_text=_("Leave empty to include everyone in the unit."),
    )
    due_mode = models.CharField(
        _("due"), max_length=20, choices=DueMode.choices, default=DueMode.AFTER_ASSIGNMENT
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    due_days = models.PositiveSmallIntegerField(_("days to complete"), null=True, blank=True)
    recurrence_months = models.PositiveSmallIntegerField(
        _("repeat every (months)"),
        null=True,
        blank=True,
        help_text=_("For recertification. Empty: once."),
    )
    target_share = models.PositiveSmallIntegerField(
        _("target (%)"), default=80, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        db_table = "lms_assignment"
        indexes = [models.Index(fields=["course", "active"], name="lms_assignment_course")]
        permissions = [
            ("view_compliance", "Can see compliance reports and people's training records"),
        ]

    def __str__(self) -> str:
        return f"{self.course} → {self.unit}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.due_mode == self.DueMode.FIXED and not self.due_date:
            raise ValidationError({"due_date": _("Give the due date.")})
        if self.due_mode != self.DueMode.FIXED and not self.due_days:
            raise ValidationError({"due_days": _("Give the number of days.")})
        if self.course_id and self.unit_id:
            from .sharing import NotParticipating, check_may_assign

            try:
                check_may_assign(self.course_id, self.unit)
            except NotParticipating as error:
                raise ValidationError({"course": error.message}) from error


class Reminder(models.Model):
    """A reminder sent: recorded before the email goes out, so each goes out once per key
    however often (or concurrently) the job runs."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Due soon")
        OVERDUE = "overdue", _("Overdue")
        MANAGER_DIGEST = "manager_digest", _("Manager's weekly digest")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lms_reminders"
    )
    # Empty for a manager's digest, which covers many enrolments.
    enrolment = models.ForeignKey(
        "lms.Enrolment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
        db_column="enrollment_id",
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # The enrolment's cycle for a learner's reminder; the ISO week ("2026-W47") for a digest.
    key = models.CharField(max_length=16)
    sent_at = models.DateTimeField()

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        db_table = "lms_reminder"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "enrolment", "kind", "key"], name="lms_reminder_unique"
            ),
            # NULLs are distinct in a unique index (SQLite and PostgreSQL alike), so the
            # constraint above does not hold for digests; this partial one does.
            models.UniqueConstraint(
                fields=["user", "kind", "key"],
                condition=models.Q(enrolment__isnull=True),
                name="lms_reminder_unique_digest",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} → {self.user}"


@register_setting(icon="time")
class RetentionSettings(BaseGenericSetting):
    """How long each kind of learner record is kept, in days. Empty keeps it for good."""

    watch_ranges_days = models.PositiveIntegerField(
        _("detailed watch history (days)"),
        null=True,
        blank=True,
        default=365,
        help_text=_(
            "Which seconds of a lecture were played, and when, for finished steps. "
            "The watched share and completion are kept. Empty: keep."
        ),
    )
    quiz_answers_days = models.PositiveIntegerField(
        _("quiz answers (days)"),
        null=True,
        blank=True,
        default=730,
        help_text=_("The answers chosen in quiz attempts. Scores are kept. Empty: keep."),
    )
    reflections_days = models.PositiveIntegerField(
        _("reflections (days)"),
        null=True,
        blank=True,
        default=730,
        help_text=_("The text of learners' reflections. Completion is kept. Empty: keep."),
    )
    completions_days = models.PositiveIntegerField(
        _("completions (days)"),
        null=True,
        blank=True,
        help_text=_("Completed modules and courses. Empty: keep (recommended)."),
    )
    certificates_days = models.PositiveIntegerField(
        _("certificates (days)"),
        null=True,
        blank=True,
        help_text=_("Issued certificates, counted from issue. Empty: keep (recommended)."),
    )
    anonymise_leavers_after_days = models.PositiveIntegerField(
        _("anonymise people who left after (days)"),
        null=True,
        blank=True,
        default=730,
        help_text=_(
            "Name, email, username and employee number are removed this long after the "
            "leave date; completions stay for statistics. Empty: never."
        ),
    )

    class Meta:
        verbose_name = _("data retention")
        verbose_name_plural = _("data retention")
        db_table = "lms_retentionsettings"


class CertificationRule(models.Model):
    """When a unit counts as certified for an assignment's course: every condition given
    must hold, for each unit in the assignment's subtree (or only the units of a type).
    A unit's audience is the assignment's audience placed in the unit or below it; who is
    compliant is compliance/policy.py's status (decision 0022)."""

    assignment = models.ForeignKey(
        Assignment,
        on_delete=models.CASCADE,
        related_name="certification_rules",
        verbose_name=_("assignment"),
    )
    name = models.CharField(
        _("name"), max_length=200, help_text=_("Shown to HR and on the unit certificate.")
    )
    unit_type = models.CharField(
        _("only units of type"),
        max_length=64,
        blank=True,
        help_text=_("E.g. Skola. Empty: every unit in the assignment's unit and below it."),
    )
    min_share = models.PositiveSmallIntegerField(
        _("share of the audience compliant (%)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("E.g. the assignment's target. Empty: no share required."),
    )
    min_people = models.PositiveIntegerField(
        _("at least this many compliant people"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Per unit, e.g. 1 for one trained person per school. Empty: no number."),
    )
    managers_only = models.BooleanField(
        _("count only managers"),
        default=False,
        help_text=_("The number above counts compliant managers only."),
    )
    new_hire_days = models.PositiveSmallIntegerField(
        _("new hires compliant within (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Every new hire must be compliant this many days after their hire date."),
    )
    new_hires_from = models.DateField(
        _("new hires: hired on or after"),
        null=True,
        blank=True,
        help_text=_("Who counts as a new hire. Empty: the day the rule was created."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("certification rule")
        verbose_name_plural = _("certification rules")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        if not (self.min_share or self.min_people or self.new_hire_days):
            raise ValidationError(
                _("Give at least one condition: a share, a number of people or new hires.")
            )
        if self.managers_only and not self.min_people:
            raise ValidationError(
                {"managers_only": _("Give the number of managers that must be compliant.")}
            )


class UnitRuleSnapshot(models.Model):
    """A rule's verdict on one unit on one day: met or not, the figures it was judged on
    and what was missing (structured, worded by compliance.certification.describe)."""

    rule = models.ForeignKey(CertificationRule, on_delete=models.CASCADE, related_name="snapshots")
    unit = models.ForeignKey(
        "org.Organisation", on_delete=models.CASCADE, related_name="rule_snapshots"
    )
    date = models.DateField(_("date"))
    met = models.BooleanField(_("met"))
    # Met today, but not if the completions expiring within the warning period expired.
    at_risk = models.BooleanField(default=False)
    audience = models.PositiveIntegerField(default=0)
    compliant = models.PositiveIntegerField(default=0)
    compliant_managers = models.PositiveIntegerField(default=0)
    late_new_hires = models.PositiveIntegerField(default=0)
    missing = models.JSONField(default=list, blank=True)
    evaluated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("certification snapshot")
        verbose_name_plural = _("certification snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "unit", "date"], name="compliance_snapshot_unique"
            )
        ]
        indexes = [models.Index(fields=["unit", "date"], name="compliance_snapshot_unit")]

    def __str__(self) -> str:
        return f"{self.rule} @ {self.unit} {self.date}: {'met' if self.met else 'not met'}"


class ComplianceSnapshot(models.Model):
    """One unit's compliance figures for one assigned course on one day: what the charts
    over time read for past days, so the dashboard computes only today.

    Written by the daily schedule (compliance.snapshots.write_compliance_snapshots) for
    every unit and every course assigned on, above or inside it; a second run the same day
    replaces the day. `backfilled` marks a day reconstructed later (today's memberships,
    completions done by that day) rather than measured on the day. Behind the wall by its
    unit (compliance/walled.py)."""

    unit = models.ForeignKey(
        "org.Organisation", on_delete=models.CASCADE, related_name="compliance_snapshots"
    )
    course = models.ForeignKey(PAGE_MODEL, on_delete=models.CASCADE, related_name="+")
    date = models.DateField(_("date"))
    audience = models.PositiveIntegerField(default=0)
    compliant = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)
    in_progress = models.PositiveIntegerField(default=0)
    # The unit's target for the course that day (the strictest assignment concerning it).
    target = models.PositiveSmallIntegerField(default=80)
    backfilled = models.BooleanField(default=False)
    evaluated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("compliance snapshot")
        verbose_name_plural = _("compliance snapshots")
        constraints = [
            # Also the index the charts read by: a unit, its courses, a range of days.
            models.UniqueConstraint(
                fields=["unit", "course", "date"], name="compliance_daysnapshot_unique"
            )
        ]
        indexes = [models.Index(fields=["date"], name="compliance_daysnapshot_date")]

    def __str__(self) -> str:
        return f"{self.unit} / {self.course_id} {self.date}: {self.compliant}/{self.audience}"


class CourseSharing(models.Model):
    """Who owns a course (or programme) and which organisations take part in it.

    The owner is a top-level organisation: its editors author the course (page
    permissions), its coordinators see the figures of every participating organisation in
    aggregate. Participating organisations (the owner always is one) assign the course to
    their own people and see them by name, as with any course. A course with no sharing row
    is the platform's own: any organisation may assign it (decision 0020)."""

    course = models.OneToOneField(
        PAGE_MODEL, on_delete=models.CASCADE, related_name="sharing", verbose_name=_("course")
    )
    owner = models.ForeignKey(
        "org.Organisation",
        on_delete=models.PROTECT,
        related_name="owned_courses",
        verbose_name=_("owner"),
        limit_choices_to={"depth": 1},
        help_text=_("The organisation whose editors author the course."),
    )
    open_to_all = models.BooleanField(
        _("open to all organisations"),
        default=False,
        help_text=_("Every organisation on the platform may assign it."),
    )
    participants = models.ManyToManyField(
        "org.Organisation",
        blank=True,
        related_name="shared_courses",
        verbose_name=_("participating organisations"),
        limit_choices_to={"depth": 1},
        help_text=_("Besides the owner. Ignored when the course is open to all."),
    )

    class Meta:
        verbose_name = _("shared course")
        verbose_name_plural = _("shared courses")

    def __str__(self) -> str:
        return f"{self.course} ({self.owner})"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.owner_id and self.owner.depth != 1:
            raise ValidationError({"owner": _("The owner must be a top-level organisation.")})
