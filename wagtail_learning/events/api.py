"""The one public way into events. Other apps import from here."""

from .access import has_seat, meeting_link_for, visible_registrations
from .errors import (
    CancellationClosed,
    EventError,
    InvalidInput,
    NotInAudience,
    NotOrganiser,
    NotRegistered,
    RegistrationClosed,
)
from .hooks import SESSION_ATTENDED
from .models import (
    Attendance,
    EventIndexPage,
    EventPage,
    EventQuestion,
    EventQuota,
    EventSession,
    Registration,
)
from .services import (
    cancel_registration,
    check_in,
    has_attended,
    mark_attendance,
    recording_of,
    register,
    session_by_number,
)

__all__ = [
    "SESSION_ATTENDED",
    "Attendance",
    "CancellationClosed",
    "EventError",
    "EventIndexPage",
    "EventPage",
    "EventQuestion",
    "EventQuota",
    "EventSession",
    "InvalidInput",
    "NotInAudience",
    "NotOrganiser",
    "NotRegistered",
    "Registration",
    "RegistrationClosed",
    "cancel_registration",
    "check_in",
    "has_attended",
    "has_seat",
    "mark_attendance",
    "meeting_link_for",
    "recording_of",
    "register",
    "session_by_number",
    "visible_registrations",
]
