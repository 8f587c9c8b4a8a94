"""django-q2 task entry points of the engine. Each is idempotent."""

from wagtail.models import Page

from .assignments import renew_recurring_assignments
from .completion import recompute_completions
from .privacy import purge_expired_records
from .reminders import send_due_reminders, send_manager_digests


def recompute_completions_task(page_id: int) -> int:
    page = Page.objects.filter(pk=page_id).first()
    return recompute_completions(page.specific) if page is not None else 0


def send_due_reminders_task() -> dict[str, int]:
    return send_due_reminders()


def send_manager_digests_task() -> dict[str, int]:
    return send_manager_digests()


def renew_recurring_assignments_task() -> int:
    return renew_recurring_assignments()


def purge_expired_records_task() -> dict[str, int]:
    return purge_expired_records()
