"""The versioned JSON API (/api/v1/): heartbeats, step completion, quizzes, my progress.

Session authentication with CSRF (django-ninja's django_auth). Each endpoint parses its
body with a schema, calls one engine function and returns its result.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, NinjaAPI, Schema
from ninja.security import django_auth
from pydantic import FiniteFloat

from .. import dashboard, progress, quizzes, snapshots, state
from ..errors import LmsError
from ..protocols import LearningModule
from .bodies import JsonBodyParser, install_body_errors
from .errors import status_for

api = NinjaAPI(
    title="Lärplattformen API",
    version="1",
    urls_namespace="api-v1",
    auth=django_auth,
    docs_url="/docs",
    parser=JsonBodyParser(),
)
install_body_errors(api)  # a body it cannot read: 400 and why, on every endpoint


@api.exception_handler(LmsError)
def _lms_error(request: HttpRequest, exc: LmsError):
    return api.create_response(request, {"detail": exc.message}, status=status_for(exc))


def _module(module_id: int) -> LearningModule:
    return snapshots.get_live_module(module_id)


class ErrorOut(Schema):
    detail: str


class ValidationIssueOut(Schema):
    type: str
    loc: list[str | int]
    msg: str


class ValidationErrorOut(Schema):
    """What django-ninja answers (422) when a body or parameter does not fit the schema:
    one entry per problem, with where it is (`loc`) and what is wrong (`msg`)."""

    detail: list[ValidationIssueOut]


# Every operation's documented answers besides its own 200: a body that is not JSON (400),
# not logged in (401), no access (403), no such thing (404), not fitting the schema (422).
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


# Step ids are Wagtail block ids (UUIDs), session ids the player's UUIDs: letters, digits
# and dashes. Anything else (a NUL character, which PostgreSQL cannot store) is a 422.
ID_PATTERN = r"^[A-Za-z0-9_.-]+$"


class HeartbeatIn(Schema):
    module_id: int = Field(..., ge=1)
    step_id: str = Field(..., min_length=1, max_length=64, pattern=ID_PATTERN)
    session_id: str = Field(..., min_length=8, max_length=64, pattern=ID_PATTERN)
    seq: int = Field(..., ge=0, le=10_000_000)
    # Finite: NaN and Infinity are valid JSON to Python's parser, never a time.
    ranges: list[tuple[FiniteFloat, FiniteFloat]] = Field(default_factory=list, max_length=200)
    position: FiniteFloat = Field(0, ge=0, le=86_400)
    duration: FiniteFloat | None = Field(None, ge=0, le=86_400)


class HeartbeatOut(Schema):
    watched_seconds: float
    watched_share: float
    position: float
    credited_seconds: float
    completed: bool
    ignored: bool
    # The seconds credited so far, as [start, end] ranges of the lecture.
    watched_ranges: list[tuple[float, float]]


@api.post(
    "/progress/heartbeat",
    response={200: HeartbeatOut, **ERRORS},
    url_name="record_heartbeat",
)
def record_heartbeat(request, payload: HeartbeatIn):
    """The lecture player's heartbeat: ranges played since the last beat and the position."""
    result = progress.record_heartbeat(
        request.user,
        module_id=payload.module_id,
        step_id=payload.step_id,
        session_id=payload.session_id,
        seq=payload.seq,
        ranges=[(a, b) for a, b in payload.ranges],
        position=payload.position,
        media_duration=payload.duration,
    )
    return HeartbeatOut(**result.__dict__)


class StepIn(Schema):
    module_id: int = Field(..., ge=1)
    step_id: str = Field(..., min_length=1, max_length=64, pattern=ID_PATTERN)


class CompletedOut(Schema):
    completed: bool


@api.post(
    "/progress/complete",
    response={200: CompletedOut, **ERRORS},
    url_name="complete_step",
)
def complete_step(request, payload: StepIn):
    """Mark a reading step as done."""
    progress.complete_step(request.user, module=_module(payload.module_id), step_id=payload.step_id)
    return CompletedOut(completed=True)


class ReflectionIn(StepIn):
    answer: str = Field(..., max_length=20_000)


@api.post(
    "/progress/reflection",
    response={200: CompletedOut, **ERRORS},
    url_name="save_reflection",
)
def save_reflection(request, payload: ReflectionIn):
    row = progress.save_reflection(
        request.user,
        module=_module(payload.module_id),
        step_id=payload.step_id,
        answer=payload.answer,
    )
    return CompletedOut(completed=row.completed_at is not None)


class ChoiceOut(Schema):
    id: str
    text: str


class QuestionOut(Schema):
    id: str
    kind: str
    text: str
    multiple: bool
    choices: list[ChoiceOut]


class AttemptOut(Schema):
    attempt_id: int
    number: int
    questions: list[QuestionOut]


@api.post(
    "/quizzes/attempts",
    response={200: AttemptOut, **ERRORS, 409: ErrorOut},
    url_name="start_quiz_attempt",
)
def start_quiz_attempt(request, payload: StepIn):
    """Start an attempt (or get the open one): questions without answers."""
    module = _module(payload.module_id)
    attempt = quizzes.start_quiz_attempt(request.user, module=module, step_id=payload.step_id)
    return AttemptOut(
        attempt_id=attempt.pk,
        number=attempt.number,
        questions=quizzes.get_attempt_questions(attempt, module=module),
    )


class SubmitIn(Schema):
    module_id: int = Field(..., ge=1)
    answers: dict[str, list[str]] = Field(default_factory=dict)


class ResultChoiceOut(Schema):
    id: str
    text: str
    correct: bool
    selected: bool
    feedback: str


class ResultQuestionOut(Schema):
    question_id: str
    text: str
    correct: bool
    choices: list[ResultChoiceOut]
    explanation: str


class ResultOut(Schema):
    attempt_id: int
    number: int
    score: float
    passed: bool
    attempts_used: int
    attempts_left: int | None
    step_completed: bool
    reviewed: bool = Field(
        description="Whether the quiz's review policy lets this result show which answers "
        "were right, the correct choices, feedback and explanations. When false, "
        "`questions` is empty: a failed attempt does not give away the answers."
    )
    questions: list[ResultQuestionOut]


@api.post(
    "/quizzes/attempts/{attempt_id}/submit",
    response={200: ResultOut, **ERRORS},
    url_name="submit_quiz_attempt",
)
def submit_quiz_attempt(request, attempt_id: int, payload: SubmitIn):
    """Grade the attempt. Right answers, feedback and explanations come back only when the
    quiz's review policy allows (by default after a pass or when no attempts remain)."""
    result = quizzes.submit_quiz_attempt(
        request.user,
        module=_module(payload.module_id),
        attempt_id=attempt_id,
        answers=payload.answers,
    )
    return ResultOut(
        attempt_id=result.attempt.pk,
        number=result.attempt.number,
        score=result.score,
        passed=result.passed,
        attempts_used=result.attempts_used,
        attempts_left=result.attempts_left,
        step_completed=result.step_completed,
        reviewed=result.reviewed,
        questions=[q.__dict__ for q in result.questions],
    )


class ModuleProgressOut(Schema):
    module_id: int
    title: str
    state: str
    percent: int
    completed_at: datetime | None


class CourseProgressOut(Schema):
    course_id: int
    title: str
    url: str
    percent: int
    required_done: int
    required_total: int
    due_at: datetime | None
    completed_at: datetime | None
    modules: list[ModuleProgressOut]


class MyProgressOut(Schema):
    courses: list[CourseProgressOut]


def _course_out(course: state.CourseProgress) -> CourseProgressOut:
    return CourseProgressOut(
        course_id=course.course.pk,
        title=course.course.title,
        url=course.course.url or "",
        percent=course.percent,
        required_done=course.required_done,
        required_total=course.required_total,
        due_at=course.enrolment.due_at if course.enrolment else None,
        completed_at=course.completed_at,
        modules=[
            ModuleProgressOut(
                module_id=m.module.pk,
                title=m.module.title,
                state=m.state,
                percent=m.percent,
                completed_at=m.completed_at,
            )
            for m in course.modules
        ],
    )


@api.get("/me/progress", response={200: MyProgressOut, 401: ErrorOut}, url_name="my_progress")
def my_progress(request):
    """Every course I am enrolled in, with module states and progress."""
    board = dashboard.get_learner_dashboard(request.user)
    return MyProgressOut(courses=[_course_out(c) for c in board.courses])


__all__ = ["api"]
