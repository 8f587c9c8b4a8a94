"""django-q2 task entry points of compliance. Each is idempotent."""

from .assignments import renew_recurring_assignments
from .certification import evaluate_certification_rules
from .privacy import purge_expired_records
from .reminders import send_due_reminders, send_manager_digests
from .snapshots import write_compliance_snapshots


def send_due_reminders_task() -> dict[str, int]:
    return send_due_reminders()


def send_manager_digests_task() -> dict[str, int]:
    return send_manager_digests()


def renew_recurring_assignments_task() -> int:
    return renew_recurring_assignments()


def purge_expired_records_task() -> dict[str, int]:
    return purge_expired_records()


def evaluate_certification_rules_task() -> dict[str, int]:
    return evaluate_certification_rules()


def write_compliance_snapshots_task() -> dict[str, int]:
    return write_compliance_snapshots()
