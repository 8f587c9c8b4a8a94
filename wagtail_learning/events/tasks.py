"""Background work of events (django-q2). Idempotent: a task may run twice."""

from .services import send_registration_message, send_reminders


def send_reminders_task() -> int:
    return send_reminders()


def send_registration_message_task(registration_id: int, kind: str) -> bool:
    return send_registration_message(registration_id, kind)
