"""The one public way into xAPI out. Other apps import from here.

Most learning events reach the outbox by themselves (a lecture watched, a quiz submitted,
a module or course completed, a certificate issued, an event attended: handlers.py). A step
type whose results the engine does not see, such as a SCORM or cmi5 package, calls
`record_package_result` in the transaction that stores the result.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from .events import module_parents, step_activity
from .models import LrsConnection, StatementOutbox
from .outbox import record_event, send_due
from .statements import LearningEvent
from .vocabulary import ActivityType, ActorKind, Event, State

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
    if passed is True:
        event = Event.PACKAGE_PASSED
    elif passed is False:
        event = Event.PACKAGE_FAILED
    elif completed:
        event = Event.PACKAGE_COMPLETED
    else:
        return 0
    score = None
    if score_scaled is not None:
        score = {"scaled": round(max(-1.0, min(float(score_scaled), 1.0)), 4)}
    return record_event(
        LearningEvent(
            key=f"package:{module_id}:{step_id}:{cycle}:{attempt}:{event}",
            event=event,
            user=user,
            when=when or timezone.now(),
            activity=step_activity(module_id, step_id, ActivityType.LESSON),
            parents=module_parents(module_id),
            score=score,
            success=passed,
            completion=bool(completed) or passed is not None or None,
        )
    )
