"""The arithmetic of issue 24's reports, checked against small tables worked by hand and
against independent computations (a per-sample count for retention; the standard
library's `statistics.correlation` and `pvariance` for the item figures)."""

from __future__ import annotations

import math
import random
import statistics

import pytest

from wagtail_learning.lms.insight import (
    GradedAttempt,
    bucket_seconds_for,
    compute_item_analysis,
    compute_retention,
    kr20,
)
from wagtail_learning.lms.protocols import ChoiceSpec, QuestionSpec
from wagtail_learning.lms.tracking import rewatched_ranges

# --- Retention -----------------------------------------------------------------------------


def test_retention_worked_by_hand():
    """A 30-second lecture in 10-second buckets, four viewers and one who opened it only:

        viewer  watched            watched again   furthest  row
        1       0-30               10-20           30        finished
        2       0-15                               15        stopped in 10-20
        3       0-10, 20-30 (skip)                 30        finished
        4       0-10 (cycle 1)     0-5 (overlap    10        stopped in 0-10
                0-5  (cycle 2)      of its rows)
        5       nothing                            -         not a viewer

        bucket   watched seconds      watching       again seconds   again
        0-10     10+10+10+10 = 40     40/40 = 1.0    5 (viewer 4)    5/40 = 0.125
        10-20    10+5+0+0    = 15     15/40 = 0.375  10 (viewer 1)   10/40 = 0.25
        20-30    10+0+10+0   = 20     20/40 = 0.5    0               0

    Stopped: one in 0-10 (viewer 4: their last watched second is 9-10), one in 10-20;
    a quarter of the viewers each, both drop-off points (>= 5 %), the earlier first on a tie.
    """
    rows = [
        (1, [[0, 30]], [[10, 20]], 30.0),
        (2, [[0, 15]], [], 30.0),
        (3, [[0, 10], [20, 30]], [], 30.0),
        (4, [[0, 10]], [], 30.0),
        (4, [[0, 5]], [], 30.0),
        (5, [], [], None),
    ]
    result = compute_retention(rows, duration=30, bucket_seconds=10, min_viewers=5)

    assert result.viewers == 4
    assert not result.enough and result.viewers_missing == 1
    assert [b.watching for b in result.buckets] == [1.0, 0.375, 0.5]
    assert [b.rewatched for b in result.buckets] == [0.125, 0.25, 0.0]
    assert [b.stopped for b in result.buckets] == [1, 1, 0]
    assert [b.stopped_share for b in result.buckets] == [0.25, 0.25, 0.0]
    assert result.finished == 2
    assert [(b.start, b.end) for b in result.drop_offs] == [(0, 10), (10, 20)]
    assert [(b.start, b.end) for b in result.rewatched_most] == [(10, 20), (0, 10)]


def test_the_last_bucket_is_as_long_as_the_lecture_lets_it_be():
    """25 seconds in 10-second buckets: the last is 20-25, and a viewer who watched all of
    it is watching it wholly (5/5), not half (5/10)."""
    result = compute_retention([(1, [[0, 25]], [], 25.0)], duration=25, bucket_seconds=10)
    assert [(b.start, b.end) for b in result.buckets] == [(0, 10), (10, 20), (20, 25)]
    assert [b.watching for b in result.buckets] == [1.0, 1.0, 1.0]
    assert result.finished == 1 and not result.drop_offs


def test_a_viewer_at_a_shorter_file_end_has_finished():
    """The row's duration is what the player's file allowed (up to 5 % shorter than the
    lecture's): watching to its end is watching to the end."""
    result = compute_retention([(1, [[0, 96]], [], 96.0)], duration=100, bucket_seconds=10)
    assert result.finished == 1 and sum(b.stopped for b in result.buckets) == 0


@pytest.mark.parametrize(
    "duration, width",
    [(30, 1), (60, 1), (61, 2), (180, 5), (600, 10), (3600, 60), (7200, 120), (36000, 600)],
)
def test_buckets_stay_few_enough_to_read(duration, width):
    assert bucket_seconds_for(duration) == width
    assert math.ceil(duration / width) <= 60


def _sampled_retention(rows, duration, width):
    """An independent count: per viewer the union and overlaps by set arithmetic on
    quarter-second samples (the ranges' ends are multiples of 0.5 s, so sampling at
    0.25 + 0.5 k is exact)."""
    viewers: dict[int, list] = {}
    for viewer, watched, again, _duration in rows:
        if watched:
            viewers.setdefault(viewer, []).append((watched, again))
    samples = [0.25 + 0.5 * k for k in range(int(duration * 2))]
    count = math.ceil(duration / width)
    watching, rewatched = [0.0] * count, [0.0] * count
    for viewer_rows in viewers.values():
        for t in samples:
            covering = sum(any(a <= t < b for a, b in w) for w, _ in viewer_rows)
            replayed = any(any(a <= t < b for a, b in g) for _, g in viewer_rows)
            bucket = int(t // width)
            watching[bucket] += 0.5 if covering else 0.0
            rewatched[bucket] += 0.5 if (covering >= 2 or replayed) else 0.0
    out = []
    for index in range(count):
        span = (min((index + 1) * width, duration) - index * width) * len(viewers)
        out.append((watching[index] / span, rewatched[index] / span))
    return out


def test_retention_agrees_with_an_independent_count():
    rng = random.Random(24)
    duration, width = 97.0, 5
    rows = []
    for viewer in range(40):
        for _cycle in range(rng.choice([1, 1, 1, 2])):
            points = sorted(rng.randrange(0, int(duration * 2) + 1) / 2 for _ in range(4))
            watched = [[points[0], points[1]], [points[2], points[3]]]
            watched = [r for r in watched if r[1] > r[0]]
            again = [[points[0], (points[0] + points[1]) / 2]] if rng.random() < 0.3 else []
            again = [[math.floor(a * 2) / 2, math.floor(b * 2) / 2] for a, b in again]
            rows.append((viewer, watched, [r for r in again if r[1] > r[0]], duration))
    result = compute_retention(rows, duration=duration, bucket_seconds=width)
    expected = _sampled_retention(rows, duration, width)
    for bucket, (watching, again) in zip(result.buckets, expected, strict=True):
        assert bucket.watching == pytest.approx(watching)
        assert bucket.rewatched == pytest.approx(again)


def test_what_a_beat_plays_again_is_kept_apart_from_what_it_adds():
    """Already watched 0-60; a beat plays 30-70: 30-60 again, 60-70 new. With 15 s of the
    beat's wall-time budget left after the new part was credited, at most 15 s count as
    played again, in timeline order (30-45). A seam under a second (a segment reopened
    where the last closed) is no replay."""
    again = rewatched_ranges([[0, 60]], [[30, 70]], budget_seconds=15, duration=100)
    assert again == [(30.0, 45.0)]
    assert rewatched_ranges([[0, 60]], [[30, 70]], budget_seconds=99, duration=100) == [
        (30.0, 60.0)
    ]
    assert rewatched_ranges([[0, 60]], [[59.6, 80]], budget_seconds=60, duration=100) == []


# --- Item analysis -------------------------------------------------------------------------


def _question(qid, correct="a", choices=("a", "b", "c")):
    return QuestionSpec(
        question_id=qid,
        kind="single_choice",
        text=f"Fråga {qid}",
        choices=tuple(ChoiceSpec(c, c.upper(), c == correct) for c in choices),
    )


def _attempt(row: dict[str, str | None], questions) -> GradedAttempt:
    """An attempt from the chosen choice per question (None: unanswered)."""
    by_id = {q.question_id: q for q in questions}
    answers = {}
    for qid, chosen in row.items():
        right = chosen is not None and by_id[qid].choices[0].correct and chosen == "a"
        answers[qid] = (right, 1.0 if right else 0.0, 1.0, (chosen,) if chosen else ())
    return GradedAttempt(answers)


QUESTIONS = [_question("q1"), _question("q2"), _question("q3")]
# Right (a) or wrong (b, c) per attempt: the table of the docstring below.
TABLE = [
    {"q1": "a", "q2": "a", "q3": "a"},
    {"q1": "a", "q2": "a", "q3": "b"},
    {"q1": "a", "q2": "b", "q3": "b"},
    {"q1": "b", "q2": "a", "q3": "c"},
    {"q1": "a", "q2": None, "q3": "b"},
]


def test_item_analysis_worked_by_hand():
    """Five first attempts, three one-point questions (1 right, 0 wrong):

        attempt  q1 q2 q3  total
        1        1  1  1   3
        2        1  1  0   2
        3        1  0  0   1
        4        0  1  0   1     (q1: chose b; q3: chose c)
        5        1  0  0   1     (q2 unanswered)

    Difficulty p: q1 4/5 = 0.8, q2 3/5 = 0.6, q3 1/5 = 0.2 (not under 0.2: not flagged hard).

    Corrected point-biserial, item against the share of the other two questions' points:
      q1: x = 1 1 1 0 1 (mean .8), rest = 1 .5 0 .5 0 (mean .4)
          dx = .2 .2 .2 -.8 .2, dr = .6 .1 -.4 .1 -.4
          Sxy = .12 + .02 - .08 - .08 - .08 = -.10; Sxx = .8; Syy = .70
          r = -.10 / sqrt(.8 x .7) = -0.1336   -> under 0.2: flagged
      q2: x = 1 1 0 1 0 (mean .6), rest = 1 .5 .5 0 .5 (mean .5)
          Sxy = .4x.5 + .4x0 - .6x0 + .4x(-.5) - .6x0 = 0  -> r = 0: flagged
      q3: x = 1 0 0 0 0 (mean .2), rest = 1 1 .5 .5 .5 (mean .7)
          Sxy = .8x.3 - .2x.3 + 3 x (-.2x-.2) = .30; Sxx = .8; Syy = .30
          r = .30 / sqrt(.24) = 0.6124

    KR-20: totals 3 2 1 1 1, mean 1.6, variance (1.96 + .16 + 3 x .36) / 5 = 0.64;
    sum p q = .8x.2 + .6x.4 + .2x.8 = .56; KR-20 = 3/2 x (1 - .56/.64) = 0.1875.

    Wrong choices of q1: b once (1/5), c never; q2 left unanswered once.
    """
    result = compute_item_analysis(
        [_attempt(row, QUESTIONS) for row in TABLE], QUESTIONS, min_attempts=5
    )
    q1, q2, q3 = result.items
    assert result.enough and result.attempts == 5
    assert [q1.difficulty, q2.difficulty, q3.difficulty] == pytest.approx([0.8, 0.6, 0.2])
    assert q1.discrimination == pytest.approx(-0.10 / math.sqrt(0.8 * 0.7))
    assert q1.discrimination == pytest.approx(-0.1336, abs=1e-4)
    assert q2.discrimination == pytest.approx(0.0, abs=1e-12)
    assert q3.discrimination == pytest.approx(0.6124, abs=1e-4)
    assert result.kr20 == pytest.approx(0.1875)
    assert q1.flags == ("low_discrimination",)
    assert q2.flags == ("low_discrimination",)
    assert q3.flags == ()
    assert [(c.choice_id, c.picked, c.share) for c in q1.choices] == [
        ("a", 4, 0.8), ("b", 1, 0.2), ("c", 0, 0.0),
    ]  # fmt: skip
    assert q2.unanswered == 1
    assert result.flagged == (q1, q2)
    assert result.mean_score == pytest.approx((3 + 2 + 1 + 1 + 1) / 15)


def test_almost_everyone_right_or_wrong_is_flagged():
    """20 attempts: q1 right 19 times (0.95 > 0.9: easy), q2 right 3 times (0.15 < 0.2:
    hard)."""
    questions = [_question("q1"), _question("q2")]
    rows = [{"q1": "a" if i < 19 else "b", "q2": "a" if i < 3 else "c"} for i in range(20)]
    result = compute_item_analysis(
        [_attempt(r, questions) for r in rows], questions, min_attempts=20
    )
    assert "easy" in result.items[0].flags
    assert "hard" in result.items[1].flags


def test_no_figures_under_the_minimum_and_how_many_are_missing():
    result = compute_item_analysis(
        [_attempt(row, QUESTIONS) for row in TABLE[:4]], QUESTIONS, min_attempts=5
    )
    assert not result.enough and result.attempts_missing == 1
    assert result.kr20 is None and result.mean_score is None
    assert all(item.difficulty is None and item.discrimination is None for item in result.items)
    assert all(item.attempts_missing == 1 and not item.flags for item in result.items)


def test_item_figures_agree_with_the_standard_library():
    """40 attempts at 6 questions with points 1-3, right with a chance that grows with a
    made-up ability: discrimination against `statistics.correlation` of the item and the
    share of the other questions' points, KR-20 against a computation with
    `statistics.pvariance` of the totals."""
    rng = random.Random(2024)
    questions = [
        QuestionSpec(f"q{i}", "single_choice", f"Fråga {i}",
                     (ChoiceSpec("a", "A", True), ChoiceSpec("b", "B", False)), points=1 + i % 3)
        for i in range(6)
    ]  # fmt: skip
    table = []
    for _ in range(40):
        ability = rng.random()
        table.append([1 if rng.random() < 0.3 + 0.6 * ability - 0.05 * i else 0 for i in range(6)])
    attempts = [
        GradedAttempt({
            q.question_id: (bool(x), float(q.points) * x, float(q.points), ("a",) if x else ("b",))
            for q, x in zip(questions, row, strict=True)
        })
        for row in table
    ]  # fmt: skip
    result = compute_item_analysis(attempts, questions, min_attempts=30)
    for index, item in enumerate(result.items):
        x = [row[index] for row in table]
        rest = [
            sum(q.points * row[i] for i, q in enumerate(questions) if i != index)
            / sum(q.points for i, q in enumerate(questions) if i != index)
            for row in table
        ]
        assert item.discrimination == pytest.approx(statistics.correlation(x, rest))
        assert item.difficulty == pytest.approx(statistics.fmean(x))
    k = len(questions)
    totals = [sum(row) for row in table]
    pq = sum(statistics.fmean(c) * (1 - statistics.fmean(c)) for c in zip(*table, strict=True))
    assert result.kr20 == pytest.approx(k / (k - 1) * (1 - pq / statistics.pvariance(totals)))
    assert kr20(table) == pytest.approx(result.kr20)
