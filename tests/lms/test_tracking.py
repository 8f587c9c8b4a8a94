"""The union of watched seconds and what a heartbeat may credit (lms/tracking.py).

Property-based: whatever ranges a player (or a forger) sends, the union stays sorted and
disjoint, merging does not depend on the order, and no call credits more than its budget
or the lecture's duration.
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wagtail_learning.lms.tracking import credit_ranges, merge_ranges, total_length

EPS = 1e-6

seconds = st.floats(min_value=0, max_value=10_000, allow_nan=False, allow_infinity=False)
# Any pair, inverted and empty ranges included: the functions must drop those.
any_range = st.tuples(seconds, seconds)
ranges = st.lists(any_range, max_size=30)
durations = st.floats(min_value=1, max_value=10_000, allow_nan=False)
budgets = st.floats(min_value=0, max_value=20_000, allow_nan=False)


def is_sorted_and_disjoint(union) -> bool:
    if any(end <= start for start, end in union):
        return False
    return all(a_end < b_start for (_, a_end), (b_start, _) in zip(union, union[1:], strict=False))


def covers(union, point: float) -> bool:
    return any(start <= point <= end for start, end in union)


# --- merge_ranges ----------------------------------------------------------------------------


@given(ranges)
def test_the_union_is_sorted_and_disjoint(given_ranges):
    assert is_sorted_and_disjoint(merge_ranges(given_ranges))


@given(
    st.lists(any_range, max_size=12).flatmap(lambda rs: st.tuples(st.just(rs), st.permutations(rs)))
)
def test_merging_does_not_depend_on_the_order_ranges_arrive_in(pair):
    original, permuted = pair
    assert merge_ranges(permuted) == merge_ranges(original)


@given(ranges)
def test_the_union_keeps_every_played_second_and_adds_none(given_ranges):
    union = merge_ranges(given_ranges)
    proper = [(a, b) for a, b in given_ranges if b > a]
    for start, end in proper:
        assert covers(union, start) and covers(union, end) and covers(union, (start + end) / 2)
    # Every union range starts and ends where some played range did.
    starts, ends = {a for a, _ in proper}, {b for _, b in proper}
    assert all(start in starts and end in ends for start, end in union)
    assert total_length(union) <= sum(b - a for a, b in proper) + EPS


@given(ranges)
def test_merging_a_union_again_changes_nothing(given_ranges):
    union = merge_ranges(given_ranges)
    assert merge_ranges(union) == union


def test_overlapping_and_touching_ranges_join_and_inverted_ones_are_dropped():
    assert merge_ranges([(10, 20), (0, 5), (5, 8), (15, 30), (40, 35), (50, 50)]) == [
        (0.0, 8.0),
        (10.0, 30.0),
    ]


# --- credit_ranges -------------------------------------------------------------------------


@given(ranges, ranges, budgets, durations)
def test_a_beat_never_credits_more_than_its_budget_or_the_duration(
    existing, reported, budget, duration
):
    existing = [(min(a, duration), min(b, duration)) for a, b in existing]
    union, credited = credit_ranges(existing, reported, budget_seconds=budget, duration=duration)

    assert 0 <= credited <= budget + EPS
    assert credited <= duration + EPS
    assert total_length(union) <= duration + EPS
    assert is_sorted_and_disjoint(union)
    # What was credited is exactly what the union grew by; nothing already watched is lost.
    before = merge_ranges(existing)
    assert total_length(union) == pytest.approx(total_length(before) + credited, abs=1e-6)
    for start, end in before:
        assert covers(union, start) and covers(union, end)


@given(ranges, durations)
def test_resending_what_was_already_watched_credits_nothing(reported, duration):
    union, _ = credit_ranges([], reported, budget_seconds=duration, duration=duration)

    again, credited = credit_ranges(union, union, budget_seconds=duration, duration=duration)

    assert credited == 0
    assert again == union


@given(st.lists(st.tuples(ranges, st.floats(min_value=0, max_value=60)), max_size=20), durations)
def test_over_many_beats_the_credit_is_the_sum_of_the_budgets_at_most(beats, duration):
    union: list = []
    total_budget = 0.0
    for reported, budget in beats:
        union, _ = credit_ranges(union, reported, budget_seconds=budget, duration=duration)
        total_budget += budget
        assert total_length(union) <= total_budget + EPS


def test_a_forged_hour_is_cut_to_the_budget_from_the_first_unwatched_second():
    union, credited = credit_ranges([(0, 10)], [(0, 3600)], budget_seconds=4, duration=600)

    assert credited == 4
    assert union == [(0.0, 14.0)]


def test_seeking_past_unplayed_parts_credits_only_what_was_played():
    union, credited = credit_ranges(
        [(0, 10)], [(10, 20), (300, 310)], budget_seconds=100, duration=600
    )

    assert credited == 20
    assert union == [(0.0, 20.0), (300.0, 310.0)]


def test_ranges_are_clipped_to_the_lecture():
    union, credited = credit_ranges([], [(590, 700)], budget_seconds=500, duration=600)

    assert credited == 10
    assert union == [(590.0, 600.0)]


def test_a_zero_budget_credits_nothing_new():
    union, credited = credit_ranges([(0, 5)], [(5, 50)], budget_seconds=0, duration=600)

    assert credited == 0
    assert union == [(0.0, 5.0)]
