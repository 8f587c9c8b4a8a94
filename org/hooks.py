"""Events of the organisation layer, announced through Wagtail hooks.

``PEOPLE_CHANGED``: functions registered for it get ``user_ids`` (the people whose profile,
unit or membership changed) and ``today``. They run inside the change's transaction, so
what they write commits or rolls back with it. Compliance registers for it to enrol the
people that assignments now cover.
"""

from __future__ import annotations

from datetime import date

from wagtail import hooks

PEOPLE_CHANGED = "org_people_changed"

__all__ = ["PEOPLE_CHANGED", "announce_people_changed"]


def announce_people_changed(user_ids: list[int], *, today: date) -> None:
    for fn in hooks.get_hooks(PEOPLE_CHANGED):
        fn(user_ids=user_ids, today=today)
