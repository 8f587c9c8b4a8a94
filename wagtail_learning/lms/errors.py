"""Exceptions the engine raises; lms.http.errors maps them to HTTP statuses."""

from __future__ import annotations


class LmsError(Exception):
    """Base class: a request the engine refuses, with a message for the person."""

    def __init__(self, message: str = "", *, decision=None):
        super().__init__(message)
        self.message = message
        self.decision = decision


class AccessDenied(LmsError):
    pass


class NotFound(LmsError):
    pass


class EnrolmentNotAllowed(LmsError):
    pass


class InvalidInput(LmsError):
    pass


class AttemptLimitReached(LmsError):
    pass
