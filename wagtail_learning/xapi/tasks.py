"""Background work of xAPI out (django-q2). Idempotent: a task may run twice."""

from .outbox import send_due


def send_statements_task() -> int:
    return send_due()
