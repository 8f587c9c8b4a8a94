"""Exceptions the engine raises; views turn them into 4xx answers."""

from __future__ import annotations


class LmsError(Exception):
    """Base class. `status` is the HTTP status a view should answer with."""

    status = 400

    def __init__(self, message: str = "", *, decision=None):
        super().__init__(message)
        self.message = message
        self.decision = decision


class AccessDenied(LmsError):
    status = 403


class NotFound(LmsError):
    status = 404


class EnrolmentNotAllowed(LmsError):
    status = 403


class InvalidInput(LmsError):
    status = 400


class AttemptLimitReached(LmsError):
    status = 409
