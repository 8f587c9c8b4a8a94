"""What the engine keeps about learners: enrolments, step progress, attempts, completions.

Summary rows are one per learner and item with `completed_at` set once; attempts are rows
of their own. Every write that can repeat is guarded by a unique constraint.
"""

from __future__ import annotations

import swapper
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

PAGE_MODEL = swapper.get_model_name("wagtailcore", "Page")


class Enrollment(models.Model):
    class Source(models.TextChoices):
        SELF = "self", _("Self-enrolled")
        ASSIGNMENT = "assignment", _("Assigned")
        ADMIN = "admin", _("Added by an administrator")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lms_enrollments"
    )
    course = models.ForeignKey(PAGE_MODEL, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.SELF)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    enrolled_at = models.DateTimeField(auto_now_add=True)
    due_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    assignment = models.ForeignKey(
        "lms.Assignment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="enrollments",
    )
    # Recertification starts a new cycle: progress and completions of earlier cycles stay
    # as history; the learner works through the course again.
    cycle = models.PositiveSmallIntegerField(default=1)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="lms_enrollment_unique_course")
        ]
        indexes = [models.Index(fields=["course", "status"], name="lms_enrollment_course_status")]

    def __str__(self) -> str:
        return f"{self.user} → {self.course_id}"


class StepProgress(models.Model):
    """One row per learner and step: (module, step id) keys it for life."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lms_step_progress"
    )
    module = models.ForeignKey(PAGE_MODEL, on_delete=models.CASCADE, related_name="+")
    step_id = models.CharField(max_length=64)
    cycle = models.PositiveSmallIntegerField(default=1)
    kind = models.CharField(max_length=16)
    # Lectures: the union of played seconds as sorted, disjoint [start, end] pairs.
    watched_ranges = models.JSONField(default=list, blank=True)
    watched_seconds = models.FloatField(default=0)
    duration_seconds = models.FloatField(null=True, blank=True)
    position_seconds = models.FloatField(default=0)
    # Per playback session: the last sequence number and when it arrived (epoch seconds).
    playback_sessions = models.JSONField(default=dict, blank=True)
    # The credit clock (epoch seconds): new watch time is credited only up to the wall time
    # between it and now; crediting moves it forward. One clock for all tabs and sessions.
    credit_clock = models.FloatField(null=True, blank=True)
    # Reflections: the learner's answer.
    answer = models.TextField(blank=True)
    # Quizzes: best score (0-100) over submitted attempts.
    best_score = models.FloatField(null=True, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("step progress")
        verbose_name_plural = _("step progress")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "module", "step_id", "cycle"], name="lms_stepprogress_unique_step"
            )
        ]
        indexes = [
            models.Index(fields=["user", "-updated_at"], name="lms_stepprogress_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.module_id}/{self.step_id}"

    @property
    def watched_share(self) -> float:
        if not self.duration_seconds:
            return 0.0
        return min(self.watched_seconds / self.duration_seconds, 1.0)


class QuizAttempt(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lms_quiz_attempts"
    )
    module = models.ForeignKey(PAGE_MODEL, on_delete=models.CASCADE, related_name="+")
    step_id = models.CharField(max_length=64)
    cycle = models.PositiveSmallIntegerField(default=1)
    quiz_id = models.PositiveIntegerField()
    # The quiz revision the attempt was drawn from and is graded against.
    revision = models.ForeignKey(
        "wagtailcore.Revision", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    number = models.PositiveSmallIntegerField()
    # The draw: question ids in the order shown, and each question's choice order.
    question_ids = models.JSONField(default=list)
    choice_order = models.JSONField(default=dict)
    answers = models.JSONField(default=dict, blank=True)
    score = models.FloatField(null=True, blank=True)  # percent
    points = models.FloatField(null=True, blank=True)
    max_points = models.FloatField(null=True, blank=True)
    passed = models.BooleanField(null=True)
    started_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "module", "step_id", "cycle", "number"],
                name="lms_quizattempt_unique_number",
            )
        ]
        indexes = [models.Index(fields=["quiz_id", "submitted_at"], name="lms_quizattempt_quiz")]

    def __str__(self) -> str:
        return f"{self.user} {self.module_id}/{self.step_id} #{self.number}"


class Completion(models.Model):
    """A module or course completed by a learner: stored once, when it happens."""

    class Kind(models.TextChoices):
        MODULE = "module", _("Module")
        COURSE = "course", _("Course")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lms_completions"
    )
    page = models.ForeignKey(PAGE_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    cycle = models.PositiveSmallIntegerField(default=1)
    completed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("completion")
        verbose_name_plural = _("completions")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "page", "cycle"], name="lms_completion_unique_page"
            )
        ]
        indexes = [models.Index(fields=["page", "completed_at"], name="lms_completion_page_date")]

    def __str__(self) -> str:
        return f"{self.user} completed {self.kind} {self.page_id}"


# --- Organisation and people ------------------------------------------------------------


class Organization(MP_Node):
    """Municipality -> administration -> unit, any depth. Paths make subtree queries cheap."""

    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(
        _("code"), max_length=64, blank=True, help_text=_("From the HR system.")
    )

    node_order_by = ["name"]

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        permissions = [
            ("view_compliance", "Can see compliance reports and people's training records"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        return "/".join(node.name for node in [*self.get_ancestors(), self])


class LearnerProfile(models.Model):
    class Kind(models.TextChoices):
        STAFF = "staff", _("Staff")
        EXTERNAL = "external", _("External participant")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learner_profile"
    )
    unit = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("unit"),
    )
    employee_number = models.CharField(
        _("employee number"), max_length=64, null=True, blank=True, unique=True
    )
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    is_manager = models.BooleanField(_("manager"), default=False)
    hire_date = models.DateField(_("hire date"), null=True, blank=True)
    leave_date = models.DateField(_("leave date"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.STAFF)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("learner profile")
        verbose_name_plural = _("learner profiles")
        indexes = [models.Index(fields=["unit", "is_manager"], name="lms_profile_unit_manager")]
        permissions = [("import_staff", "Can import staff from the HR system")]

    def __str__(self) -> str:
        return f"{self.user} ({self.employee_number or '-'})"


class Membership(models.Model):
    """A person's place in a unit. Most have one; some (a manager of two units) have more.
    The profile's unit is the primary one and is always among these."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lms_memberships"
    )
    unit = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")

    class Meta:
        verbose_name = _("unit membership")
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
    unit = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("reporting scope")
        verbose_name_plural = _("reporting scopes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | models.Q(group__isnull=False),
                name="lms_scope_user_or_group",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user or self.group} → {self.unit}"


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
        Organization,
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
        indexes = [models.Index(fields=["course", "active"], name="lms_assignment_course")]

    def __str__(self) -> str:
        return f"{self.course} → {self.unit}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.due_mode == self.DueMode.FIXED and not self.due_date:
            raise ValidationError({"due_date": _("Give the due date.")})
        if self.due_mode != self.DueMode.FIXED and not self.due_days:
            raise ValidationError({"due_days": _("Give the number of days.")})


# --- Reminders and retention -------------------------------------------------------------


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
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # The enrolment's cycle for a learner's reminder; the ISO week ("2026-W47") for a digest.
    key = models.CharField(max_length=16)
    sent_at = models.DateTimeField()

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "enrollment", "kind", "key"], name="lms_reminder_unique"
            ),
            # NULLs are distinct in a unique index (SQLite and PostgreSQL alike), so the
            # constraint above does not hold for digests; this partial one does.
            models.UniqueConstraint(
                fields=["user", "kind", "key"],
                condition=models.Q(enrollment__isnull=True),
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
