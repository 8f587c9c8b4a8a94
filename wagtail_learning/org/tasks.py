"""django-q2 task entry points of the organisation layer. Each is idempotent: the queue
delivers at least once."""

from .imports import jobs


def run_staff_import_task(staff_import_id: int) -> str:
    return jobs.run_staff_import(staff_import_id)


def check_staff_import_task(staff_import_id: int, version: int) -> str:
    return jobs.run_staff_import_check(staff_import_id, version)


def sweep_staff_imports_task() -> dict[str, int]:
    return {"requeued": jobs.sweep_staff_imports(), "expired": jobs.expire_stale_imports()}
