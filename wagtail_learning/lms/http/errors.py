"""Which HTTP status answers which refusal of the engine: one table for every view."""

from __future__ import annotations

from ..errors import (
    AccessDenied,
    AttemptLimitReached,
    EnrolmentNotAllowed,
    InvalidInput,
    LmsError,
    NotFound,
)

__all__ = ["status_for"]

_STATUSES: dict[type[LmsError], int] = {
    AccessDenied: 403,
    EnrolmentNotAllowed: 403,
    NotFound: 404,
    AttemptLimitReached: 409,
    InvalidInput: 400,
}


def status_for(error: LmsError) -> int:
    """The status for `error`: its class's entry, or its nearest base class's; 400 else."""
    for cls in type(error).__mro__:
        if cls in _STATUSES:
            return _STATUSES[cls]
    return 400
