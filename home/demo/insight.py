"""The demo of issue 24's editor reports: the Grundmodul of the equality programme
(Huddinge's, edited by `editor`) gets a lecture audience with a visible drop-off (about
four in ten viewers stop near 40 % of the lecture, a fifth play its middle again) and 36
first attempts at its quiz, in which the first question is answered right by everyone but
one (flagged: almost everyone right).

The watching and the answers are written as the engine stores them (watch rows, submitted
attempts), for demo staff who have none on these steps yet: deterministic (a seeded
generator, people in username order) and idempotent (a second run finds them and adds
nothing)."""

from __future__ import annotations

import random

from django.utils import timezone

from wagtail_learning.lms.api import QuizAttempt, StepProgress
from wagtail_learning.modules.models import ModulePage
from wagtail_learning.org.api import LearnerProfile

MODULE_SLUG = "grundmodul"
VIEWERS = 40
ATTEMPTS = 36


def seed_insight(note) -> None:
    module = ModulePage.objects.filter(slug=MODULE_SLUG).first()
    if module is None:
        note("insight", "Grundmodul missing", outcome="skipped")
        return
    lecture_spec = next((s for s in module.step_specs if s.kind == "lecture"), None)
    quiz_spec = next((s for s in module.step_specs if s.kind == "quiz"), None)
    people = list(
        LearnerProfile.objects.order_by("user__username").values_list("user_id", flat=True)[
            :VIEWERS
        ]
    )
    rng = random.Random(24)
    now = timezone.now()
    if lecture_spec is not None and lecture_spec.duration_seconds:
        duration = float(lecture_spec.duration_seconds)
        has_row = set(
            StepProgress.objects.filter(
                module_id=module.pk, step_id=lecture_spec.step_id, user_id__in=people
            ).values_list("user_id", flat=True)
        )
        rows = []
        for index, user_id in enumerate(people):
            stops = index % 5 < 2  # four in ten stop near 40 %
            end = round(duration * (0.38 + 0.04 * rng.random()), 1) if stops else duration
            again = (
                [[round(duration * 0.2, 1), round(duration * 0.3, 1)]]
                if index % 5 == 4 and not stops
                else []
            )
            if user_id in has_row:
                continue
            rows.append(
                StepProgress(
                    user_id=user_id,
                    module_id=module.pk,
                    step_id=lecture_spec.step_id,
                    kind="lecture",
                    watched_ranges=[[0.0, end]],
                    rewatched_ranges=again,
                    watched_seconds=end,
                    duration_seconds=duration,
                    position_seconds=end,
                )
            )
        StepProgress.objects.bulk_create(rows)
        note("insight watch rows", module.title, created=bool(rows))
    quiz = module.get_lms_quiz(quiz_spec.step_id) if quiz_spec is not None else None
    if quiz is None:
        return
    rules = quiz.get_lms_quiz_rules()
    took = set(
        QuizAttempt.objects.filter(module_id=module.pk, step_id=quiz_spec.step_id).values_list(
            "user_id", flat=True
        )
    )
    attempts = []
    for index, user_id in enumerate(people[:ATTEMPTS]):
        ability = (index * 7 % ATTEMPTS) / ATTEMPTS  # spread, the same every run
        answers, points, maximum = {}, 0.0, 0.0
        for number, question in enumerate(rules.questions):
            right = index != 0 if number == 0 else rng.random() < 0.25 + 0.7 * ability
            correct = [c.choice_id for c in question.choices if c.correct]
            wrong = [c.choice_id for c in question.choices if not c.correct]
            answers[question.question_id] = correct if right or not wrong else [wrong[0]]
            points += question.points if right or not wrong else 0
            maximum += question.points
        if user_id in took:
            continue
        score = round(100 * points / (maximum or 1), 2)
        attempts.append(
            QuizAttempt(
                user_id=user_id,
                module_id=module.pk,
                step_id=quiz_spec.step_id,
                quiz_id=quiz.pk,
                revision=quiz.get_lms_revision(),
                number=1,
                question_ids=[q.question_id for q in rules.questions],
                choice_order={
                    q.question_id: [c.choice_id for c in q.choices] for q in rules.questions
                },
                answers=answers,
                score=score,
                points=points,
                max_points=maximum,
                passed=score >= rules.pass_mark,
                submitted_at=now,
            )
        )
    QuizAttempt.objects.bulk_create(attempts)
    note("insight quiz attempts", quiz.title, created=bool(attempts))
