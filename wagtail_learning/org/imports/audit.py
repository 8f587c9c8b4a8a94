"""The audit-log entry of a staff import: who, when, which file, into which organisation,
and what it did. Written by the engine for every real import (the admin's, the command's,
a task's), in the import's transaction: logged if and only if it was saved."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from wagtail.log_actions import log

from ..models import Organisation
from .plan import ImportReport

__all__ = ["LOG_ACTION", "LOG_LABEL", "LOG_MESSAGE", "log_import"]

# The stored action id keeps the name it had when the import lived in `lms` (0004).
LOG_ACTION = "lms.import_staff"
LOG_LABEL = gettext_lazy("Import staff")
LOG_MESSAGE = gettext_lazy("Staff imported")


def log_import(
    report: ImportReport,
    *,
    scope: Organisation | None,
    user,
    filename: str,
    full: bool,
    create_units: bool,
    source: str,
) -> None:
    """Log a real import on `scope` (Wagtail logs against an object; an import of the whole
    tree, which only code and tests make, on the first root). `source` says how it ran:
    "admin", "command" or "task"; `user` is who ran it (None: the operator's command)."""
    instance = scope if scope is not None else Organisation.get_first_root_node()
    if instance is None:  # an import into an empty tree that created nothing
        return
    log(
        instance=instance,
        action=LOG_ACTION,
        data={
            **report.counts(),
            "filename": filename,
            "full": full,
            "create_units": create_units,
            "source": source,
        },
        user=user,
    )
