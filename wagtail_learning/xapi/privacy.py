"""What anonymising a person does to their statements: those not yet sent never leave
(deleted); those sent keep that a statement went, not what it said (the LRS holds its copy,
the organisation's own record, under its own retention)."""

from __future__ import annotations

from wagtail import hooks

from wagtail_learning.org.api import PERSONAL_DATA, OnAnonymise

from .vocabulary import State


def _drop_unsent(*, rows, user, former, label) -> None:
    rows.exclude(state=State.SENT).delete()


@hooks.register(PERSONAL_DATA)
def personal_data() -> dict[str, OnAnonymise]:
    return {
        "xapi.statementoutbox.user": OnAnonymise(
            "statements not yet sent name the person (their email or account) and are not "
            "sent; a sent one keeps its event, state and times for the outbox's history",
            run=_drop_unsent,
            clear=("statement",),
        ),
    }
