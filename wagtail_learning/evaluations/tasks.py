"""Background work of evaluations (django-q2). Idempotent: a task may run twice."""

from .services import send_reminders


def send_reminders_task() -> int:
    return send_reminders()
