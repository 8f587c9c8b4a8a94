"""What the events engine refuses, each with a message for the person."""

from __future__ import annotations


class EventError(Exception):
    def __init__(self, message: str = ""):
        super().__init__(message)
        self.message = message


class NotInAudience(EventError):
    pass


class RegistrationClosed(EventError):
    pass


class CancellationClosed(EventError):
    pass


class InvalidInput(EventError):
    pass


class AttendanceNotOpen(InvalidInput):
    """Attendance of a session not yet begun (before its check-in window opens)."""


class NotRegistered(EventError):
    pass


class NotOrganiser(EventError):
    """Only the people who run the event may do this (its organisers' coordinators)."""
