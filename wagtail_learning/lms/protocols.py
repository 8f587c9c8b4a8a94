"""What the engine needs from the pages and snippets that hold learning content.

`lms` never imports a page class; course and module pages (and quizzes) implement these.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from .vocabulary import ReviewPolicy


@dataclass(frozen=True, slots=True)
class StepSpec:
    """One learning step inside a module, as the engine sees it.

    `step_id` is the StreamField block id: it never changes, so progress is keyed by it.
    """

    step_id: str
    kind: str  # "lecture", "reading", "document", "quiz", "reflection", "live_session", "package"
    title: str
    required: bool = True
    # lectures and live sessions' recordings: share of the video that must be watched
    required_share: float | None = None
    duration_seconds: float | None = None  # lectures, recordings
    pass_required: bool = False  # quizzes
    object_id: int | None = None  # the Lecture / Quiz / Document behind the step
    min_length: int = 0  # reflections
    # packages (SCORM, cmi5): what completes the step, a PackageRule value, and the
    # lowest score (percent) that does with PackageRule.MIN_SCORE
    package_rule: str = ""
    min_score: int | None = None


@dataclass(frozen=True, slots=True)
class ChoiceSpec:
    choice_id: str
    text: str
    correct: bool
    feedback: str = ""


@dataclass(frozen=True, slots=True)
class QuestionSpec:
    question_id: str
    kind: str  # "single_choice", "multiple_choice", "true_false"
    text: str
    choices: tuple[ChoiceSpec, ...]
    explanation: str = ""  # HTML
    points: int = 1

    @property
    def multiple(self) -> bool:
        return self.kind == "multiple_choice"


@dataclass(frozen=True, slots=True)
class QuizRules:
    pass_mark: int  # percent
    max_attempts: int | None
    draw_count: int | None
    shuffle_questions: bool
    shuffle_choices: bool
    questions: tuple[QuestionSpec, ...] = field(default_factory=tuple)
    # When a result reveals right answers, feedback and explanations.
    review: ReviewPolicy = ReviewPolicy.AFTER_PASS_OR_NO_ATTEMPTS_LEFT
    # With a draw from a pool: draw first from what the previous attempt did not have.
    fresh_draw: bool = False


@runtime_checkable
class LearningQuiz(Protocol):
    pk: int

    def get_lms_quiz_rules(self) -> QuizRules: ...

    def get_lms_revision(self) -> Any: ...  # the wagtailcore Revision learners are served


@runtime_checkable
class LearningModule(Protocol):
    pk: int
    title: str
    url: str
    required_for_course: bool
    available_from: datetime | None

    def get_lms_steps(self) -> Sequence[StepSpec]: ...

    def get_lms_prerequisites(self) -> Sequence[Any]: ...  # pages with pk, title, url

    def get_lms_course_id(self) -> int: ...

    def get_lms_quiz(self, step_id: str) -> LearningQuiz | None: ...

    def get_lms_step_url(self, step_id: str) -> str: ...

    def get_lms_audience(self) -> str: ...  # its course's `lms_audience`


@runtime_checkable
class LearningCourse(Protocol):
    pk: int
    title: str
    url: str
    enrolment_open: bool
    # Who the course is for: a value of lms.audience.Audience (staff, external, everyone).
    lms_audience: str
    # Optional: a classmethod `lms_audience_expression()`, the same in a query (an
    # expression whose value is an Audience), for listings (lms.courses_open_to).

    def get_lms_modules(self) -> Sequence[LearningModule]: ...

    # Optional: a classmethod `prefetch_lms_modules(courses)` that loads the modules of many
    # courses of the class at once (the dashboard's batch); without it each course loads
    # its own. Optional too: a classmethod `listed_lms_modules(courses)` returning, by
    # course id, the modules of those courses it keeps between requests (no query when
    # kept); the others are loaded as above.
