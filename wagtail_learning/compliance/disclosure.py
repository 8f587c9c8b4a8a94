"""Figures about other organisations: small groups are withheld (decision 0034).

Whoever reads figures about another organisation's people (the owner of a shared course,
and the funder its programme report goes to) sees them only for groups of at least k
people (`conf.min_group_size`, LMS_MIN_GROUP_SIZE, default 5). Every report that shows an
organisation other than the reader's own passes its rows through `withhold_small_groups`
before any view gets them, so a view, a template or an export cannot show what was
withheld: the numbers are not there, only the mark (`Withheld`).

- A row of another organisation whose group has 1 to k-1 people is withheld: each of its
  figures becomes "fewer than k". A group of 0 holds nobody and is shown.
- The total must not give a withheld row back by subtraction (total minus the shown rows).
  The people the total counts beyond the shown rows must be none or at least k; if not,
  the smallest shown row of another organisation (with anyone in it) is withheld too ("not shown",
  complementary suppression), and again, until that holds; when no such row is left, the
  total is withheld.
- The reader's own organisations' rows are never withheld: they see those people by name
  in the ordinary reports.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any

from django.utils.translation import gettext

from .conf import min_group_size

__all__ = ["Withheld", "withhold_small_groups"]


class Withheld:
    """In place of a withheld figure: prints as the mark, in the reader's language, and is
    never a number (a sum or a share with it fails instead of going wrong)."""

    __slots__ = ("k", "small")

    def __init__(self, k: int, *, small: bool):
        self.k = k
        self.small = small  # the group is small; else withheld to protect another one

    def __str__(self) -> str:
        if self.small:
            return gettext("fewer than %(k)d") % {"k": self.k}
        return gettext("not shown")


def _withhold(row, figures: Sequence[str], mark: Withheld) -> None:
    for name in figures:
        setattr(row, name, mark)
    row.withheld = mark


def withhold_small_groups(
    rows: Sequence[Any],
    total: Any,
    *,
    own: Collection[int],
    size: str,
    figures: Sequence[str],
    total_of: Callable[[list[Any]], Any],
    k: int | None = None,
) -> None:
    """Withhold, in place, the figures of `rows` (one per organisation: `row.organisation`)
    and of `total` that would show a group of fewer than k people of an organisation whose
    pk is not in `own`. `size` names the row's attribute that counts its people (the
    group), `figures` every attribute that is a figure about them (withheld rows get a
    `Withheld` in each, and in `withheld`). `total_of(rows)` answers a total (with the
    same `size`) over those rows' organisations, each person once: it tells how many
    people the total counts beyond the shown rows. Rows and totals must come from the
    same data; called once per report, before anything reads them. `k` is the
    report's own minimum where it has one (evaluations: LMS_EVALUATION_MIN_ANSWERS),
    else LMS_MIN_GROUP_SIZE."""
    k = min_group_size() if k is None else k
    others = [row for row in rows if row.organisation.pk not in own]
    small = [row for row in others if 0 < getattr(row, size) < k]
    if not small:
        return
    # By identity: two rows with the same figures are still two organisations.
    shown = [row for row in rows if all(row is not s for s in small)]
    complementary = []
    while True:
        beyond = getattr(total, size) - getattr(total_of(shown), size)
        if beyond == 0 or beyond >= k:
            break
        # The smallest group that adds people (a row of 0 would hide nothing).
        candidates = sorted(
            (row for row in shown if getattr(row, size) and any(row is o for o in others)),
            key=lambda row: getattr(row, size),
        )
        if not candidates:
            _withhold(total, figures, Withheld(k, small=False))
            break
        complementary.append(candidates[0])
        shown = [row for row in shown if row is not candidates[0]]
    for row in small:
        _withhold(row, figures, Withheld(k, small=True))
    for row in complementary:
        _withhold(row, figures, Withheld(k, small=False))
