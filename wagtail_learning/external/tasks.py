"""Task entry points (django-q2 calls these by dotted path)."""

from .services import evaluate_recognitions


def evaluate_recognitions_task() -> int:
    return evaluate_recognitions()
