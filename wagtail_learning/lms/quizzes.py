"""Taking quizzes: drawing an attempt, serving it without answers, grading on the server."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .access import require_learner_access
from .completion import complete_progress
from .enrolment import current_cycle
from .errors import AttemptLimitReached, InvalidInput, NotFound
from .models import QuizAttempt, StepProgress
from .progress import _locked_progress, get_step_spec
from .protocols import LearningModule, QuestionSpec, QuizRules
from .vocabulary import ReviewPolicy

__all__ = [
    "QuestionResult",
    "QuizResult",
    "get_attempt_questions",
    "get_quiz_result",
    "get_quiz_status",
    "start_quiz_attempt",
    "submit_quiz_attempt",
]


@dataclass(frozen=True)
class QuestionResult:
    question_id: str
    text: str
    correct: bool
    selected: list[str]
    correct_choice_ids: list[str]
    choices: list[dict]  # id, text, correct, selected, feedback
    explanation: str
    points: float
    max_points: float


@dataclass(frozen=True)
class QuizResult:
    attempt: QuizAttempt
    score: float
    passed: bool
    attempts_used: int
    attempts_left: int | None
    step_completed: bool
    # Whether the quiz's review policy lets this result show which answers were right,
    # the correct choices, feedback and explanations; when not, `questions` is empty.
    reviewed: bool = False
    review: ReviewPolicy = ReviewPolicy.AFTER_PASS_OR_NO_ATTEMPTS_LEFT
    questions: list[QuestionResult] = field(default_factory=list)


@dataclass(frozen=True)
class QuizStatus:
    rules: QuizRules
    attempts_used: int
    attempts_left: int | None
    best_score: float | None
    open_attempt: QuizAttempt | None
    last_attempt: QuizAttempt | None
    completed: bool
    passed: bool = False  # in any attempt of the cycle: no further attempt is offered


def _quiz_for_step(module: LearningModule, step_id: str):
    get_step_spec(module, step_id, "quiz")
    quiz = module.get_lms_quiz(step_id)
    if quiz is None:
        raise NotFound(_("The quiz for this step is missing."))
    return quiz


def _rules_for_attempt(attempt: QuizAttempt, module: LearningModule) -> QuizRules:
    """The rules and questions of the revision the attempt was drawn from."""
    if attempt.revision_id is not None:
        return attempt.revision.as_object().get_lms_quiz_rules()
    return _quiz_for_step(module, attempt.step_id).get_lms_quiz_rules()


def _attempts_left(rules: QuizRules, used: int) -> int | None:
    return None if rules.max_attempts is None else max(rules.max_attempts - used, 0)


def get_quiz_status(user, *, module: LearningModule, step_id: str) -> QuizStatus:
    """The learner's standing on a quiz step: attempts used and left, best score, any open
    attempt. Reads only."""
    rules = _quiz_for_step(module, step_id).get_lms_quiz_rules()
    cycle = current_cycle(user=user, module=module)
    attempts = list(
        QuizAttempt.objects.filter(
            user=user, module_id=module.pk, step_id=step_id, cycle=cycle
        ).order_by("number")
    )
    progress = StepProgress.objects.filter(
        user=user, module_id=module.pk, step_id=step_id, cycle=cycle
    ).first()
    submitted = [a for a in attempts if a.submitted_at]
    open_attempt = next((a for a in attempts if not a.submitted_at), None)
    return QuizStatus(
        rules=rules,
        attempts_used=len(attempts),
        attempts_left=_attempts_left(rules, len(attempts)),
        best_score=progress.best_score if progress else None,
        open_attempt=open_attempt,
        last_attempt=submitted[-1] if submitted else None,
        completed=bool(progress and progress.completed_at),
        passed=any(a.passed for a in submitted),
    )


def start_quiz_attempt(
    user, *, module: LearningModule, step_id: str, rng: random.Random | None = None
) -> QuizAttempt:
    """Start an attempt, or return the one already open. Atomic.

    The draw from the pool and the shuffle are fixed on the attempt. Raises AccessDenied,
    NotFound, AttemptLimitReached.
    """
    decision = require_learner_access(user=user, module=module)
    spec = get_step_spec(module, step_id, "quiz")
    quiz = _quiz_for_step(module, step_id)
    rules = quiz.get_lms_quiz_rules()
    if not rules.questions:
        raise NotFound(_("This quiz has no questions yet."))
    rng = rng or random.SystemRandom()
    with transaction.atomic():
        # Locking the step's row serialises attempts of one learner and step.
        _locked_progress(user, module.pk, spec, decision.cycle)
        existing = QuizAttempt.objects.filter(
            user=user, module_id=module.pk, step_id=step_id, cycle=decision.cycle
        )
        open_attempt = existing.filter(submitted_at__isnull=True).first()
        if open_attempt is not None:
            return open_attempt
        used = existing.count()
        if rules.max_attempts is not None and used >= rules.max_attempts:
            raise AttemptLimitReached(_("You have used all %(count)d attempts.") % {"count": used})
        questions = list(rules.questions)
        if rules.draw_count and rules.draw_count < len(questions):
            drawn = _draw(rules, existing, rng)
            questions = [
                questions[i] for i in (drawn if rules.shuffle_questions else sorted(drawn))
            ]
        elif rules.shuffle_questions:
            rng.shuffle(questions)
        choice_order = {}
        for question in questions:
            ids = [c.choice_id for c in question.choices]
            if rules.shuffle_choices and question.kind != "true_false":
                rng.shuffle(ids)
            choice_order[question.question_id] = ids
        return QuizAttempt.objects.create(
            user=user,
            module_id=module.pk,
            step_id=step_id,
            cycle=decision.cycle,
            quiz_id=quiz.pk,
            revision=quiz.get_lms_revision(),
            number=used + 1,
            question_ids=[q.question_id for q in questions],
            choice_order=choice_order,
        )


def _draw(rules: QuizRules, earlier, rng: random.Random) -> list[int]:
    """Indexes of `rules.draw_count` questions of the pool, at random. With `fresh_draw`,
    first from those the previous attempt did not have, then (when the pool is too
    small for a wholly new draw) from the rest."""
    count = rules.draw_count or 0
    indexes = list(range(len(rules.questions)))
    if not rules.fresh_draw:
        return rng.sample(indexes, count)
    previous = earlier.order_by("-number").values_list("question_ids", flat=True).first()
    had = set(previous or [])
    unseen = [i for i in indexes if rules.questions[i].question_id not in had]
    seen = [i for i in indexes if rules.questions[i].question_id in had]
    drawn = rng.sample(unseen, min(count, len(unseen)))
    return drawn + rng.sample(seen, count - len(drawn))


def get_attempt_questions(attempt: QuizAttempt, *, module: LearningModule) -> list[dict]:
    """The attempt's questions in its order, as learners may see them: id, text, whether
    several answers may be chosen, and choices (id, text). No correct flags, feedback or
    explanations."""
    by_id = {q.question_id: q for q in _rules_for_attempt(attempt, module).questions}
    result = []
    for question_id in attempt.question_ids:
        question = by_id.get(question_id)
        if question is None:
            continue
        texts = {c.choice_id: c.text for c in question.choices}
        result.append(
            {
                "id": question.question_id,
                "kind": question.kind,
                "text": question.text,
                "multiple": question.multiple,
                "choices": [
                    {"id": cid, "text": texts[cid]}
                    for cid in attempt.choice_order.get(question_id, [])
                    if cid in texts
                ],
            }
        )
    return result


def _grade(question: QuestionSpec, selected: list[str]) -> QuestionResult:
    correct_ids = [c.choice_id for c in question.choices if c.correct]
    is_correct = set(selected) == set(correct_ids)
    return QuestionResult(
        question_id=question.question_id,
        text=question.text,
        correct=is_correct,
        selected=selected,
        correct_choice_ids=correct_ids,
        choices=[
            {
                "id": c.choice_id,
                "text": c.text,
                "correct": c.correct,
                "selected": c.choice_id in selected,
                "feedback": c.feedback if c.choice_id in selected else "",
            }
            for c in question.choices
        ],
        explanation=question.explanation,
        points=float(question.points) if is_correct else 0.0,
        max_points=float(question.points),
    )


def _validate_answers(attempt: QuizAttempt, by_id: dict, answers: dict) -> dict[str, list[str]]:
    if not isinstance(answers, dict):
        raise InvalidInput(_("Answers must map question ids to lists of choice ids."))
    cleaned: dict[str, list[str]] = {}
    for question_id, chosen in answers.items():
        if question_id not in attempt.question_ids or question_id not in by_id:
            raise InvalidInput(
                _('"%(id)s" is not a question of this attempt.') % {"id": str(question_id)[:64]}
            )
        if isinstance(chosen, str):
            chosen = [chosen]
        if not isinstance(chosen, list) or not all(isinstance(c, str) for c in chosen):
            raise InvalidInput(_("Each answer must be a list of choice ids."))
        allowed = set(attempt.choice_order.get(question_id, []))
        for choice_id in chosen:
            if choice_id not in allowed:
                raise InvalidInput(
                    _('"%(choice)s" is not a choice of question "%(question)s".')
                    % {"choice": choice_id[:64], "question": question_id[:64]}
                )
        unique = list(dict.fromkeys(chosen))
        if len(unique) > 1 and not by_id[question_id].multiple:
            raise InvalidInput(_("Choose only one answer for a single-choice question."))
        cleaned[question_id] = unique
    return cleaned


def submit_quiz_attempt(
    user,
    *,
    module: LearningModule,
    attempt_id: int,
    answers: dict,
    now: datetime | None = None,
) -> QuizResult:
    """Grade an attempt against the quiz revision it was drawn from. Atomic.

    Submitting an attempt that is already submitted returns its stored result (a double
    submit counts once). Unanswered questions score zero. Passing (or submitting, when
    the step does not require a pass) completes the step; the best score is kept.
    Raises AccessDenied, NotFound, InvalidInput.
    """
    require_learner_access(user=user, module=module)
    now = now or timezone.now()
    with transaction.atomic():
        try:
            attempt = QuizAttempt.objects.select_for_update().get(
                pk=attempt_id, user=user, module_id=module.pk
            )
        except QuizAttempt.DoesNotExist as exc:
            raise NotFound(_("No such quiz attempt.")) from exc
        spec = get_step_spec(module, attempt.step_id, "quiz")
        rules = _rules_for_attempt(attempt, module)
        by_id = {q.question_id: q for q in rules.questions}
        if attempt.submitted_at is None:
            cleaned = _validate_answers(attempt, by_id, answers)
            progress = _locked_progress(user, module.pk, spec, attempt.cycle)
            results = [
                _grade(by_id[qid], cleaned.get(qid, []))
                for qid in attempt.question_ids
                if qid in by_id
            ]
            points = sum(r.points for r in results)
            max_points = sum(r.max_points for r in results) or 1.0
            attempt.answers = cleaned
            attempt.points = points
            attempt.max_points = max_points
            attempt.score = round(100 * points / max_points, 2)
            attempt.passed = attempt.score >= rules.pass_mark
            attempt.submitted_at = now
            attempt.save()
            if progress.best_score is None or attempt.score > progress.best_score:
                progress.best_score = attempt.score
                progress.save(update_fields=["best_score", "updated_at"])
            if attempt.passed or not spec.pass_required:
                complete_progress(progress, module=module, now=now)
        return _stored_result(attempt, rules, _review_policy(module, attempt, rules))


def _review_policy(module: LearningModule, attempt: QuizAttempt, rules: QuizRules) -> ReviewPolicy:
    """The editors' current choice (a policy made stricter applies to old attempts too);
    the attempt's revision when the quiz is gone from the step."""
    quiz = module.get_lms_quiz(attempt.step_id)
    return ReviewPolicy(quiz.get_lms_quiz_rules().review if quiz else rules.review)


def _stored_result(attempt: QuizAttempt, rules: QuizRules, review: ReviewPolicy) -> QuizResult:
    """The result of a submitted attempt, graded from its stored answers. The review
    (right and wrong answers, correct choices, feedback, explanations) is left out unless
    the review policy allows it for where the learner now stands."""
    same_step = {
        "user_id": attempt.user_id,
        "module_id": attempt.module_id,
        "step_id": attempt.step_id,
        "cycle": attempt.cycle,
    }
    attempts = QuizAttempt.objects.filter(**same_step)
    used = attempts.count()
    attempts_left = _attempts_left(rules, used)
    passed_any = bool(attempt.passed) or attempts.filter(passed=True).exists()
    reviewed = review.reveals(passed=passed_any, attempts_left=attempts_left)
    results = []
    if reviewed:
        by_id = {q.question_id: q for q in rules.questions}
        results = [
            _grade(by_id[qid], attempt.answers.get(qid, []))
            for qid in attempt.question_ids
            if qid in by_id
        ]
    completed = StepProgress.objects.filter(**same_step, completed_at__isnull=False).exists()
    return QuizResult(
        attempt=attempt,
        score=attempt.score or 0.0,
        passed=bool(attempt.passed),
        attempts_used=used,
        attempts_left=attempts_left,
        step_completed=completed,
        reviewed=reviewed,
        review=review,
        questions=results,
    )


def get_quiz_result(user, *, module: LearningModule, attempt_id: int) -> QuizResult:
    """The graded result of one of the learner's submitted attempts. Reads only.
    Raises NotFound for an attempt that is not theirs or not submitted."""
    attempt = QuizAttempt.objects.filter(
        pk=attempt_id, user=user, module_id=module.pk, submitted_at__isnull=False
    ).first()
    if attempt is None:
        raise NotFound(_("No such quiz attempt."))
    rules = _rules_for_attempt(attempt, module)
    return _stored_result(attempt, rules, _review_policy(module, attempt, rules))
