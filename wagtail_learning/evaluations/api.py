"""The one public way into evaluations. Other apps import from here."""

from .errors import AlreadyAnswered, EvaluationError, InvalidAnswers
from .models import Evaluation, EvaluationQuestion, OrganisationConsent, Question
from .results import EvaluationResults, get_results, may_read_results
from .services import offer_evaluations, open_evaluations_of, send_reminders, submit_answers

__all__ = [
    "AlreadyAnswered",
    "Evaluation",
    "EvaluationError",
    "EvaluationQuestion",
    "EvaluationResults",
    "InvalidAnswers",
    "OrganisationConsent",
    "Question",
    "get_results",
    "may_read_results",
    "offer_evaluations",
    "open_evaluations_of",
    "send_reminders",
    "submit_answers",
]
