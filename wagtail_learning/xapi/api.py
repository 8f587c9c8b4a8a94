"""The one public way into xAPI out. Other apps import from here.

Learning events reach the outbox by themselves (a lecture watched, a quiz submitted, a
module or course completed, a certificate issued, an event attended, a SCORM or cmi5
package's result: events.sources, handlers.py). A step type of another app whose results
are stored nowhere those sources see may call `record_package_result` in the transaction
that stores the result.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from .events import package_result
from .models import LrsConnection, StatementOutbox
from .outbox import record_event, send_due
from .vocabulary import ActorKind, Event, State

__all__ = [
    "ActorKind",
    "Event",
    "LrsConnection",
    "State",
    "StatementOutbox",
    "record_package_result",
    "send_due",
]


def record_package_result(
    user,
    *,
    module_id: int,
    step_id: str,
    cycle: int,
    attempt: int,
    completed: bool,
    passed: bool | None = None,
    score_scaled: float | None = None,
    when: datetime | None = None,
) -> int:
    """Record a package step's result (SCORM 1.2/2004, cmi5) for the learner's LRSs.

    Call it inside the transaction that stores the result, when the package reports a
    result that matters: completed, passed or failed, with the scaled score (0..1) if it
    has one. `attempt` is the package attempt's number within `cycle`. One statement per
    (module, step, cycle, attempt, outcome): calling it again with the same outcome, or
    in a retried request, adds nothing; a later different outcome of the same attempt
    (completed, then passed) is a statement of its own. Returns the outbox rows written
    (0 when no LRS is configured for the learner's organisation). Not atomic by itself:
    the outbox row commits or rolls back with the caller's transaction.
    """
    event = package_result(
        user,
        module_id=module_id,
        step_id=step_id,
        cycle=cycle,
        attempt=attempt,
        completed=completed,
        passed=passed,
        score_scaled=score_scaled,
        when=when or timezone.now(),
    )
    return 0 if event is None else record_event(event)
