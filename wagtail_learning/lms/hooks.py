"""The engine's events, announced through Wagtail hooks after the transaction commits.

Register with ``@hooks.register(MODULE_COMPLETED)`` a function taking keyword arguments
``user``, ``page`` (the module or course) and ``completion``.
"""

from __future__ import annotations

from django.db import transaction
from wagtail import hooks

MODULE_COMPLETED = "lms_module_completed"
COURSE_COMPLETED = "lms_course_completed"

__all__ = ["COURSE_COMPLETED", "MODULE_COMPLETED", "announce"]


def announce(hook_name: str, **kwargs) -> None:
    """Call every function registered for `hook_name` once the current transaction commits."""

    def fire():
        for fn in hooks.get_hooks(hook_name):
            fn(**kwargs)

    transaction.on_commit(fire)
