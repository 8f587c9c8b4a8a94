"""Task entry points (django-q2 calls these by dotted path)."""

from .services import purge_report_contacts


def purge_report_contacts_task() -> int:
    return purge_report_contacts()
