"""Exceptions of the organisation layer; views turn them into 4xx answers (lms.http)."""

from __future__ import annotations


class OrgError(Exception):
    """Base class: a request about organisations or people that cannot be carried out."""

    def __init__(self, message: str = ""):
        super().__init__(message)
        self.message = message


class InvalidInput(OrgError):
    """A file, row or value that cannot be used, with a message for the person."""


class OutOfScope(OrgError):
    """A unit or person outside the caller's reporting scope."""
