"""What the engine keeps about learners: enrolments, step progress, attempts, completions.

Summary rows are one per learner and item with `completed_at` set once; attempts are rows
of their own. Every write that can repeat is guarded by a unique constraint.
"""

from __future__ import annotations

import swapper
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

PAGE_MODEL = swapper.get_model_name("wagtailcore", "Page")


class Enrolment(models.Model):
    class Source(models.TextChoices):
        SELF = "self", _("Self-enrolled")
        ASSIGNMENT = "assignment", _("Assigned")
        ADMIN = "admin", _("Added by an administrator")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lms_enrolments"
    )
    course = models.ForeignKey(PAGE_MODEL, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.SELF)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    enrolled_at = models.DateTimeField(auto_now_add=True)
    due_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    assignment = models.ForeignKey(
        "compliance.Assignment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="enrolments",
    )
    # Recertification starts a new cycle: progress and completions of earlier cycles stay
    # as history; the learner works through the course again.
    cycle = models.PositiveSmallIntegerField(default=1)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        db_table = "lms_enrollment"
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
    # Lectures: the parts played again after they were first credited, as a union like
    # `watched_ranges` (issue 24's retention report; nothing is credited for them).
    rewatched_ranges = models.JSONField(default=list, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    position_seconds = models.FloatField(default=0)
    # Per playback session: the last sequence number and when it arrived (epoch seconds).
    playback_sessions = models.JSONField(default=dict, blank=True)
    # The credit clock (epoch seconds): new watch time is credited only up to the wall time
    # between it and now; crediting moves it forward. One clock for all tabs and sessions.
    credit_clock = models.FloatField(null=True, blank=True)
    # Bumped by every write of the watch fields: a heartbeat that read the row unlocked
    # writes only if no other beat wrote in between (else it retries under a row lock).
    watch_version = models.PositiveIntegerField(default=0)
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
