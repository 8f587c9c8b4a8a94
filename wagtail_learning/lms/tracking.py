"""Pure functions for honest watch tracking: the union of played seconds, and how much of
a reported range may be credited given the wall-clock time that has passed."""

from __future__ import annotations

from collections.abc import Iterable

Range = tuple[float, float]

__all__ = ["Range", "credit_ranges", "merge_ranges", "rewatched_ranges", "total_length"]


def merge_ranges(ranges: Iterable[Iterable[float]]) -> list[Range]:
    """Sorted, disjoint union of [start, end] ranges; empty and inverted ranges dropped.
    Touching ranges are joined. The result does not depend on the input order."""
    cleaned = sorted((float(a), float(b)) for a, b in ranges if float(b) > float(a))
    merged: list[Range] = []
    for start, end in cleaned:
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def total_length(ranges: Iterable[Range]) -> float:
    return sum(end - start for start, end in ranges)


def _subtract(ranges: list[Range], covered: list[Range]) -> list[Range]:
    """Parts of `ranges` (merged) not in `covered` (merged)."""
    result: list[Range] = []
    for start, end in ranges:
        cursor = start
        for c_start, c_end in covered:
            if c_end <= cursor or c_start >= end:
                continue
            if c_start > cursor:
                result.append((cursor, c_start))
            cursor = max(cursor, c_end)
            if cursor >= end:
                break
        if cursor < end:
            result.append((cursor, end))
    return result


def credit_ranges(
    existing: Iterable[Iterable[float]],
    reported: Iterable[Iterable[float]],
    *,
    budget_seconds: float,
    duration: float,
) -> tuple[list[Range], float]:
    """Add the reported ranges to the union, crediting at most `budget_seconds` of new time.

    Reported ranges are clipped to [0, duration]. Of what is new (not already in the union)
    only the first `budget_seconds`, in timeline order, are credited; the rest is dropped,
    so a forged or scrubbed range earns no more than the time that really passed.
    Returns the new union and the seconds newly credited.
    """
    union = merge_ranges(existing)
    clipped = merge_ranges(
        (max(0.0, float(a)), min(float(duration), float(b))) for a, b in reported
    )
    fresh = _subtract(clipped, union)
    budget = max(0.0, float(budget_seconds))
    accepted: list[Range] = []
    for start, end in fresh:
        if budget <= 0:
            break
        take = min(end - start, budget)
        accepted.append((start, start + take))
        budget -= take
    credited = total_length(accepted)
    return merge_ranges([*union, *accepted]), credited


# Pieces of a beat that overlap the union by less than this are the player's seams (a
# segment reopened where the last beat closed it, a timeupdate late), not a replay.
MIN_REWATCH_SECONDS = 1.0


def rewatched_ranges(
    existing: Iterable[Iterable[float]],
    reported: Iterable[Iterable[float]],
    *,
    budget_seconds: float,
    duration: float,
) -> list[Range]:
    """The parts of the reported ranges already in the union `existing`: played again.
    Clipped to [0, duration]; pieces under MIN_REWATCH_SECONDS dropped; at most
    `budget_seconds` of them (in timeline order), the wall time the beat can account for,
    so a forged beat cannot mark more than it could have played."""
    union = merge_ranges(existing)
    clipped = merge_ranges(
        (max(0.0, float(a)), min(float(duration), float(b))) for a, b in reported
    )
    fresh = _subtract(clipped, union)
    again = [(a, b) for a, b in _subtract(clipped, fresh) if b - a >= MIN_REWATCH_SECONDS]
    budget = max(0.0, float(budget_seconds))
    taken: list[Range] = []
    for start, end in again:
        if budget <= 0:
            break
        take = min(end - start, budget)
        taken.append((start, start + take))
        budget -= take
    return taken
