"""Receivers at the edge, connected in ready(): each a one-line call into org."""

from .imports.jobs import delete_file_on_commit
from .schedules import ensure_schedules


def create_schedules(sender, **kwargs):
    ensure_schedules()


def delete_import_file(sender, instance, **kwargs):
    """post_delete of a StaffImport: its uploaded file goes too."""
    delete_file_on_commit(instance)
