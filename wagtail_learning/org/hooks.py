"""Events of the organisation layer, announced through Wagtail hooks.

``PEOPLE_CHANGED``: functions registered for it get ``user_ids`` (the people whose profile,
unit or membership changed) and ``today``. They run inside the change's transaction, so
what they write commits or rolls back with it. Compliance registers for it to enrol the
people that assignments now cover.

``PERSONAL_DATA``: functions registered for it take no arguments and return a dict from a
relation to the user model, "app_label.model.field", to an `OnAnonymise`: what
anonymising a person does with the rows that point at them. Declared here, below every
app that keeps people's data, so each can register (identity as well as events);
compliance's anonymisation applies them (compliance.privacy, decision 0034).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from wagtail import hooks

PEOPLE_CHANGED = "org_people_changed"
PERSONAL_DATA = "org_personal_data"

__all__ = ["PEOPLE_CHANGED", "PERSONAL_DATA", "OnAnonymise", "announce_people_changed"]


@dataclass(frozen=True)
class OnAnonymise:
    """What anonymising a person does with the rows of one relation that point at them.
    Applied in this order: `run`, `redact`, `clear`, `delete`; none of them: kept. The
    reason says why, for the next reader and the privacy notice."""

    reason: str
    delete: bool = False  # the rows are deleted
    clear: tuple[str, ...] = ()  # these fields are emptied (their default, else blank/null)
    redact: tuple[str, ...] = ()  # the former names in these text fields become the label
    # fn(rows=QuerySet, user=, former=[...], label=str): the owning app's own rule.
    run: Callable[..., None] | None = None

    @property
    def kept(self) -> bool:
        return not (self.delete or self.clear or self.redact or self.run)


def announce_people_changed(user_ids: list[int], *, today: date) -> None:
    for fn in hooks.get_hooks(PEOPLE_CHANGED):
        fn(user_ids=user_ids, today=today)
