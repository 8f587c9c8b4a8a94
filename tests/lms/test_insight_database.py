"""Issue 24's figures read from the database: the same fixture on whichever database the
suite runs on (SQLite: the per-row path; PostgreSQL: the aggregates that return a row per
bucket or per question) gives the hand-worked numbers, agrees with the per-row
computation on random data, and asks one query whatever the number of rows."""

from __future__ import annotations

import math
import random
from datetime import timedelta

import pytest

from tests.factories import LectureFactory, ModulePageFactory, UserFactory, lecture_step
from wagtail_learning.lms.insight import compute_retention, get_lecture_retention
from wagtail_learning.lms.models import StepProgress

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
