"""What the evaluation functions raise; views turn them into messages and 4xx answers."""

from __future__ import annotations


class EvaluationError(Exception):
    """Base of the evaluations' errors."""


class AlreadyAnswered(EvaluationError):
    """The person has answered this evaluation in this cycle already."""


class InvalidAnswers(EvaluationError):
    """Answers that do not fit their questions: `errors` maps a question id to a message."""

    def __init__(self, errors: dict[int, str]):
        super().__init__("; ".join(str(message) for message in errors.values()))
        self.errors = errors
