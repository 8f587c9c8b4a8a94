"""Watch credit is exact: a heartbeat credits every second it adds to what was watched, up to
its budget, neither less nor more (lms/tracking.py, and lms.record_watch on top of it).

tests/lms/test_tracking.py bounds the credit from above; these pin it from both sides.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import LectureFactory, ModulePageFactory, enrolled_learner, lecture_step
from wagtail_learning.lms import api as lms
from wagtail_learning.lms.tracking import credit_ranges, merge_ranges, total_length

seconds = st.floats(min_value=0, max_value=10_000, allow_nan=False, allow_infinity=False)
ranges = st.lists(st.tuples(seconds, seconds), max_size=20)
durations = st.floats(min_value=1, max_value=10_000, allow_nan=False)
budgets = st.floats(min_value=0, max_value=20_000, allow_nan=False)


def new_seconds(existing, reported, duration) -> float:
    """What `reported` adds to `existing`, clipped to the lecture, computed from the union
    alone (not the way credit_ranges computes it)."""
    before = merge_ranges(existing)
    clipped = [(max(0.0, a), min(duration, b)) for a, b in reported]
    return total_length(merge_ranges([*before, *clipped])) - total_length(before)


@given(ranges, ranges, budgets, durations)
def test_a_beat_credits_every_new_second_up_to_its_budget(existing, reported, budget, duration):
    existing = [(min(a, duration), min(b, duration)) for a, b in existing]

    union, credited = credit_ranges(existing, reported, budget_seconds=budget, duration=duration)

    assert credited == pytest.approx(
        min(budget, new_seconds(existing, reported, duration)), abs=1e-6
    )
    assert total_length(union) == pytest.approx(
        total_length(merge_ranges(existing)) + credited, abs=1e-6
    )


def test_replaying_0_30_after_watching_10_20_credits_exactly_the_20_new_seconds():
    union, credited = credit_ranges([(10, 20)], [(0, 30)], budget_seconds=100, duration=600)

    assert credited == 20
    assert union == [(0.0, 30.0)]


def test_replaying_over_two_watched_parts_credits_the_three_gaps_around_them():
    union, credited = credit_ranges(
        [(5, 10), (20, 25)], [(0, 30)], budget_seconds=100, duration=600
    )

    assert credited == 20  # 0-5, 10-20 and 25-30
    assert union == [(0.0, 30.0)]


def test_the_budget_is_spent_on_the_gaps_in_timeline_order_to_the_last_fraction_of_a_second():
    # 2.5 s of the budget go to the gap 10-12.5, the remaining half second to 20-20.5.
    union, credited = credit_ranges(
        [(0, 10)], [(10, 12.5), (20, 30)], budget_seconds=3, duration=600
    )

    assert credited == 3
    assert union == [(0.0, 12.5), (20.0, 20.5)]


def test_a_budget_under_a_second_is_credited():
    union, credited = credit_ranges([], [(0, 10)], budget_seconds=0.5, duration=600)

    assert credited == 0.5
    assert union == [(0.0, 0.5)]


@pytest.mark.django_db
def test_a_learner_who_replays_0_30_after_watching_10_20_has_watched_30_seconds():
    module = ModulePageFactory(
        steps=[lecture_step(LectureFactory(duration=timedelta(seconds=600)))]
    )
    step_id = module.steps[0].id
    learner = enrolled_learner(module.get_parent())
    t0 = timezone.now()

    def beat(seq, played, at):
        return lms.record_watch(
            learner,
            module=module,
            step_id=step_id,
            session_id="tab-replay-01",
            seq=seq,
            ranges=played,
            position=played[-1][1] if played else 10,
            now=t0 + timedelta(seconds=at),
        )

    beat(0, [], at=0)
    first = beat(1, [(10, 20)], at=10)
    replay = beat(2, [(0, 30)], at=45)

    assert (first.credited_seconds, first.watched_seconds) == (10, 10)
    assert (replay.credited_seconds, replay.watched_seconds) == (20, 30)
