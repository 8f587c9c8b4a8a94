"""The engine's words for where a learner stands, each declared once: a module's state for
a learner and why a module's content is refused. Compared as these enums, never as bare
strings; the values are what the JSON API and the pages' data attributes show."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["LockReason", "ModuleStatus", "PackageRule", "ReviewPolicy"]


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
    NOT_IN_AUDIENCE = "not_in_audience"  # the course is not for learners like them


class ReviewPolicy(models.TextChoices):
    """When a quiz result reveals its review: which answers were right or wrong, which
    choices were correct, the feedback and the explanations. Before that a result
    carries only the score, so a failed attempt is not a key to the next one."""

    NEVER = "never", _("Never")
    AFTER_PASS = "after_pass", _("After a pass")
    NO_ATTEMPTS_LEFT = "no_attempts_left", _("When no attempts remain")
    AFTER_PASS_OR_NO_ATTEMPTS_LEFT = (
        "after_pass_or_no_attempts_left",
        _("After a pass or when no attempts remain"),
    )
    ALWAYS = "always", _("Always, after every attempt")

    def reveals(self, *, passed: bool, attempts_left: int | None) -> bool:
        """Whether a result may show its review: `passed` is whether the learner has
        passed this quiz (in any attempt of the cycle)."""
        no_attempts_left = attempts_left == 0
        return {
            ReviewPolicy.NEVER: False,
            ReviewPolicy.AFTER_PASS: passed,
            ReviewPolicy.NO_ATTEMPTS_LEFT: no_attempts_left,
            ReviewPolicy.AFTER_PASS_OR_NO_ATTEMPTS_LEFT: passed or no_attempts_left,
            ReviewPolicy.ALWAYS: True,
        }[self]

    @property
    def withheld_message(self) -> str:
        """What a learner is told while the review is withheld."""
        return {
            ReviewPolicy.NEVER: _("This quiz does not show the right answers."),
            ReviewPolicy.AFTER_PASS: _(
                "The right answers, feedback and explanations are shown once you pass."
            ),
            ReviewPolicy.NO_ATTEMPTS_LEFT: _(
                "The right answers, feedback and explanations are shown when you have "
                "used all your attempts."
            ),
            ReviewPolicy.AFTER_PASS_OR_NO_ATTEMPTS_LEFT: _(
                "The right answers, feedback and explanations are shown once you pass "
                "or have used all your attempts."
            ),
            ReviewPolicy.ALWAYS: "",
        }[self]


class PackageRule(models.TextChoices):
    """What completes a package step (SCORM, cmi5), as the editor chose it."""

    COMPLETED = "completed", _("The package reports it completed")
    PASSED = "passed", _("The package reports it passed")
    MIN_SCORE = "min_score", _("A minimum score")

    def is_met(
        self, *, completed: bool, passed: bool, score: float | None, min_score: int | None
    ) -> bool:
        """Whether a package's reported result completes the step. `score` is percent
        (0-100) or None when the package reported none. A pass implies completion (SCORM
        1.2's "passed" is a lesson status of its own)."""
        if self is PackageRule.COMPLETED:
            return completed or passed
        if self is PackageRule.PASSED:
            return passed
        return score is not None and min_score is not None and score >= min_score
