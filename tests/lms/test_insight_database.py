"""Issue 24's figures read from the database: the same fixture on whichever database the
suite runs on (SQLite: the per-row path; PostgreSQL: the aggregates that return a row per
bucket or per question) gives the hand-worked numbers, agrees with the per-row
computation on random data, and asks one query whatever the number of rows."""

from __future__ import annotations

import math
import random
import statistics
from collections import defaultdict
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import (
    LectureFactory,
    ModulePageFactory,
    QuizFactory,
    UserFactory,
    choice,
    lecture_step,
    multiple_choice,
    quiz_step,
    single_choice,
)
from wagtail_learning.lms.insight import (
    compute_retention,
    get_lecture_retention,
    grade_attempt,
    kr20,
)
from wagtail_learning.lms.models import QuizAttempt, StepProgress
from wagtail_learning.modules.insight import get_quiz_item_analysis

pytestmark = pytest.mark.django_db


@pytest.fixture
def lecture_in_two_modules(db):
    lecture = LectureFactory(title="Om lagen", duration=timedelta(seconds=30))
    modules = []
    for _ in range(2):
        step = lecture_step(lecture)
        modules.append((ModulePageFactory(steps=[step]), step["id"]))
    return modules


def _store(modules, rows, *, module_of=lambda viewer, index: 0):
    """Watch rows `(viewer, watched, rewatched, row_duration)`; a viewer's second row goes
    to the next cycle of the same step unless `module_of` puts it in the other module."""
    users: dict = {}
    seen: dict = {}
    for viewer, watched, again, row_duration in rows:
        user = users.setdefault(viewer, UserFactory())
        index = seen.get(viewer, 0)
        seen[viewer] = index + 1
        module, step_id = modules[module_of(viewer, index)]
        StepProgress.objects.create(
            user=user,
            module=module,
            step_id=step_id,
            cycle=index + 1,
            kind="lecture",
            watched_ranges=[list(r) for r in watched],
            rewatched_ranges=[list(r) for r in again],
            watched_seconds=sum(b - a for a, b in watched),
            duration_seconds=row_duration,
        )
    return users


def _steps(modules):
    return [(module.pk, step_id) for module, step_id in modules]


def test_retention_from_the_database_worked_by_hand(lecture_in_two_modules):
    """The table of `test_insight_figures.test_retention_worked_by_hand`, stored: viewer 4's
    second row in the lecture's other module, viewer 5 opened it only.

        bucket   watching       again
        0-10     40/40 = 1.0    5/40 = 0.125 (viewer 4: 0-5 in both rows)
        10-20    15/40 = 0.375  10/40 = 0.25 (viewer 1's replay)
        20-30    20/40 = 0.5    0
    """
    modules = lecture_in_two_modules
    _store(
        modules,
        [
            (1, [[0, 30]], [[10, 20]], 30.0),
            (2, [[0, 15]], [], 30.0),
            (3, [[0, 10], [20, 30]], [], 30.0),
            (4, [[0, 10]], [], 30.0),
            (4, [[0, 5]], [], 30.0),
            (5, [], [], None),
        ],
        module_of=lambda viewer, index: index,
    )
    result = get_lecture_retention(steps=_steps(modules), duration=30, bucket_seconds=10)

    assert result.viewers == 4
    assert [b.watching for b in result.buckets] == pytest.approx([1.0, 0.375, 0.5])
    assert [b.rewatched for b in result.buckets] == pytest.approx([0.125, 0.25, 0.0])
    assert [b.stopped for b in result.buckets] == [1, 1, 0]
    assert result.finished == 2
    assert [(b.start, b.end) for b in result.drop_offs] == [(0, 10), (10, 20)]
    assert [(b.start, b.end) for b in result.rewatched_most] == [(10, 20), (0, 10)]


def test_retention_past_the_end_and_a_shorter_file(lecture_in_two_modules):
    """Ranges past the lecture's end are clipped at it (30 s); a row whose file was 28 s
    long ends 2 s early, and watching to 26.5 s is within 2 s of it: finished. A viewer
    who watched 0-12 in one row and 8-20 in another watched 8-12 again and stopped at 20.

        bucket   watched seconds         again
        0-10     10 + 10 + 10    = 30    2 (8-10)
        10-20    10 + 10 + 10    = 30    2 (10-12)
        20-30    10 + 6.5 + 0    = 16.5  0
    """
    modules = lecture_in_two_modules
    _store(
        modules,
        [
            (1, [[0, 35]], [], 36.0),
            (2, [[0, 26.5]], [], 28.0),
            (3, [[0, 12]], [], 30.0),
            (3, [[8, 20]], [], 30.0),
        ],
        module_of=lambda viewer, index: index,
    )
    result = get_lecture_retention(steps=_steps(modules), duration=30, bucket_seconds=10)

    assert result.viewers == 3
    assert [b.watching * 30 for b in result.buckets] == pytest.approx([30, 30, 16.5])
    assert [b.rewatched * 30 for b in result.buckets] == pytest.approx([2, 2, 0])
    assert [b.stopped for b in result.buckets] == [0, 1, 0]
    assert result.finished == 2


def _random_rows(rng, viewers, duration):
    rows = []
    for viewer in range(viewers):
        for _cycle in range(rng.choice([1, 1, 2, 3])):
            points = sorted(rng.uniform(0, duration * 1.05) for _ in range(6))
            watched = [[points[0], points[1]], [points[2], points[3]], [points[4], points[5]]]
            watched = [r for r in watched if r[1] > r[0]][: rng.choice([1, 2, 3])]
            again = []
            if rng.random() < 0.4:
                a, b = watched[0]
                again = [[a, a + (b - a) / 3]]
            row_duration = rng.choice([duration, duration * 0.97, None])
            rows.append((viewer, watched, again, row_duration))
    return rows


def test_retention_from_the_database_agrees_with_the_per_row_computation(
    lecture_in_two_modules,
):
    """Random rows: several rows per viewer in both modules, ranges past the end, shorter
    files, replays. The database's figures equal `compute_retention` over the same rows
    (on PostgreSQL a different computation; on SQLite the same one)."""
    rng = random.Random(2024)
    duration = 30.0
    modules = lecture_in_two_modules
    rows = _random_rows(rng, 60, duration)
    _store(modules, rows, module_of=lambda viewer, index: (viewer + index) % 2)
    stored = StepProgress.objects.filter(watched_seconds__gt=0).values_list(
        "user_id", "watched_ranges", "rewatched_ranges", "duration_seconds"
    )
    for width in (1, 5, 7):
        expected = compute_retention(list(stored), duration=duration, bucket_seconds=width)
        result = get_lecture_retention(steps=_steps(modules), duration=duration,
                                       bucket_seconds=width)  # fmt: skip
        assert result.viewers == expected.viewers == 60
        assert result.finished == expected.finished
        assert len(result.buckets) == math.ceil(duration / width)
        for got, want in zip(result.buckets, expected.buckets, strict=True):
            assert (got.start, got.end, got.stopped) == (want.start, want.end, want.stopped)
            assert got.watching == pytest.approx(want.watching, abs=1e-9)
            assert got.rewatched == pytest.approx(want.rewatched, abs=1e-9)
        assert [b.start for b in result.drop_offs] == [b.start for b in expected.drop_offs]


@pytest.mark.parametrize("viewers", [6, 60])
def test_retention_asks_one_query_whatever_the_rows(
    lecture_in_two_modules, django_assert_num_queries, viewers
):
    modules = lecture_in_two_modules
    _store(modules, _random_rows(random.Random(viewers), viewers, 30.0))
    with django_assert_num_queries(1):
        result = get_lecture_retention(steps=_steps(modules), duration=30.0)
    assert result.viewers == viewers


# --- Item analysis -------------------------------------------------------------------------


def _per_row_item_analysis(graded, questions):
    """The figures per attempt, as the engine computed them before the sums (decision
    0043): difficulty the mean of x, discrimination `statistics.correlation` of x and the
    share of the other questions' points, KR-20 by `kr20` on the table of complete
    attempts, picks counted per attempt."""
    out = {}
    for question in questions:
        qid = question.question_id
        had = [a.answers for a in graded if qid in a.answers]
        x, rest, picked, unanswered = [], [], defaultdict(int), 0
        for answers in had:
            points = sum(v[1] for v in answers.values())
            maximum = sum(v[2] for v in answers.values())
            mine = answers[qid]
            x.append(1 if mine[0] else 0)
            others = maximum - mine[2]
            rest.append((points - mine[1]) / others if others else 0.0)
            unanswered += not mine[3]
            for choice_id in mine[3]:
                picked[choice_id] += 1
        varies = len(set(x)) > 1 and len(set(rest)) > 1
        out[qid] = {
            "attempts": len(had),
            "difficulty": statistics.fmean(x),
            "discrimination": statistics.correlation(x, rest) if varies else None,
            "picked": [picked[c.choice_id] for c in question.choices],
            "unanswered": unanswered,
        }
    ids = [q.question_id for q in questions]
    table = [[1 if a.answers[q][0] else 0 for q in ids] for a in graded
             if all(q in a.answers for q in ids)]  # fmt: skip
    scores = [
        sum(v[1] for v in a.answers.values()) / (sum(v[2] for v in a.answers.values()) or 1)
        for a in graded
    ]
    return out, kr20(table), len(table), statistics.fmean(scores)


def _attempt(quiz, module, step_id, user, rules, rng, *, number=1, when=None, revision=True):
    answers = {}
    for question in rules.questions:
        roll = rng.random()
        if roll < 0.1:
            continue  # unanswered
        if question.multiple:
            picked = [c.choice_id for c in question.choices if rng.random() < 0.5]
        else:
            picked = [rng.choice(question.choices).choice_id]
            if roll < 0.6:
                picked = [next(c.choice_id for c in question.choices if c.correct)]
        answers[question.question_id] = picked
    QuizAttempt.objects.create(
        user=user, module_id=module.pk, step_id=step_id, quiz_id=quiz.pk,
        revision=quiz.get_lms_revision() if revision else None, number=number,
        question_ids=[q.question_id for q in rules.questions], choice_order={},
        answers=answers, submitted_at=when or timezone.now(),
    )  # fmt: skip


def test_item_analysis_from_the_database_agrees_with_the_per_row_computation(db, settings):
    """Random first attempts at a quiz of single- and multiple-choice questions worth 1-3
    points, some unanswered; second attempts (left out); attempts against an earlier
    revision whose right answer differed and one against no revision; then a question
    added (the earlier attempts did not have it: KR-20 over the complete ones only)."""
    settings.LMS_ITEM_ANALYSIS_MIN_ATTEMPTS = 30
    rng = random.Random(24)
    options = [choice("Rätt", correct=True), choice("Fel A"), choice("Fel B")]
    questions = [
        single_choice("Ett", [dict(c, id=f"a{i}") for i, c in enumerate(options)], points=1),
        single_choice("Två", [dict(c, id=f"b{i}") for i, c in enumerate(options)], points=2),
        multiple_choice("Tre", [choice("X", correct=True), choice("Y", correct=True),
                                choice("Z")], points=3),
    ]  # fmt: skip
    quiz = QuizFactory(questions=questions)
    step = quiz_step(quiz)
    module = ModulePageFactory(steps=[step])
    rules = quiz.get_lms_quiz_rules()
    t0 = timezone.now() - timedelta(days=1)
    people = [UserFactory() for _ in range(70)]
    for index, user in enumerate(people[:35]):
        _attempt(quiz, module, step["id"], user, rules, rng, when=t0 + timedelta(minutes=index),
                 revision=index != 3)  # fmt: skip
        _attempt(quiz, module, step["id"], user, rules, rng, number=2)
    # Edit: "Fel A" of question one becomes the right answer, and a fourth question joins.
    raw = quiz.questions.raw_data
    first = raw[0]["value"]["choices"]
    first[0]["value"]["correct"], first[1]["value"]["correct"] = False, True
    raw.append(single_choice("Fyra", [choice("Ja", correct=True), choice("Nej")]))
    quiz.questions = raw
    quiz.save_revision().publish()
    quiz.refresh_from_db()
    rules = quiz.get_lms_quiz_rules()
    for user in people[35:]:
        _attempt(quiz, module, step["id"], user, rules, rng)

    result = get_quiz_item_analysis(quiz)

    # The per-row reference: first attempts marked against their own revision.
    by_revision = {}
    graded = []
    for attempt in QuizAttempt.objects.filter(number=1).order_by("submitted_at", "pk"):
        if attempt.revision_id not in by_revision:
            source = attempt.revision.as_object() if attempt.revision_id else quiz
            by_revision[attempt.revision_id] = {
                q.question_id: q for q in source.get_lms_quiz_rules().questions
            }
        graded.append(
            grade_attempt(attempt.question_ids, attempt.answers, by_revision[attempt.revision_id])
        )
    expected, reliability, complete, mean_score = _per_row_item_analysis(graded, rules.questions)

    assert result.attempts == 70 and result.kr20_attempts == complete == 35
    assert result.kr20 == pytest.approx(reliability)
    assert result.mean_score == pytest.approx(mean_score)
    for item in result.items:
        want = expected[item.question_id]
        assert item.attempts == want["attempts"]
        assert [c.picked for c in item.choices] == want["picked"]
        assert item.unanswered == want["unanswered"]
        if item.enough:
            assert item.difficulty == pytest.approx(want["difficulty"])
            assert item.discrimination == pytest.approx(want["discrimination"])
    assert [i.attempts for i in result.items] == [70, 70, 70, 35]
    assert all(item.enough for item in result.items)
